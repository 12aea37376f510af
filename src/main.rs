//! The `berth` binary: parses the command line, sets up logging, runs the subcommand and maps
//! failures to a message and a non-zero exit code.
use berth::config::Settings;
use berth::service::auth;
use berth::{repo, startup};
use clap::Parser;
use std::process::ExitCode;

mod cli;
use cli::{AdminAction, Cli, Command};

#[actix_web::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("berth: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Openapi = cli.command {
        print!("{}", berth::api::openapi::document());
        return Ok(());
    }
    let settings =
        Settings::resolve(cli.settings, cli.config.as_deref()).map_err(anyhow::Error::msg)?;
    match cli.command {
        Command::Openapi => Ok(()),
        Command::Migrate => {
            let db = repo::Db::connect(&settings.database_url).await?;
            db.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Serve => {
            let listen = settings.listen.clone();
            let state = startup::state(settings).await?;
            let listener = std::net::TcpListener::bind(&listen)
                .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
            tracing::info!(%listen, storage = state.store.description(), "berth serving");
            startup::server(state, listener)?.await?;
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
        Command::Admin { action } => admin(settings, action).await,
    }
}

async fn admin(settings: Settings, action: AdminAction) -> anyhow::Result<()> {
    let db = repo::Db::connect_with(&settings.database_url, settings.durable).await?;
    db.migrate().await?;
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
        AdminAction::CreateUser {
            username,
            password,
            superuser,
        } => {
            let problems = berth::service::users::check_password(&password, &username);
            if !problems.is_empty() {
                anyhow::bail!("{}", problems.join(" "));
            }
            let hash = auth::hash_password(&password)?;
            if !repo::users::insert(&db.conn, &username, &hash, superuser).await? {
                anyhow::bail!("user '{username}' already exists");
            }
            println!("created user '{username}'");
        }
        AdminAction::SetPassword { username, password } => {
            let problems = berth::service::users::check_password(&password, &username);
            if !problems.is_empty() {
                anyhow::bail!("{}", problems.join(" "));
            }
            if !auth::set_password(&db, &username, &password).await? {
                anyhow::bail!("no user '{username}'");
            }
            println!("password of '{username}' changed");
        }
        AdminAction::ListUsers => {
            for u in repo::users::list(&db.conn).await? {
                println!(
                    "{}\t{}",
                    u.username,
                    if u.is_superuser { "superuser" } else { "user" }
                );
            }
        }
    }
    Ok(())
}
