//! Resolving a registry path to its push repository: `require` for reads and most writes
//! (unknown → `NAME_UNKNOWN`), `ensure` for the calls that may create it on first push.
use crate::domain::name::RepoName;
use crate::error::{Error, Result};
use crate::repo::repositories::{self as q, RepoRow};
use crate::repo::Db;

pub async fn require(db: &Db, name: &RepoName) -> Result<RepoRow> {
    q::find_by_name(&db.conn, name.as_str())
        .await?
        .ok_or_else(|| Error::NameUnknown(name.to_string()))
}

/// Fetches the repository, or creates namespace, repository and distribution in one transaction.
pub async fn ensure(db: &Db, name: &RepoName) -> Result<RepoRow> {
    if let Some(repo) = q::find_by_name(&db.conn, name.as_str()).await? {
        return Ok(repo);
    }
    let txn = db.begin_write().await?;
    let repo = q::get_or_create(&*txn, name.namespace(), name.as_str()).await?;
    txn.commit().await?;
    Ok(repo)
}
