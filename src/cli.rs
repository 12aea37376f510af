//! Command-line interface: `berth serve | worker | migrate | openapi | backup | restore |
//! admin …` (users, fsck, token key rotation), and the client's commands (`berth::client`).
//! The server settings are global flags (given before or after the command), listed under
//! "Server settings" in the help of the commands that use them ([`parse`]).
use berth::config::Overrides;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "berth",
    version,
    about = "A container registry with a Pulp-compatible API"
)]
pub struct Cli {
    /// Optional TOML file with any of the settings below (flags and env override it).
    #[arg(long, global = true, env = "BERTH_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub settings: Overrides,
    /// Log line format (logs go to stderr; colour only on a terminal, `NO_COLOR` honoured).
    #[arg(
        long,
        global = true,
        env = "BERTH_LOG_FORMAT",
        value_enum,
        default_value_t
    )]
    pub log_format: berth::telemetry::LogFormat,
    /// Without one on a terminal: the interactive clean-up (`berth clean`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server (registry and API) with its background housekeeping.
    Serve,
    /// Run background housekeeping only (no HTTP), e.g. beside stateless replicas.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Ask a running berth whether it is ready (`GET /readyz`): exit 0 when it is, 1 when not.
    Health {
        /// The server's base URL (default: http://127.0.0.1:<port of --listen>).
        #[arg(long, env = "BERTH_HEALTH_URL")]
        url: Option<String>,
    },
    /// Print the OpenAPI document.
    Openapi {
        /// Print the `?pk_path=1` variant (plain `{pulp_id}` detail paths, for generic
        /// generators), committed as `openapi/openapi.pk.json`.
        #[arg(long)]
        pk_path: bool,
    },
    /// Copy the data of a serving embedded berth (SQLite + local blobs) into DEST (new or
    /// empty): online database copies, the blobs they name (hard-linked on the same
    /// filesystem), the admin password and key files (0600). PostgreSQL/S3: see README.
    Backup {
        /// The backup directory to create (must be new or empty).
        dest: PathBuf,
        /// Copy blobs even where a hard link would do (e.g. DEST is on the same disk).
        #[arg(long)]
        copy: bool,
    },
    /// Bring a backup made by `berth backup` into a new or empty --data-dir, then check that
    /// every blob its database names is there with the right size.
    Restore {
        /// A directory `berth backup` wrote (with its backup.json).
        src: PathBuf,
        /// Copy blobs even where a hard link to the backup's file would do.
        #[arg(long)]
        copy: bool,
    },
    /// User administration.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// The registry client: login, ls, tags, rm, prune, gc, tasks (berth or any OCI registry).
    #[command(flatten)]
    Client(berth::client::ClientCommand),
}

#[derive(Subcommand, Debug)]
pub enum AdminAction {
    /// Create a user (password from --password, BERTH_NEW_PASSWORD, else stdin or a prompt).
    CreateUser {
        username: String,
        #[arg(long, env = "BERTH_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long)]
        superuser: bool,
    },
    /// Set a user's password (from --password, BERTH_NEW_PASSWORD, else the first line of
    /// stdin, or a prompt on a terminal).
    SetPassword {
        username: String,
        #[arg(long, env = "BERTH_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users.
    ListUsers,
    /// Make a new token signing key current; the old one keeps verifying the tokens it
    /// signed until they can have expired (--token-expiry-seconds + margin), then is dropped.
    /// Running servers pick it up within seconds. With BERTH_TOKEN_PRIVATE_KEY, see README.
    RotateTokenKey {
        /// Seconds the old key is kept beyond the token lifetime (at least 10).
        #[arg(long, default_value_t = 60)]
        margin_seconds: u64,
    },
    /// Compare the files in storage with the blobs the database knows; exits non-zero when
    /// they disagree. `--repair` removes stray, staging and orphaned upload files (never rows).
    Fsck {
        /// Remove files no row or upload session needs (each re-checked under its lock).
        #[arg(long)]
        repair: bool,
        /// Leave files modified within this many minutes alone (a push may be writing them).
        #[arg(long, default_value_t = 60)]
        grace_minutes: u64,
    },
}

/// The commands that read the server settings; the others (the client's) do not list them.
const SERVER_COMMANDS: [&str; 7] = [
    "serve", "worker", "migrate", "health", "backup", "restore", "admin",
];

/// Parses the command line. The server settings are global flags (so `berth --data-dir D serve`
/// and `berth serve --data-dir D` both work), but only the server commands' help lists them:
/// `berth ls --help` shows the client's own options.
pub fn parse() -> Cli {
    let mut cmd = Cli::command();
    // Global flags reach the subcommands when the command is built; hide them after that.
    cmd.build();
    let client: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .filter(|n| !SERVER_COMMANDS.contains(&n.as_str()))
        .collect();
    for name in client {
        cmd = cmd.mut_subcommand(name, |sc| {
            sc.mut_args(|a| {
                let server = a.get_help_heading() == Some("Server settings");
                match server || a.get_id() == "config" {
                    true => a.hide(true),
                    false => a,
                }
            })
        });
    }
    let matches = cmd.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}
