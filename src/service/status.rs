//! What `GET /pulp/api/v3/status/` reports about the database: whether it answers, and the
//! bytes stored blobs hold.
use crate::repo::{inventory, Db};

pub async fn database_connected(db: &Db) -> bool {
    db.ping().await.is_ok()
}

/// The bytes stored blobs hold (`None` when the database cannot say).
pub async fn stored_bytes(db: &Db) -> Option<i64> {
    inventory::stored_bytes(&db.conn).await.ok().flatten()
}
