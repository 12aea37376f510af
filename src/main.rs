//! The `berth` binary: parses the command line, sets up logging, runs the subcommand and maps
//! failures to a message and a non-zero exit code.
use anyhow::Context;
use berth::config::Settings;
use berth::error::Error;
use berth::service::users;
use berth::{repo, startup};
use std::process::ExitCode;

mod cli;
use cli::{AdminAction, Cli, Command};

#[actix_web::main]
async fn main() -> ExitCode {
    let mut cli = cli::parse();
    berth::telemetry::init(cli.log_format);
    let command = match cli.command.take() {
        Some(c) => c,
        None if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
            Command::Client(berth::client::ClientCommand::Clean { target: None })
        }
        None => {
            let _ = <Cli as clap::CommandFactory>::command().print_help();
            return ExitCode::from(2);
        }
    };
    if let Command::Client(cmd) = command {
        return match berth::client::run(cmd).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("berth: {e}");
                ExitCode::from(e.exit_code())
            }
        };
    }
    match run(cli, command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("berth: {}", message(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes on one line, each said once: drivers often repeat their source's
/// text in their own (`Connection Error: … file is not a database` then the same again).
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

async fn run(cli: Cli, command: Command) -> anyhow::Result<()> {
    if let Command::Openapi { pk_path } = command {
        match pk_path {
            true => print!("{}", berth::api::openapi::document_pk_path()),
            false => print!("{}", berth::api::openapi::document()),
        }
        return Ok(());
    }
    let settings =
        Settings::resolve(cli.settings, cli.config.as_deref()).map_err(anyhow::Error::msg)?;
    match command {
        Command::Openapi { .. } => Ok(()),
        Command::Migrate => {
            open_db(&settings).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Serve => {
            let listen = settings.listen.clone();
            // The port first: a taken one stops berth before it creates anything.
            let listener = berth::preflight::bind(&listen).map_err(anyhow::Error::msg)?;
            let state = startup::state(settings).await?;
            tracing::info!(%listen, storage = state.store.description(), "berth serving");
            tracing::info!("{}", startup::banner(&state.settings));
            let pulls = state.pulls.clone();
            if let Some(addr) = state.settings.metrics_listen.clone() {
                let metrics = std::net::TcpListener::bind(&addr)
                    .map_err(|e| anyhow::anyhow!("cannot listen on {addr} for /metrics: {e}"))?;
                tracing::info!(listen = %addr, "/metrics served on its own address");
                tokio::spawn(startup::metrics_server(state.clone(), metrics)?);
            }
            startup::run(startup::server(state, listener)?, pulls).await?;
            Ok(())
        }
        Command::Worker => {
            let workers = settings.workers.max(1);
            let state = startup::state(settings).await?;
            tracing::info!(workers, "berth worker running tasks and housekeeping");
            startup::spawn_background(&state, workers);
            std::future::pending::<()>().await;
            Ok(())
        }
        Command::Health { url } => health(url, &settings.listen).await,
        Command::Backup { dest, copy } => {
            let progress = berth::ops::terminal_progress("blobs");
            let opts = berth::ops::backup::Options { link: !copy };
            let summary = berth::ops::backup::backup(&settings, &dest, opts, &progress).await?;
            println!("{summary}");
            Ok(())
        }
        Command::Restore { src, copy } => {
            let progress = berth::ops::terminal_progress("blobs");
            let summary = berth::ops::restore::restore(&settings, &src, !copy, &progress).await?;
            println!("{summary}");
            Ok(())
        }
        Command::Admin { action } => admin(settings, action).await,
        Command::Client(_) => Ok(()),
    }
}

/// `berth health`: `GET {url}/readyz` within 10 s; prints the answer, fails unless 200.
async fn health(url: Option<String>, listen: &str) -> anyhow::Result<()> {
    let base = match url {
        Some(u) => u,
        None => {
            let port = listen.rsplit_once(':').map_or("24817", |(_, p)| p);
            format!("http://127.0.0.1:{port}")
        }
    };
    let url = format!(
        "{}/readyz",
        base.trim_end_matches('/').trim_end_matches("/readyz")
    );
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()?;
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if status.is_success() {
        println!("{body}");
        Ok(())
    } else {
        anyhow::bail!("{url} answered {status}: {body}")
    }
}

/// The checked, migrated database of `migrate` and `admin`.
async fn open_db(settings: &Settings) -> anyhow::Result<repo::Db> {
    berth::preflight::check_database(settings)
        .await
        .map_err(anyhow::Error::msg)?;
    if berth::file_modes::sqlite_file(&settings.database_url).is_some() {
        berth::file_modes::prepare(settings).with_context(|| startup::open_failed(settings))?;
    }
    let db = repo::Db::connect_with(&settings.database_url, settings.durable)
        .await
        .with_context(|| startup::open_failed(settings))?;
    db.migrate().await.with_context(|| {
        format!(
            "database migration failed; {}",
            startup::open_failed(settings)
        )
    })?;
    Ok(db)
}

async fn admin(settings: Settings, action: AdminAction) -> anyhow::Result<()> {
    let db = open_db(&settings).await?;
    match action {
        AdminAction::Fsck {
            repair,
            grace_minutes,
        } => {
            let store =
                berth::storage::open_with(&settings.storage_url, &settings.s3, settings.durable)
                    .map_err(anyhow::Error::msg)?;
            let grace = std::time::Duration::from_secs(grace_minutes.saturating_mul(60));
            let report = berth::service::fsck::check(&db, &store, repair, grace).await?;
            println!("{report}");
            if !report.clean() {
                anyhow::bail!("storage and database disagree");
            }
        }
        AdminAction::RotateTokenKey { margin_seconds } => {
            if settings.token_private_key.is_some() {
                anyhow::bail!(
                    "the signing key is configured (BERTH_TOKEN_PRIVATE_KEY), not kept in the \
                     database: rotate it by moving the old key to BERTH_TOKEN_PREVIOUS_KEYS and \
                     the new one to BERTH_TOKEN_PRIVATE_KEY (README: \"Backups, restores and \
                     upgrades\")"
                );
            }
            let lifetime = settings.token_expiry_seconds;
            let r = berth::service::token_keys::rotate(&db, lifetime, margin_seconds).await?;
            println!(
                "new token signing key {}; the old one ({}) verifies until {} (token lifetime \
                 {lifetime} s + margin); servers pick up the change within {} s",
                r.new_kid,
                r.old_kid.as_deref().unwrap_or("none"),
                r.old_verified_until.to_rfc3339(),
                berth::service::token_keys::RELOAD
            );
        }
        AdminAction::CreateUser {
            username,
            password,
            superuser,
        } => {
            let password = new_password(password, &username)?;
            users::create_with_password(&db, &username, &password, superuser)
                .await
                .map_err(admin_error)?;
            println!("created user '{username}'");
        }
        AdminAction::SetPassword { username, password } => {
            let password = new_password(password, &username)?;
            users::set_password(&db, &username, &password)
                .await
                .map_err(admin_error)?;
            println!("password of '{username}' changed");
        }
        AdminAction::ListUsers => {
            for (name, superuser) in users::names(&db).await? {
                println!("{name}\t{}", if superuser { "superuser" } else { "user" });
            }
        }
    }
    Ok(())
}

/// The password given on the command line, else the first line of stdin (asked for, without
/// echo where `stty` can turn it off, when stdin is a terminal).
fn new_password(given: Option<String>, username: &str) -> anyhow::Result<String> {
    if let Some(p) = given {
        return Ok(p);
    }
    let password = berth::client::output::read_secret(&format!("New password for '{username}': "))?;
    if password.is_empty() {
        anyhow::bail!("no password given (use --password, BERTH_NEW_PASSWORD or stdin)");
    }
    Ok(password)
}

/// The message of a failed admin command: the validators' messages, or the service's reason.
fn admin_error(e: Error) -> anyhow::Error {
    match e {
        Error::Validation(problems) => anyhow::anyhow!(
            "{}",
            problems
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Error::Conflict(m) | Error::NotFound(m) => anyhow::anyhow!(m),
        e => e.into(),
    }
}
