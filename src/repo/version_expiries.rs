//! Undo windows of retention runs (`version_expiries`): which versions of a repository stay
//! until when, and the deletion of versions once their window passed (sparing versions a
//! distribution serves).
use super::{all, exec, one};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

/// Records that the versions of `repo` before `before` stay until `due_at`.
pub async fn record(
    c: &impl ConnectionTrait,
    repo: Uuid,
    before: i64,
    due_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO version_expiries (repository_id, before_number, due_at) VALUES (?, ?, ?) \
         ON CONFLICT (repository_id, before_number) DO UPDATE SET due_at = excluded.due_at",
        vec![repo.into(), before.into(), due_at.into()],
    )
    .await?;
    Ok(())
}

/// Windows that passed by `now`: (repository, before_number), oldest first.
pub async fn due(c: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<(Uuid, i64)>, DbErr> {
    all(
        c,
        "SELECT repository_id, before_number FROM version_expiries WHERE due_at <= ? \
         ORDER BY due_at, before_number",
        vec![now.into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
    .collect()
}

pub async fn forget(c: &impl ConnectionTrait, repo: Uuid, before: i64) -> Result<(), DbErr> {
    exec(
        c,
        "DELETE FROM version_expiries WHERE repository_id = ? AND before_number = ?",
        vec![repo.into(), before.into()],
    )
    .await?;
    Ok(())
}

/// The oldest version of `repo` an open window (due after `now`) protects: the version just
/// before the run's version of the oldest open window.
pub async fn oldest_protected(
    c: &impl ConnectionTrait,
    repo: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let row = one(
        c,
        "SELECT MIN(before_number) AS n FROM version_expiries WHERE repository_id = ? AND due_at > ?",
        vec![repo.into(), now.into()],
    )
    .await?;
    let n: Option<i64> = match row {
        Some(r) => r.try_get("", "n")?,
        None => None,
    };
    Ok(n.map(|n| n - 1))
}

/// Drops every version of `repo` older than `oldest_kept` except versions a distribution
/// serves, and the membership rows no remaining version uses; returns how many versions went.
pub async fn drop_before_unserved(
    c: &impl ConnectionTrait,
    repo: Uuid,
    oldest_kept: i64,
) -> Result<u64, DbErr> {
    exec(
        c,
        "DELETE FROM repository_content WHERE repository_id = ? AND version_removed IS NOT NULL \
         AND version_removed <= ? AND NOT EXISTS (SELECT 1 FROM distributions d \
         JOIN repository_versions v ON v.id = d.repository_version_id \
         WHERE v.repository_id = repository_content.repository_id \
         AND v.number >= repository_content.version_added \
         AND v.number < repository_content.version_removed)",
        vec![repo.into(), oldest_kept.into()],
    )
    .await?;
    exec(
        c,
        "DELETE FROM repository_versions WHERE repository_id = ? AND number < ? AND id NOT IN \
         (SELECT repository_version_id FROM distributions WHERE repository_version_id IS NOT NULL)",
        vec![repo.into(), oldest_kept.into()],
    )
    .await
}
