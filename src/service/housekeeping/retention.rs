//! Which repository versions are kept. `retain_repo_versions` (Pulp's setting): after each new
//! version (and when the setting changes) only the newest N versions are kept. Without it, the
//! server-wide `version_retention_hours` (default 24) applies, run by the scheduler: a version
//! superseded longer ago than that goes, so the latest version and every version that was
//! current within the window are kept. Membership rows that only dropped versions used go with
//! them, so content no kept version holds becomes an orphan for cleanup to purge. The undo
//! windows of retention runs (`service::retention::undo`) are spared by the age pruning and
//! closed by the same hourly job. A version a distribution serves (`repository_version`) is
//! never pruned, as Pulp protects it, so more than N versions may remain.
use crate::error::Result;
use crate::repo::retention as q;
use crate::repo::version_expiries::drop_before_unserved;
use crate::repo::Db;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Prunes `repo` by `retain_repo_versions` inside the caller's transaction (the repository
/// row is locked by it).
pub async fn prune(c: &impl ConnectionTrait, repo: Uuid) -> Result<()> {
    let Some((retain, next)) = q::setting(c, repo).await? else {
        return Ok(());
    };
    let Some(retain) = retain.filter(|r| *r >= 1) else {
        return Ok(());
    };
    let oldest_kept = next - retain;
    if oldest_kept > 0 {
        drop_before_unserved(c, repo, oldest_kept).await?;
    }
    Ok(())
}

/// Prunes `repo` in its own transaction (after the setting changed).
pub async fn apply(db: &Db, repo: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    prune(&*txn, repo).await?;
    txn.commit().await?;
    Ok(())
}

/// Drops, in every repository without `retain_repo_versions`, the versions superseded before
/// `now - hours`; returns how many versions went. One transaction per repository, under its
/// row lock, like every version change.
pub async fn prune_aged(db: &Db, now: DateTime<Utc>, hours: u64) -> Result<u64> {
    let cutoff = crate::domain::clock::minutes_before(now, (hours as i64).saturating_mul(60));
    let mut dropped = 0;
    for repo in q::aged(&db.conn, cutoff).await? {
        let txn = db.begin_write().await?;
        // Locks the row; a repository deleted meanwhile is skipped.
        if let Some((None, _)) = q::setting(&*txn, repo).await? {
            if let Some(current) = q::current_at(&*txn, repo, cutoff).await? {
                // An open undo window of a retention run keeps the version before the run's.
                let protected = crate::service::retention::undo::oldest_protected(&*txn, repo, now);
                let keep = match protected.await? {
                    Some(p) => current.min(p),
                    None => current,
                };
                dropped += drop_before_unserved(&*txn, repo, keep).await?;
            }
        }
        txn.commit().await?;
    }
    Ok(dropped)
}
