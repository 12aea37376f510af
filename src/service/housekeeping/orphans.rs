//! Orphan cleanup, safe while pushes continue (ARCHITECTURE.md §5). Content with no version
//! membership and no pending reference, untouched for the protection time, is deleted in
//! batches: tags, then manifests (until no more lists free their children), then blobs with
//! their stored bytes. Blobs uploaded but never used by a manifest count as orphans once their
//! pending reference is older than the protection time (`repo::orphans` says what an orphan
//! is). Bytes are deleted inside the transaction that deletes their row, under
//! the digest lock uploads also take, so a concurrent push of the same digest either keeps the
//! row (and bytes) or re-places the bytes after — never a row without bytes.
//!
//! A dry run ([`preview`]) is a separate path that only reads: one set-based count of what the
//! deletions would remove (`repo::orphans::reclaimable`) and a listing of stray stored bytes.
//! It reports the same figures as a real run then removes.
//!
//! While a `berth backup` holds it (`repo::backup`), cleanup deletes no blob rows or bytes.
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
    dispatch_run(
        ctx,
        protection_minutes,
        only,
        false,
        created_by,
        logging_cid,
    )
    .await
}

/// Like [`dispatch`], as a dry run when `dry_run` (which coalesces only with dry runs).
pub async fn dispatch_run(
    ctx: &TaskContext,
    protection_minutes: i64,
    only: Option<Vec<Uuid>>,
    dry_run: bool,
    created_by: Option<Uuid>,
    logging_cid: String,
) -> Result<Uuid> {
    tasks::dispatch_coalesced(
        ctx,
        tasks::NewTask {
            kind: TaskKind::OrphanCleanup {
                content: only,
                orphan_protection_time: protection_minutes,
                dry_run,
            },
            exclusive: vec![ORPHAN_LOCK.into()],
            created_by,
            logging_cid,
        },
    )
    .await
}

/// What a cleanup removed (or, for a dry run, would remove): content units by kind, stored
/// objects, and their bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub tags: u64,
    pub manifests: u64,
    pub blobs: u64,
    pub artifacts: u64,
    pub bytes: u64,
}

impl Report {
    /// Content units of every kind.
    pub fn content(&self) -> u64 {
        self.tags + self.manifests + self.blobs
    }
}

/// What a cleanup with these arguments would remove now. Reads only: nothing here can write
/// (no write transaction, no digest lock, no store deletion).
pub async fn preview(
    db: &Db,
    store: &BlobStore,
    protection_minutes: i64,
    only: Option<&[Uuid]>,
) -> Result<Report> {
    let cutoff = crate::domain::clock::minutes_before(Utc::now(), protection_minutes);
    let started = std::time::Instant::now();
    let r = q::reclaimable(&db.conn, cutoff, only).await?;
    let units_ms = started.elapsed().as_millis() as u64;
    let (stray, stray_bytes) = stray_bytes(db, store, cutoff).await?;
    let report = Report {
        tags: r.tags,
        manifests: r.manifests,
        blobs: r.blobs,
        artifacts: r.blobs + stray,
        bytes: r.bytes + stray_bytes,
    };
    tracing::info!(
        content = report.content(),
        artifacts = report.artifacts,
        bytes = report.bytes,
        units_ms,
        total_ms = started.elapsed().as_millis() as u64,
        "orphan cleanup dry run finished"
    );
    Ok(report)
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
    report.tags += q::delete_tags(&db.conn, cutoff, only).await?;
    progress(report);
    // Manifests: repeat while deleting lists frees their children.
    loop {
        let txn = db.begin_write().await?;
        let n = q::delete_manifests(&*txn, cutoff, only).await?;
        txn.commit().await?;
        report.manifests += n;
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
        let (blobs, files, bytes) = delete_blobs(db, store, batch, cutoff).await?;
        report.blobs += blobs;
        report.artifacts += files;
        report.bytes += bytes;
        progress(report);
        if blobs == 0 {
            break;
        }
    }
    if report.tags + report.manifests > 0 {
        // Pull figures of tags and manifests that are gone mean nothing any more.
        crate::repo::pulls::forget_deleted_content(&db.conn).await?;
    }
    let rows_done = started.elapsed();
    let (files, bytes) = sweep_stray_bytes(db, store, cutoff).await?;
    report.artifacts += files;
    report.bytes += bytes;
    progress(report);
    tracing::info!(
        content = report.content(),
        artifacts = report.artifacts,
        bytes = report.bytes,
        units_ms = rows_done.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "orphan cleanup finished"
    );
    Ok(report)
}

