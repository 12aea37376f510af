//! Building the application: connect and migrate the database, open storage, create the
//! bootstrap admin, and assemble the HTTP server. Tests use the same path with port 0.
use crate::config::Settings;
use crate::repo::Db;
use crate::service::{auth, maintenance};
use crate::state::AppState;
use crate::storage;
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// Connects, migrates and opens everything the settings name.
pub async fn state(settings: Settings) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "cannot create data directory {}",
            settings.data_dir.display()
        )
    })?;
    let db = Db::connect_with(&settings.database_url, settings.durable)
        .await
        .with_context(|| {
            format!(
                "cannot open database {}",
                crate::config::redact(&settings.database_url)
            )
        })?;
    db.migrate().await.context("database migration failed")?;
    crate::service::roles::seed(&db)
        .await
        .context("cannot write the built-in roles")?;
    let store = storage::open_with(&settings.storage_url, &settings.s3, settings.durable)
        .map_err(anyhow::Error::msg)?;
    let password_file = settings.data_dir.join("admin-password");
    if let Some(pw) =
        auth::bootstrap_admin(&db, settings.admin_password.as_deref(), &password_file).await?
    {
        println!(
            "Created user 'admin' with password: {pw}\n(also written to {}; set BERTH_ADMIN_PASSWORD to choose it)",
            password_file.display()
        );
    }
    let tokens = crate::service::tokens::Tokens::load(&db, &settings)
        .await
        .map_err(anyhow::Error::msg)?;
    let queue = crate::tasks::Queue::open(&db, &settings.database_url)
        .await
        .context("cannot open the task queue")?;
    Ok(AppState {
        db,
        store,
        creds: auth::CredentialCache::default(),
        tokens,
        settings: Arc::new(settings),
        queue: Some(queue),
    })
}

/// Registers every route on an actix app.
pub fn routes(cfg: &mut web::ServiceConfig) {
    crate::api::oci::configure(cfg);
    crate::api::oci::token::configure(cfg);
    crate::api::pulp::configure(cfg);
}

/// The HTTP server over `listener`, plus the background housekeeping and embedded task workers.
pub fn server(state: AppState, listener: TcpListener) -> anyhow::Result<actix_web::dev::Server> {
    crate::tasks::spawn_workers(&state, state.settings.workers);
    let expiry = Duration::from_secs(state.settings.upload_expiry_hours * 3600);
    tokio::spawn(maintenance::run_forever(
        state.db.clone(),
        state.store.clone(),
        expiry,
        Duration::from_secs(600),
    ));
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(
                actix_web::middleware::Logger::new("%a \"%r\" %s %b %Dms")
                    .log_target("berth::http"),
            )
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
    .listen(listener)?
    .run();
    Ok(server)
}
