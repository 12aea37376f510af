//! Pruning old repository versions: by count (`retain_repo_versions`) and by age (the
//! server-wide `version_retention_hours` for repositories without an explicit count).
use super::{all, for_update, one};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

/// `(retain_repo_versions, next_version)` of `repo`, locking its row on PostgreSQL.
pub async fn setting(
    c: &impl ConnectionTrait,
    repo: Uuid,
) -> Result<Option<(Option<i64>, i64)>, DbErr> {
    let sql = format!(
        "SELECT retain_repo_versions, next_version FROM repositories WHERE id = ?{}",
        for_update(c)
    );
    one(c, &sql, vec![repo.into()])
        .await?
        .map(|r| {
            Ok((
                r.try_get("", "retain_repo_versions")?,
                r.try_get("", "next_version")?,
            ))
        })
        .transpose()
}

/// Repositories without `retain_repo_versions` holding a version superseded before `cutoff`
/// (their oldest version is older than the version that was current at `cutoff`).
pub async fn aged(c: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> Result<Vec<Uuid>, DbErr> {
    all(
        c,
        "SELECT r.id FROM repositories r WHERE r.retain_repo_versions IS NULL \
         AND (SELECT MIN(v.number) FROM repository_versions v WHERE v.repository_id = r.id) \
         < (SELECT MAX(v.number) FROM repository_versions v WHERE v.repository_id = r.id \
            AND v.created_at < ?)",
        vec![cutoff.into()],
    )
    .await?
    .iter()
    .map(|r| r.try_get("", "id"))
    .collect()
}

/// The number of the version of `repo` that was current at `cutoff` (the newest created
/// before it), if any.
pub async fn current_at(
    c: &impl ConnectionTrait,
    repo: Uuid,
    cutoff: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let row = one(
        c,
        "SELECT MAX(number) AS n FROM repository_versions WHERE repository_id = ? AND created_at < ?",
        vec![repo.into(), cutoff.into()],
    )
    .await?;
    Ok(match row {
        Some(r) => r.try_get("", "n")?,
        None => None,
    })
}
