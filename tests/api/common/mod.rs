//! Test harness: `TestApp` (fresh database and storage per test, server on port 0, restartable)
//! and OCI helpers to push blobs, images and indexes. A test fails if it leaves a task failed
//! or unfinished (`tasks`).
pub mod cli;
pub mod oci;
pub mod pulp;
pub mod tasks;
pub mod ui;

use berth::config::Settings;
use berth::startup;
use std::net::TcpListener;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub settings: Settings,
    pub dir: tempfile::TempDir,
    handle: actix_web::dev::ServerHandle,
    /// The server's run (`startup::run`: serving, then the last pull flush) and its tracker.
    running: Running,
    unsettled_tasks_expected: std::sync::atomic::AtomicBool,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.check_tasks_on_drop();
    }
}

/// A fresh PostgreSQL database on the server `BERTH_TEST_DATABASE_URL` names, or `None` for SQLite.
async fn fresh_database() -> Option<String> {
    let base = std::env::var("BERTH_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))?;
    let name = format!("berth_test_{}", uuid::Uuid::new_v4().simple());
    let (server, _) = base.rsplit_once('/').expect("database URL has a path");
    let admin = sea_orm::Database::connect(format!("{server}/postgres"))
        .await
        .expect("connect to postgres");
    use sea_orm::ConnectionTrait;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    Some(format!("{server}/{name}"))
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::for_data_dir(dir.path().to_path_buf()).unwrap();
        settings.admin_password = Some("admin-password".into());
        if let Some(url) = fresh_database().await {
            settings.database_url = url;
        }
        tweak(&mut settings);
        let (base, handle, running) = start(settings.clone()).await;
        TestApp {
            base,
            client: client(),
            settings,
            dir,
            handle,
            running,
            unsettled_tasks_expected: Default::default(),
        }
    }

    /// Stops the server and starts a new one on the same database and storage.
    pub async fn restart(&mut self) {
        self.stop().await;
        let (base, handle, running) = start(self.settings.clone()).await;
        self.base = base;
        self.handle = handle;
        self.running = running;
    }

    /// Stops the server gracefully, as SIGTERM does, and waits for its shutdown work.
    pub async fn stop(&mut self) {
        self.handle.stop(true).await;
        if let Some(done) = self.running.done.take() {
            done.await.unwrap().unwrap();
        }
    }

    /// Writes the pull counts this server holds in memory now (as its flusher does).
    pub async fn flush_pulls(&self) {
        self.running.pulls.flush().await.unwrap();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request as the admin on `/v2/` (the registry refuses anonymous writes) and anonymous
    /// elsewhere; `anon` sends none.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.client.request(method, self.url(path));
        if path.starts_with("/v2") {
            r.basic_auth(pulp::ADMIN.0, Some(pulp::ADMIN.1))
        } else {
            r
        }
    }
    pub fn anon(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::GET, path)
    }
    pub fn head(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::HEAD, path)
    }
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, path)
    }
    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::PUT, path)
    }
    pub fn patch(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::PATCH, path)
    }
    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::DELETE, path)
    }
}

struct Running {
    pulls: berth::service::pulls::PullTracker,
    done: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// The tests' HTTP client. The server closes connections idle for 5 s; a pooled connection
/// reused just as that happens fails the request ("connection closed before message
/// completed"), so connections are reused only while idle for less than that (as the `berth`
/// client does).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .unwrap()
}

async fn start(settings: Settings) -> (String, actix_web::dev::ServerHandle, Running) {
    let state = startup::state(settings).await.expect("app state");
    let pulls = state.pulls.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = startup::server(state, listener).unwrap();
    let handle = server.handle();
    let done = tokio::spawn(startup::run(server, pulls.clone()));
    let running = Running {
        pulls,
        done: Some(done),
    };
    (format!("http://127.0.0.1:{port}"), handle, running)
}

/// The `errors[0].code` of an OCI error response.
pub async fn error_code(res: reqwest::Response) -> String {
    let body: serde_json::Value = res.json().await.expect("an OCI error body");
    body["errors"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

impl TestApp {
    /// Version numbers of repository `name`, read straight from the database.
    pub async fn versions(&self, name: &str) -> Vec<i64> {
        use sea_orm::{ConnectionTrait, Statement};
        let db = sea_orm::Database::connect(&self.settings.database_url)
            .await
            .unwrap();
        let backend = db.get_database_backend();
        let ph = if backend == sea_orm::DbBackend::Postgres {
            "$1"
        } else {
            "?"
        };
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!("SELECT v.number FROM repository_versions v JOIN repositories r ON r.id = v.repository_id WHERE r.name = {ph} ORDER BY v.number"),
                vec![name.into()],
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.try_get::<i64>("", "number").unwrap())
            .collect()
    }
}
