//! What `GET /pulp/api/v3/status/` reports about the database: whether it answers, the
//! bytes stored blobs hold, and the task workers alive.
use crate::repo::{inventory, Db};

pub async fn database_connected(db: &Db) -> bool {
    db.ping().await.is_ok()
}

/// The bytes stored blobs hold (`None` when the database cannot say).
pub async fn stored_bytes(db: &Db) -> Option<i64> {
    inventory::stored_bytes(&db.conn).await.ok().flatten()
}

/// Workers whose heartbeat (apalis's, every 30 s) is at most this old count as online.
const WORKER_TTL_SECS: i64 = 90;

/// The task workers alive across every process: `(name, last heartbeat)`; empty when the
/// queue cannot say.
pub async fn online_workers(
    ctx: &crate::service::tasks::TaskContext,
) -> Vec<(String, chrono::DateTime<chrono::Utc>)> {
    match &ctx.queue {
        Some(q) => q.online_workers(WORKER_TTL_SECS).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot list task workers");
            vec![]
        }),
        None => vec![],
    }
}
