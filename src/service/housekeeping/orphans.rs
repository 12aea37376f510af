//! Orphan cleanup, safe while pushes continue (ARCHITECTURE.md §5). Content with no version
//! membership and no pending reference, untouched for the protection time, is deleted in
//! batches: tags, then manifests (until no more lists free their children), then blobs with
//! their stored bytes. Blobs uploaded but never used by a manifest count as orphans once their
//! pending reference is older than the protection time (`repo::orphans` says what an orphan
//! is). Bytes are deleted inside the transaction that deletes their row, under
//! the digest lock uploads also take, so a concurrent push of the same digest either keeps the
//! row (and bytes) or re-places the bytes after — never a row without bytes.
use crate::error::Result;
use crate::repo::{content, orphans as q, Db};
use crate::service::tasks::{self, TaskContext, TaskKind};
use crate::storage::{keys, BlobStore};
use chrono::{DateTime, Utc};
use uuid::Uuid;

const BATCH: usize = 1000;

/// The exclusive resource of orphan cleanup tasks: one runs at a time.
pub const ORPHAN_LOCK: &str = "pdrn:orphans";

/// Dispatches an orphan cleanup task (`only`: content ids to consider, `None` for all). A
/// cleanup with the same arguments still waiting is returned instead of queueing another.
pub async fn dispatch(
    ctx: &TaskContext,
    protection_minutes: i64,
    only: Option<Vec<Uuid>>,
    created_by: Option<Uuid>,
    logging_cid: String,
) -> Result<Uuid> {
    tasks::dispatch_coalesced(
        ctx,
        tasks::NewTask {
            kind: TaskKind::OrphanCleanup {
                content: only,
                orphan_protection_time: protection_minutes,
            },
            exclusive: vec![ORPHAN_LOCK.into()],
            created_by,
            logging_cid,
        },
    )
    .await
}

/// What a cleanup removed: content units and stored objects.
#[derive(Debug, Default, Clone, Copy)]
pub struct Report {
    pub content: u64,
    pub artifacts: u64,
}

/// Runs a cleanup; `only` restricts the content units considered (stored-object cleanup is
/// always registry-wide, as in Pulp). `progress` is called with the running report.
pub async fn cleanup(
    db: &Db,
    store: &BlobStore,
    protection_minutes: i64,
    only: Option<&[Uuid]>,
    progress: &(dyn Fn(Report) + Send + Sync),
) -> Result<Report> {
    let cutoff = crate::domain::clock::minutes_before(Utc::now(), protection_minutes);
    let started = std::time::Instant::now();
    let mut report = Report::default();
    report.content += q::delete_tags(&db.conn, cutoff, only).await?;
    progress(report);
    // Manifests: repeat while deleting lists frees their children.
    loop {
        let txn = db.begin_write().await?;
        let n = q::delete_manifests(&*txn, cutoff, only).await?;
        txn.commit().await?;
        report.content += n;
        progress(report);
        if n == 0 {
            break;
        }
    }
    // Blobs, with their bytes, in batches.
    loop {
        let t = std::time::Instant::now();
        let batch = q::blob_batch(&db.conn, cutoff, only, BATCH).await?;
        tracing::debug!(
            ms = t.elapsed().as_millis() as u64,
            n = batch.len(),
            "orphan blob batch selected"
        );
        if batch.is_empty() {
            break;
        }
        let (content, bytes) = delete_blobs(db, store, batch, cutoff).await?;
        report.content += content;
        report.artifacts += bytes;
        progress(report);
        if content == 0 {
            break;
        }
    }
    let rows_done = started.elapsed();
    report.artifacts += sweep_stray_bytes(db, store, cutoff).await?;
    progress(report);
    tracing::info!(
        content = report.content,
        artifacts = report.artifacts,
        units_ms = rows_done.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "orphan cleanup finished"
    );
    Ok(report)
}

/// Deletes the rows still orphaned among `batch` and their bytes, in one transaction. The
/// digest locks are taken in digest order (as a manifest PUT takes them), so two transactions
/// locking several digests cannot deadlock.
async fn delete_blobs(
    db: &Db,
    store: &BlobStore,
    mut batch: Vec<(Uuid, String)>,
    cutoff: DateTime<Utc>,
) -> Result<(u64, u64)> {
    batch.sort_by(|a, b| a.1.cmp(&b.1));
    let txn = db.begin_write().await?;
    for (_, digest) in &batch {
        content::lock_digest(&*txn, digest).await?;
    }
    let ids: Vec<Uuid> = batch.iter().map(|(id, _)| *id).collect();
    let gone = q::delete_blobs(&*txn, &ids, cutoff).await?;
    let keys: Vec<String> = gone
        .iter()
        .filter_map(|d| d.parse::<crate::domain::digest::Digest>().ok())
        .map(|d| keys::blob(&d))
        .collect();
    let t = std::time::Instant::now();
    let deleted = store.delete_many(keys).await?;
    tracing::debug!(
        ms = t.elapsed().as_millis() as u64,
        n = deleted,
        "orphan bytes deleted"
    );
    txn.commit().await?;
    Ok((gone.len() as u64, deleted))
}

/// Stored blobs with no row (left by a crash between placing bytes and committing), older than
/// the cutoff: found with one query per batch of keys, then each re-checked under its digest
/// lock before deletion.
async fn sweep_stray_bytes(db: &Db, store: &BlobStore, cutoff: DateTime<Utc>) -> Result<u64> {
    let candidates: Vec<(String, String)> = store
        .list_modified(keys::BLOBS)
        .await?
        .into_iter()
        .filter(|(_, modified)| *modified < cutoff)
        .filter_map(|(key, _)| Some((keys::blob_digest(&key)?.to_string(), key)))
        .collect();
    let mut removed = 0;
    for chunk in candidates.chunks(BATCH) {
        let digests: Vec<String> = chunk.iter().map(|(d, _)| d.clone()).collect();
        let known = q::known_digests(&db.conn, &digests).await?;
        for (digest, key) in chunk.iter().filter(|(d, _)| !known.contains(d)) {
            let txn = db.begin_write().await?;
            content::lock_digest(&*txn, digest).await?;
            if content::blob_global(&*txn, digest).await?.is_none() {
                store.delete(key).await?;
                removed += 1;
            }
            txn.commit().await?;
        }
    }
    Ok(removed)
}
