//! Pull tracking: each successful manifest GET records, in memory, the repository, the manifest
//! and (when pulled by tag) the tag with the time; a background flush writes the batch to
//! `repository_pulls` every `pull_flush_seconds` (and early when many keys wait), and
//! `startup::run` flushes once more when the server stops. Pulls never wait for the database:
//! the hot path is one uncontended shard lock and a map update.
//!
//! Memory is bounded: at most [`MAX_PENDING`] keys wait; beyond that new keys are dropped
//! (counted, and reported as a warning at the next flush) while known keys keep counting. A
//! failed write puts its rows back for the next flush under the same bound. Counts from
//! several replicas add up in the database (each write adds, never overwrites).
use crate::error::Result;
use crate::repo::pulls::{self as q, PullRow, CHUNK};
use crate::repo::Db;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use uuid::Uuid;

/// Keys (repository, content) that may wait for a flush.
pub const MAX_PENDING: usize = 100_000;
/// Shards of the pending map, chosen by the content id's last (random) byte.
const SHARDS: usize = 16;

type Key = (Uuid, Uuid);

#[derive(Debug, Clone, Copy)]
struct Pending {
    last: DateTime<Utc>,
    count: i64,
}

/// The pull tracker of one process. Cheap to clone (shared state).
#[derive(Clone)]
pub struct PullTracker {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    /// The flush interval; `None` when tracking is off.
    every: Option<Duration>,
    shards: Vec<Mutex<HashMap<Key, Pending>>>,
    pending: AtomicUsize,
    dropped: AtomicU64,
    /// Asks the flusher for an early flush (the map is filling up).
    wake: Notify,
    stop: Notify,
    closed: AtomicBool,
    /// Flushes take turns, so a shutdown flush never overlaps a periodic one.
    flushing: tokio::sync::Mutex<()>,
}

impl PullTracker {
    /// A tracker writing to `db` every `flush_seconds` (0: tracking off, nothing is recorded).
    pub fn new(db: Db, flush_seconds: u64) -> PullTracker {
        PullTracker {
            inner: Arc::new(Inner {
                db,
                every: (flush_seconds > 0).then(|| Duration::from_secs(flush_seconds)),
                shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
                pending: AtomicUsize::new(0),
                dropped: AtomicU64::new(0),
                wake: Notify::new(),
                stop: Notify::new(),
                closed: AtomicBool::new(false),
                flushing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    pub fn enabled(&self) -> bool {
        self.inner.every.is_some()
    }

    /// Records one pull of `manifest` from `repo`, and of `tag` when the pull named one.
    pub fn record(&self, repo: Uuid, manifest: Uuid, tag: Option<Uuid>) {
        if !self.enabled() {
            return;
        }
        let at = Utc::now();
        self.add((repo, manifest), at, 1);
        if let Some(tag) = tag {
            self.add((repo, tag), at, 1);
        }
    }

    /// Keys waiting for a flush.
    pub fn pending(&self) -> usize {
        self.inner.pending.load(Relaxed)
    }

    fn shard(&self, key: &Key) -> MutexGuard<'_, HashMap<Key, Pending>> {
        let i = key.1.as_bytes()[15] as usize % SHARDS;
        self.inner.shards[i]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn add(&self, key: Key, at: DateTime<Utc>, count: i64) {
        let mut map = self.shard(&key);
        if let Some(p) = map.get_mut(&key) {
            p.last = p.last.max(at);
            p.count += count;
            return;
        }
        if self.inner.pending.load(Relaxed) >= MAX_PENDING {
            drop(map);
            self.inner.dropped.fetch_add(count as u64, Relaxed);
            self.inner.wake.notify_one();
            return;
        }
        map.insert(key, Pending { last: at, count });
        drop(map);
        if self.inner.pending.fetch_add(1, Relaxed) + 1 == MAX_PENDING / 2 {
            self.inner.wake.notify_one();
        }
    }

    /// Empties the map, returning what it held.
    fn take(&self) -> Vec<PullRow> {
        let mut rows = Vec::with_capacity(self.pending());
        for shard in &self.inner.shards {
            let taken = std::mem::take(&mut *shard.lock().unwrap_or_else(PoisonError::into_inner));
            self.inner.pending.fetch_sub(taken.len(), Relaxed);
            rows.extend(taken.into_iter().map(|((repository, content), p)| PullRow {
                repository,
                content,
                last_pulled_at: p.last,
                count: p.count,
            }));
        }
        rows
    }

    /// Writes what is pending; returns the rows written (rows of deleted repositories or
    /// content are skipped). On a database error the unwritten rows wait for the next flush.
    pub async fn flush(&self) -> Result<u64> {
        let _turn = self.inner.flushing.lock().await;
        let dropped = self.inner.dropped.swap(0, Relaxed);
        if dropped > 0 {
            tracing::warn!(
                dropped,
                limit = MAX_PENDING,
                "pull counts dropped: too many pulled tags and manifests waited for a flush"
            );
        }
        let rows = self.take();
        let mut written = 0;
        for (i, chunk) in rows.chunks(CHUNK).enumerate() {
            match self.write(chunk).await {
                Ok(n) => written += n,
                Err(e) => {
                    for r in &rows[i * CHUNK..] {
                        self.add((r.repository, r.content), r.last_pulled_at, r.count);
                    }
                    return Err(e.into());
                }
            }
        }
        Ok(written)
    }

    async fn write(&self, chunk: &[PullRow]) -> std::result::Result<u64, sea_orm::DbErr> {
        match self.write_once(chunk).await {
            Ok(n) => Ok(n),
            // On PostgreSQL a repository deleted after the statement's snapshot but before
            // its foreign-key check fails the statement; the retry no longer sees it.
            Err(e) => {
                tracing::debug!(error = %e, "pull flush retried");
                self.write_once(chunk).await
            }
        }
    }

    async fn write_once(&self, chunk: &[PullRow]) -> std::result::Result<u64, sea_orm::DbErr> {
        let txn = self.inner.db.begin_write().await?;
        let n = q::merge(&*txn, chunk).await?;
        txn.commit().await?;
        Ok(n)
    }

    /// Starts the background flusher (nothing when tracking is off). It ends at [`shutdown`].
    ///
    /// [`shutdown`]: PullTracker::shutdown
    pub fn spawn(&self) {
        let Some(every) = self.inner.every else {
            return;
        };
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = me.inner.wake.notified() => {}
                    _ = me.inner.stop.notified() => return,
                }
                if me.inner.closed.load(Relaxed) {
                    return;
                }
                if let Err(e) = me.flush().await {
                    tracing::warn!(error = %e, "writing pull counts failed; retrying at the next flush");
                }
            }
        });
    }

    /// Stops the flusher and writes what is pending (the server has stopped taking requests).
    pub async fn shutdown(&self) {
        self.inner.closed.store(true, Relaxed);
        self.inner.stop.notify_one();
        match self.flush().await {
            Ok(n) => tracing::info!(rows = n, "pull counts written at shutdown"),
            Err(e) => tracing::warn!(error = %e, "pull counts lost at shutdown"),
        }
    }
}

#[cfg(test)]
#[path = "pulls_tests.rs"]
mod tests;
