//! The command-line client (`berth login | logout | ls | tags | rm | prune | gc | tasks`): a
//! small registry client ([`http`]: `/v2/` with token or Basic auth, berth's Pulp API when the
//! server is berth), credentials as docker keeps them ([`creds`]), and one module per command.
//! Exit codes are [`error::ClientError::exit_code`].
/// `println!` that ignores a closed stdout (`berth ls | head`).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::client::output::emit(&format!("{}\n", format!($($arg)*)))
    };
}

pub mod clean;
pub mod creds;
pub mod error;
pub mod gc;
pub mod http;
pub mod http_errors;
pub mod images;
pub mod login;
pub mod ls;
pub mod output;
pub mod prune;
pub mod prune_berth;
pub mod prune_v2;
mod pulp_api;
pub mod refs;
pub mod rm;
pub mod tags;

use clap::{Args, Subcommand};
use output::Format;

/// Options every client command takes.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Table)]
    pub output: Format,
}

/// The client's subcommands (flattened into `berth`'s).
#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// Store credentials for a registry in docker's config.json.
    Login {
        registry: String,
        #[arg(short = 'u', long = "username")]
        username: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove the credentials stored for a registry.
    Logout { registry: String },
    /// Repositories with tag count, size and last push, and totals.
    Ls {
        /// REGISTRY[/NAMESPACE] (default: BERTH_REGISTRY).
        target: Option<String>,
        /// Sort by: size (largest first), name, tags or pushed (newest first).
        #[arg(long, default_value = "size")]
        sort: ls::Sort,
        #[command(flatten)]
        common: Common,
    },
    /// A repository's tags grouped by image, with size, dates and platforms.
    Tags {
        /// REGISTRY/NAME.
        repo: String,
        /// Sort by: pushed (newest first; created on other registries) or name.
        #[arg(long, default_value = "pushed")]
        sort: tags::Sort,
        /// Only tags matching this regular expression (whole name).
        #[arg(long)]
        include: Option<String>,
        /// Leave out tags matching this regular expression (whole name).
        #[arg(long)]
        exclude: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Remove tags (REPO:TAG: only the tag), images (REPO@DIGEST, with all their tags) or a
    /// whole repository (--repository REPO, berth only).
    Rm {
        /// REPO:TAG or REPO@DIGEST, one or more.
        refs: Vec<String>,
        /// Remove this whole repository (berth only).
        #[arg(long)]
        repository: Option<String>,
        /// Do not ask.
        #[arg(short = 'y', long)]
        yes: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Remove old images: keep the last N, the recent, the tags matching a pattern.
    Prune(prune::PruneArgs),
    /// Remove unreferenced content and blobs (berth's orphan cleanup).
    Gc {
        /// REGISTRY (default: BERTH_REGISTRY).
        registry: Option<String>,
        /// Report what would be removed and the bytes, removing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Wait for the cleanup to finish and show what it removed.
        #[arg(long)]
        wait: bool,
        /// Do not ask.
        #[arg(short = 'y', long)]
        yes: bool,
        /// Leave content younger than this alone (server default 24h; e.g. 0s, 2h).
        #[arg(long)]
        grace: Option<crate::domain::retention::Span>,
        #[command(flatten)]
        common: Common,
    },
    /// The interactive clean-up: pick a repository, then images by number or range, see what
    /// goes, confirm, then garbage collection (berth). Needs a terminal.
    Clean {
        /// REGISTRY[/NAMESPACE] (default: BERTH_REGISTRY).
        target: Option<String>,
    },
    /// Recent tasks on berth, or wait for one (--wait HREF).
    Tasks {
        /// REGISTRY (default: BERTH_REGISTRY).
        registry: Option<String>,
        /// Wait until this task is final and show it.
        #[arg(long)]
        wait: Option<String>,
        #[command(flatten)]
        common: Common,
    },
}

/// Runs a client command; the error carries its exit code.
pub async fn run(cmd: ClientCommand) -> error::Result<()> {
    match cmd {
        ClientCommand::Login {
            registry,
            username,
            password_stdin,
        } => login::login(&registry, username, password_stdin).await,
        ClientCommand::Logout { registry } => login::logout(&registry),
        ClientCommand::Ls {
            target,
            sort,
            common,
        } => ls::run(target.as_deref(), sort, common.output).await,
        ClientCommand::Tags {
            repo,
            sort,
            include,
            exclude,
            common,
        } => {
            let f = tags::Filter::new(include.as_deref(), exclude.as_deref())?;
            tags::run(&repo, sort, &f, common.output).await
        }
        ClientCommand::Rm {
            refs,
            repository,
            yes,
            common,
        } => rm::run(&refs, repository.as_deref(), yes, common.output).await,
        ClientCommand::Prune(args) => prune::run(args).await,
        ClientCommand::Gc {
            registry,
            dry_run,
            wait,
            yes,
            grace,
            common,
        } => {
            gc::gc(
                registry.as_deref(),
                dry_run,
                wait,
                yes,
                grace,
                common.output,
            )
            .await
        }
        ClientCommand::Clean { target } => clean::run(target.as_deref()).await,
        ClientCommand::Tasks {
            registry,
            wait,
            common,
        } => gc::tasks(registry.as_deref(), wait.as_deref(), common.output).await,
    }
}

/// The registry client for a target, and whether to use berth's management API: the server
/// is berth and there are credentials (anonymous callers read public repositories via `/v2/`).
pub async fn connect(registry: &str) -> error::Result<(http::Registry, bool)> {
    let reg = http::Registry::open(registry)?;
    let berth = reg.has_credentials() && reg.is_berth().await?;
    Ok((reg, berth))
}
