//! Building the application: connect and migrate the database, open storage, create the
//! bootstrap admin, and assemble the HTTP server. Tests use the same path with port 0.
use crate::config::Settings;
use crate::repo::Db;
use crate::service::housekeeping::scheduler;
use crate::service::{auth, tasks};
use crate::state::AppState;
use crate::storage;
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// Connects, migrates and opens everything the settings name.
pub async fn state(settings: Settings) -> anyhow::Result<AppState> {
    crate::preflight::check(&settings)
        .await
        .map_err(anyhow::Error::msg)?;
    crate::storage::set_operation_recorder(|b, a, s, ok| {
        crate::telemetry::metrics::global().storage_op(b, a, s, ok)
    });
    crate::file_modes::prepare(&settings).with_context(|| {
        format!(
            "cannot create data directory {} (mode 0700) and its private files",
            settings.data_dir.display()
        )
    })?;
    let db = Db::connect_with(&settings.database_url, settings.durable)
        .await
        .with_context(|| open_failed(&settings))?;
    db.migrate()
        .await
        .with_context(|| format!("database migration failed; {}", open_failed(&settings)))?;
    // Seeding and the queue's own schema race like migrations when replicas start together.
    let lock = db.startup_lock().await.context("start-up lock")?;
    crate::service::roles::seed(&db)
        .await
        .context("cannot write the built-in roles")?;
    let store = storage::open_with(&settings.storage_url, &settings.s3, settings.durable)
        .map_err(anyhow::Error::msg)?;
    let password_file = settings.data_dir.join("admin-password");
    if auth::bootstrap_admin(&db, settings.admin_password.as_deref(), &password_file)
        .await?
        .is_some()
    {
        tracing::info!(
            file = %password_file.display(),
            "created user 'admin' with a generated password, written to the file only \
             (set BERTH_ADMIN_PASSWORD to choose it)"
        );
    }
    let tokens = crate::service::tokens::Tokens::load(&db, &settings)
        .await
        .map_err(anyhow::Error::msg)?;
    let queue = crate::tasks::Queue::open(&db, &settings.database_url)
        .await
        .context("cannot open the task queue")?;
    crate::file_modes::tighten(&settings).context("cannot make the database files private")?;
    lock.release().await;
    let settings = Arc::new(settings);
    Ok(AppState {
        tasks: tasks::TaskContext {
            db: db.clone(),
            store: store.clone(),
            queue: Some(queue),
            settings: settings.clone(),
        },
        pulls: crate::service::pulls::PullTracker::new(db.clone(), settings.pull_flush_seconds),
        db,
        store,
        creds: auth::CredentialCache::new(
            settings.signin_failures_per_user,
            settings.signin_failures_per_address,
        ),
        tokens,
        settings,
    })
}

/// The message of a database that cannot be opened: its path (a SQLite file, with
/// `--data-dir` suggested) or its redacted URL.
pub fn open_failed(settings: &Settings) -> String {
    match crate::file_modes::sqlite_file(&settings.database_url) {
        Some(file) => format!(
            "cannot open database {} (choose another place with --data-dir)",
            file.display()
        ),
        None => format!(
            "cannot open database {}",
            crate::config::redact(&settings.database_url)
        ),
    }
}

/// What `berth serve` prints once it listens: where the registry, the API, its Swagger UI and
/// the web UI are, where the admin password is, and how to log in.
pub fn banner(settings: &Settings) -> String {
    let (host, port) = settings
        .listen
        .rsplit_once(':')
        .unwrap_or((settings.listen.as_str(), "24817"));
    let host = match host {
        "0.0.0.0" | "[::]" | "" => "localhost",
        "127.0.0.1" => "localhost",
        h => h,
    };
    let at = format!("{host}:{port}");
    let file = settings.data_dir.join("admin-password");
    let password = match file.exists() {
        true => format!("admin password: in {} (cat it)", file.display()),
        false => "admin password: the one BERTH_ADMIN_PASSWORD set".into(),
    };
    format!(
        "berth is ready\n  registry: http://{at}/v2/\n  API:      http://{at}/pulp/api/v3/\n  \
         Swagger:  http://{at}/pulp/api/v3/swagger/\n  web UI:   http://{at}/ui/\n  \
         {password}\n  log in:   docker login {at} -u admin"
    )
}

/// Registers every route on an actix app.
pub fn routes(cfg: &mut web::ServiceConfig) {
    crate::api::health::configure(cfg);
    crate::api::metrics::configure(cfg);
    crate::api::oci::configure(cfg);
    crate::api::oci::token::configure(cfg);
    crate::api::pulp::configure(cfg);
    crate::ui::configure(cfg);
}

/// The server of `--metrics-listen`: `/metrics` alone, on its own address.
pub fn metrics_server(
    state: AppState,
    listener: TcpListener,
) -> anyhow::Result<actix_web::dev::Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(crate::api::metrics::MetricsAddress)
            .configure(crate::api::metrics::configure)
    })
    .workers(1)
    .client_request_timeout(Duration::from_secs(5))
    .keep_alive(Duration::from_secs(5))
    .listen(listener)?
    .run();
    Ok(server)
}

/// Starts in the background what every `berth serve` and `berth worker` runs: `workers` task
/// workers (with the task reconcile loop) and the housekeeping scheduler.
pub fn spawn_background(state: &AppState, workers: usize) {
    tasks::spawn_workers(&state.tasks, workers);
    tokio::spawn(scheduler::run_forever(state.tasks.clone()));
}

/// Serves until `server` stops (SIGINT/SIGTERM, or a handle's `stop`: in-flight requests
/// finish first), then writes the pull counts still in memory. `berth serve` ends here.
pub async fn run(
    server: actix_web::dev::Server,
    pulls: crate::service::pulls::PullTracker,
) -> std::io::Result<()> {
    let served = server.await;
    pulls.shutdown().await;
    served
}

/// The HTTP server over `listener`, plus the background housekeeping, embedded task workers
/// and the pull tracker's flusher. Await it through [`run`] so the last pulls are written.
pub fn server(state: AppState, listener: TcpListener) -> anyhow::Result<actix_web::dev::Server> {
    spawn_background(&state, state.settings.workers);
    state.pulls.spawn();
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(actix_web::middleware::from_fn(
                crate::api::body_guard::guard,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::api::request_log::log_request,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::api::encoded_hrefs::decode,
            ))
            .configure(routes)
    })
    // A response's headers and a small streamed body go out as separate writes; with Nagle's
    // algorithm the second waits for the client's delayed ACK (~40 ms per blob GET).
    .on_connect(|conn, _| {
        if let Some(sock) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
            let _ = sock.set_nodelay(true);
        }
    })
    // Request heads must arrive within 5 s and idle keep-alive connections close after 5 s
    // (actix's defaults, stated); a connection closed after an early answer to an unread body
    // (see `api::body_guard`) discards input for at most 2 s, then closes.
    .client_request_timeout(Duration::from_secs(5))
    .keep_alive(Duration::from_secs(5))
    .client_disconnect_timeout(Duration::from_secs(2))
    .listen(listener)?
    .run();
    Ok(server)
}
