//! `retain_repo_versions`: after each new version (and when the setting changes) only the newest
//! N versions are kept. Membership rows that only older versions used are dropped, so content
//! that no kept version holds becomes an orphan for cleanup to purge.
use crate::error::Result;
use crate::repo::{exec, for_update, one, Db};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Prunes `repo` inside the caller's transaction (the repository row is locked by it).
pub async fn prune(c: &impl ConnectionTrait, repo: Uuid) -> Result<()> {
    let sql = format!(
        "SELECT retain_repo_versions, next_version FROM repositories WHERE id = ?{}",
        for_update(c)
    );
    let Some(row) = one(c, &sql, vec![repo.into()]).await? else {
        return Ok(());
    };
    let retain: Option<i64> = row.try_get("", "retain_repo_versions")?;
    let next: i64 = row.try_get("", "next_version")?;
    let Some(retain) = retain.filter(|r| *r >= 1) else {
        return Ok(());
    };
    let oldest_kept = next - retain;
    if oldest_kept <= 0 {
        return Ok(());
    }
    exec(
        c,
        "DELETE FROM repository_content WHERE repository_id = ? AND version_removed IS NOT NULL AND version_removed <= ?",
        vec![repo.into(), oldest_kept.into()],
    )
    .await?;
    exec(
        c,
        "DELETE FROM repository_versions WHERE repository_id = ? AND number < ?",
        vec![repo.into(), oldest_kept.into()],
    )
    .await?;
    Ok(())
}

/// Prunes `repo` in its own transaction (after the setting changed).
pub async fn apply(db: &Db, repo: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    prune(&*txn, repo).await?;
    txn.commit().await?;
    Ok(())
}
