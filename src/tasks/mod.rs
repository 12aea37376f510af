//! apalis wiring. A job carries only a task id; the task row (Pulp's model) lives in our
//! database. SQLite deployments queue jobs in a SQLite file beside the database, PostgreSQL
//! deployments in PostgreSQL. Workers run embedded in `berth serve` or alone in `berth worker`;
//! a worker hands each job's task id to the [`Handler`] it was started with (the task runner,
//! `service::tasks`, which also reconciles tasks whose worker died). Job rows are disposable:
//! purging tasks deletes theirs, and the scheduler trims finished ones.
use crate::error::{Error, Result};
use crate::repo::queue as jobs;
use apalis::prelude::*;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How often idle workers look for new jobs.
const POLL: Duration = Duration::from_millis(25);

/// What a worker does with the task id of each job.
#[derive(Clone)]
pub struct Handler(Arc<HandlerFn>);

type HandlerFn = dyn Fn(Uuid) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

impl Handler {
    pub fn new(
        f: impl Fn(Uuid) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync + 'static,
    ) -> Handler {
        Handler(Arc::new(f))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskJob {
    pub task_id: Uuid,
}

#[derive(Clone)]
pub enum Queue {
    Sqlite(SqliteStorage<TaskJob>),
    Postgres(PostgresStorage<TaskJob>),
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Queue::Sqlite(_) => "Queue::Sqlite",
            Queue::Postgres(_) => "Queue::Postgres",
        })
    }
}

/// The SQLite queue file for a SQLite database URL: `<db path>-queue`.
fn queue_url(database_url: &str) -> String {
    let (path, _) = database_url.split_once('?').unwrap_or((database_url, ""));
    format!("{path}-queue?mode=rwc")
}

impl Queue {
    pub async fn open(db: &crate::repo::Db, database_url: &str) -> anyhow::Result<Queue> {
        if db.backend() == sea_orm::DbBackend::Postgres {
            let pool = db.conn.get_postgres_connection_pool().clone();
            PostgresStorage::<()>::setup(&pool).await?;
            Ok(Queue::Postgres(PostgresStorage::new(&pool)))
        } else {
            use std::str::FromStr;
            let opts = apalis_sqlite::SqliteConnectOptions::from_str(&queue_url(database_url))?
                .create_if_missing(true)
                .busy_timeout(Duration::from_secs(30));
            let pool = apalis_sqlite::SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(opts)
                .await?;
            // Processes opening a fresh queue file together race in its migrations (no lock
            // on SQLite); they are idempotent, so the loser retries and finds them applied.
            let mut attempt = 0;
            while let Err(e) = SqliteStorage::<()>::setup(&pool).await {
                attempt += 1;
                if attempt == 5 {
                    return Err(e.into());
                }
                tracing::info!(error = %e, "task queue setup raced another process; retrying");
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
            }
            Ok(Queue::Sqlite(SqliteStorage::new(&pool)))
        }
    }

    pub async fn push(&self, task_id: Uuid) -> Result<()> {
        let job = TaskJob { task_id };
        let res = match self {
            Queue::Sqlite(s) => s.clone().push(job).await.map_err(|e| e.to_string()),
            Queue::Postgres(s) => s.clone().push(job).await.map_err(|e| e.to_string()),
        };
        res.map_err(|e| Error::Internal(format!("queueing task {task_id}: {e}")))
    }

    /// Deletes the job rows of `tasks` (purged task rows); returns how many.
    pub async fn forget(&self, tasks: &[Uuid]) -> Result<u64> {
        let res = match self {
            Queue::Sqlite(s) => jobs::forget_sqlite(s.pool(), tasks).await,
            Queue::Postgres(s) => jobs::forget_postgres(s.pool(), tasks).await,
        };
        res.map_err(|e| Error::Internal(format!("deleting the jobs of purged tasks: {e}")))
    }

    /// The workers seen within `within_secs` seconds: `(name, last heartbeat)`.
    pub async fn online_workers(
        &self,
        within_secs: i64,
    ) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
        let res = match self {
            Queue::Sqlite(s) => jobs::workers_sqlite(s.pool(), within_secs).await,
            Queue::Postgres(s) => jobs::workers_postgres(s.pool(), within_secs).await,
        };
        res.map_err(|e| Error::Internal(format!("listing workers: {e}")))
    }

    /// Deletes job rows that finished before `before` (the task rows keep the record).
    pub async fn trim(&self, before: chrono::DateTime<chrono::Utc>) -> Result<u64> {
        let res = match self {
            Queue::Sqlite(s) => jobs::trim_sqlite(s.pool(), before).await,
            Queue::Postgres(s) => jobs::trim_postgres(s.pool(), before).await,
        };
        res.map_err(|e| Error::Internal(format!("trimming finished jobs: {e}")))
    }
}

async fn handle(job: TaskJob, handler: Data<Handler>) -> std::result::Result<(), BoxDynError> {
    let handler: &Handler = &handler;
    (handler.0)(job.task_id).await;
    Ok(())
}

async fn worker(handler: Handler, queue: Queue, index: usize) {
    let name = format!("berth-{}-{index}", std::process::id());
    let strategy = || Strategy::new().interval(POLL);
    let outcome = match queue {
        Queue::Sqlite(s) => {
            WorkerBuilder::new(name.as_str())
                .backend(s.poll_with_strategy(strategy()))
                .data(handler)
                .build(handle)
                .run()
                .await
        }
        Queue::Postgres(s) => {
            WorkerBuilder::new(name.as_str())
                .backend(s.poll_with_strategy(strategy()))
                .data(handler)
                .build(handle)
                .run()
                .await
        }
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, worker = name, "task worker stopped");
    }
}

/// Starts `count` workers on `queue` in the background, each running `handler` per job.
pub fn spawn_workers(queue: &Queue, count: usize, handler: Handler) {
    for i in 0..count {
        tokio::spawn(worker(handler.clone(), queue.clone(), i));
    }
}