/// Deletes the rows still orphaned among `batch` and their bytes, in one transaction; returns
/// the rows deleted, the stored objects deleted and the bytes the rows recorded. The digest
/// locks are taken in digest order (as a manifest PUT takes them), so two transactions locking
/// several digests cannot deadlock.
async fn delete_blobs(
    db: &Db,
    store: &BlobStore,
    mut batch: Vec<(Uuid, String)>,
    cutoff: DateTime<Utc>,
) -> Result<(u64, u64, u64)> {
    batch.sort_by(|a, b| a.1.cmp(&b.1));
    let txn = db.begin_write().await?;
    for (_, digest) in &batch {
        content::lock_digest(&*txn, digest).await?;
    }
    if backup_holds_cleanup(&*txn).await? {
        txn.commit().await?;
        return Ok((0, 0, 0));
    }
    let ids: Vec<Uuid> = batch.iter().map(|(id, _)| *id).collect();
    let gone = q::delete_blobs(&*txn, &ids, cutoff).await?;
    let bytes: u64 = gone.iter().map(|(_, size)| (*size).max(0) as u64).sum();
    let keys: Vec<String> = gone
        .iter()
        .filter_map(|(d, _)| d.parse::<crate::domain::digest::Digest>().ok())
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
    Ok((gone.len() as u64, deleted, bytes))
}

/// Whether a `berth backup` in progress holds byte deletion (checked inside the deleting
/// transaction, so a hold committed before a backup's database copy stops every deletion after
/// it: each blob row in the copy keeps its bytes until the copy of the blobs is done).
async fn backup_holds_cleanup(txn: &impl sea_orm::ConnectionTrait) -> Result<bool> {
    let held = crate::repo::backup::held(txn).await?;
    if held {
        tracing::info!(
            "orphan cleanup: a backup is in progress; stored bytes wait for the next run"
        );
    }
    Ok(held)
}

/// Stored blobs with no row (left by a crash between placing bytes and committing), older than
/// the cutoff, as `(digest, key, size)`: found with one query per batch of keys.
async fn strays(
    db: &Db,
    store: &BlobStore,
    cutoff: DateTime<Utc>,
) -> Result<Vec<(String, String, u64)>> {
    let candidates: Vec<(String, String, u64)> = store
        .list_meta(keys::BLOBS)
        .await?
        .into_iter()
        .filter(|(_, _, modified)| *modified < cutoff)
        .filter_map(|(key, size, _)| Some((keys::blob_digest(&key)?.to_string(), key, size)))
        .collect();
    let mut out = vec![];
    for chunk in candidates.chunks(BATCH) {
        let digests: Vec<String> = chunk.iter().map(|(d, _, _)| d.clone()).collect();
        let known = q::known_digests(&db.conn, &digests).await?;
        out.extend(chunk.iter().filter(|(d, _, _)| !known.contains(d)).cloned());
    }
    Ok(out)
}

/// How many stray stored blobs a sweep would delete now, and their bytes (reads only).
async fn stray_bytes(db: &Db, store: &BlobStore, cutoff: DateTime<Utc>) -> Result<(u64, u64)> {
    let found = strays(db, store, cutoff).await?;
    Ok((found.len() as u64, found.iter().map(|(_, _, n)| n).sum()))
}

/// Deletes the stray stored blobs, each re-checked under its digest lock; returns how many and
/// their bytes.
async fn sweep_stray_bytes(
    db: &Db,
    store: &BlobStore,
    cutoff: DateTime<Utc>,
) -> Result<(u64, u64)> {
    let mut removed = (0, 0);
    for (digest, key, size) in strays(db, store, cutoff).await? {
        let txn = db.begin_write().await?;
        content::lock_digest(&*txn, &digest).await?;
        if backup_holds_cleanup(&*txn).await? {
            txn.commit().await?;
            break;
        }
        if content::blob_global(&*txn, &digest).await?.is_none() {
            store.delete(&key).await?;
            removed.0 += 1;
            removed.1 += size;
        }
        txn.commit().await?;
    }
    Ok(removed)
}
