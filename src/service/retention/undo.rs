//! The undo window of retention runs. A real run that made version N of a repository keeps the
//! versions before N until the policy's `undo_window` passed (so restoring version N-1 undoes
//! the run), then deletes them, except versions a distribution serves and the latest; with a
//! window of 0 that happens in the run. Pending windows are rows of `version_expiries`,
//! processed by the scheduler's hourly `version-retention` job ([`expire_due`]). While a window
//! is open, the server-wide `version_retention_hours` pruning spares version N-1 and newer
//! ([`oldest_protected`]); an explicit `retain_repo_versions` still prunes as in Pulp.
use crate::domain::retention::Span;
use crate::error::Result;
use crate::repo::version_expiries as q;
use crate::repo::versions as vq;
use crate::repo::Db;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Opens the window of a run that made version `number` of `repo` (inside the run's
/// transaction, which holds the repository's lock), or with no window deletes at once.
pub async fn open(
    c: &impl ConnectionTrait,
    repo: Uuid,
    number: i64,
    window: Span,
    now: DateTime<Utc>,
) -> Result<()> {
    if window.seconds() == 0 {
        expire(c, repo, number, now).await?;
    } else {
        q::record(c, repo, number, now + window.as_chrono()).await?;
    }
    Ok(())
}

/// The oldest version of `repo` an open window protects as of `now`, if any.
pub async fn oldest_protected(
    c: &impl ConnectionTrait,
    repo: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    Ok(q::oldest_protected(c, repo, now).await?)
}

/// Deletes the versions of `repo` before `before` that nothing keeps: not the latest, not one
/// a distribution serves, not one another open window protects. Returns how many went.
async fn expire(
    c: &impl ConnectionTrait,
    repo: Uuid,
    before: i64,
    now: DateTime<Utc>,
) -> Result<u64> {
    let latest = vq::lock(c, repo).await? - 1;
    let mut oldest_kept = before.min(latest);
    if let Some(p) = q::oldest_protected(c, repo, now).await? {
        oldest_kept = oldest_kept.min(p);
    }
    Ok(q::drop_before_unserved(c, repo, oldest_kept).await?)
}

/// Closes every window due by `now`; returns how many versions went.
pub async fn expire_due(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let mut dropped = 0;
    for (repo, before) in q::due(&db.conn, now).await? {
        let txn = db.begin_write().await?;
        q::forget(&*txn, repo, before).await?;
        match expire(&*txn, repo, before, now).await {
            Ok(n) => dropped += n,
            // The repository went meanwhile (its windows went with it).
            Err(crate::error::Error::NameUnknown(_)) => {}
            Err(e) => return Err(e),
        }
        txn.commit().await?;
    }
    Ok(dropped)
}
