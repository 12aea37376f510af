//! Upload expiry, run by the scheduler (`housekeeping::scheduler`): discards upload sessions idle
//! longer than the expiry, with their staged parts, and staged objects no session owns; then
//! what a killed process left behind, once older than the expiry: object_store's local staging
//! files (`<key>#<n>`, hidden from listings), incomplete S3 multipart uploads (aborted), and
//! empty `uploads/<id>/` directories.
use crate::error::Result;
use crate::repo::{uploads as q, Db};
use crate::storage::{keys, BlobStore};
use std::time::Duration;
use uuid::Uuid;

/// Removes expired sessions; returns how many sessions and stray objects (staged parts no
/// session owns, staging leftovers, aborted multipart uploads) were removed.
pub async fn expire_uploads(
    db: &Db,
    store: &BlobStore,
    max_idle: Duration,
) -> Result<(usize, usize)> {
    let cutoff = chrono::Utc::now()
        - chrono::Duration::from_std(max_idle).unwrap_or(chrono::Duration::days(3));
    let mut sessions = 0;
    for (id, parts) in q::idle_since(&db.conn, cutoff).await? {
        q::delete(&db.conn, id).await?;
        for p in parts {
            store.delete(&p).await?;
        }
        sessions += 1;
    }
    let live: std::collections::HashSet<String> = q::ids(&db.conn)
        .await?
        .iter()
        .map(Uuid::to_string)
        .collect();
    let mut stray = 0;
    for (key, modified) in store.list_modified(keys::UPLOADS).await? {
        let owner = keys::part_owner(&key).unwrap_or("");
        if modified < cutoff && !live.contains(owner) {
            store.delete(&key).await?;
            stray += 1;
        }
    }
    // A staging file untouched for the expiry, or a multipart upload started longer ago (one
    // request body would have to stream for days), belongs to a write that will never finish.
    let leftovers = store.staging_leftovers(cutoff).await?;
    stray += store.remove_leftovers(&leftovers).await? as usize;
    let dirs = store
        .remove_empty_dirs(keys::UPLOADS_DIR, cutoff, live)
        .await?;
    if dirs > 0 {
        tracing::info!(dirs, "removed empty upload directories");
    }
    Ok((sessions, stray))
}
