//! Storage usage the management API shows: `stored_bytes` of push repositories and namespaces
//! (each blob once per repository / namespace, for a whole page at once) and the totals of
//! `status/`.
use crate::error::Result;
use crate::repo::{usage as q, Db};
use std::collections::HashMap;
use uuid::Uuid;

pub use crate::repo::usage::Totals;

/// Stored bytes of each repository among `ids` (absent: holds no blob).
pub async fn repositories(db: &Db, ids: &[Uuid]) -> Result<HashMap<Uuid, i64>> {
    Ok(q::repository_bytes(&db.conn, ids).await?)
}

/// Stored bytes of one repository.
pub async fn repository(db: &Db, id: Uuid) -> Result<i64> {
    Ok(repositories(db, &[id])
        .await?
        .get(&id)
        .copied()
        .unwrap_or(0))
}

/// Stored bytes of each namespace among `ids` (absent: holds no blob).
pub async fn namespaces(db: &Db, ids: &[Uuid]) -> Result<HashMap<Uuid, i64>> {
    Ok(q::namespace_bytes(&db.conn, ids).await?)
}

/// Stored bytes of one namespace.
pub async fn namespace(db: &Db, id: Uuid) -> Result<i64> {
    Ok(namespaces(db, &[id]).await?.get(&id).copied().unwrap_or(0))
}

/// The registry's totals (`None` when the database cannot say).
pub async fn totals(db: &Db) -> Option<Totals> {
    q::totals(&db.conn).await.ok()
}

/// Object counts and stored bytes for `/metrics` (`None` when the database cannot say).
pub async fn counts(db: &Db) -> Option<q::Counts> {
    q::counts(&db.conn).await.ok()
}
