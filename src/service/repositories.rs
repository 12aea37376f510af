//! Resolving a registry path to the repository it serves: `require` for reads and most writes
//! (unknown → `NAME_UNKNOWN`), `ensure` for the calls that may create it on first push. What a
//! read sees is the returned row's [`RepoRow::snapshot`]: the latest version, or the version a
//! distribution pins.
use crate::domain::name::RepoName;
use crate::domain::permissions::ObjectType;
use crate::error::{Error, Result};
use crate::repo::repositories::{self as q, RepoRow};
use crate::repo::{distributions, namespaces, Db};
use crate::service::policy;

/// The repository a registry path reads: the plain container repository its distribution
/// serves (or the version of one it pins), else the push repository of that name.
pub async fn resolve(db: &Db, name: &RepoName) -> Result<Option<RepoRow>> {
    if let Some(r) = q::served_container(&db.conn, name.as_str()).await? {
        return Ok(Some(r));
    }
    Ok(q::find_by_name(&db.conn, name.as_str()).await?)
}

/// As [`resolve`]; an unknown path is `NAME_UNKNOWN`.
pub async fn require(db: &Db, name: &RepoName) -> Result<RepoRow> {
    resolve(db, name)
        .await?
        .ok_or_else(|| Error::NameUnknown(name.to_string()))
}

/// The push repository a registry write (a delete) changes; a path serving a plain container
/// repository is read-only.
pub async fn require_push(db: &Db, name: &RepoName) -> Result<RepoRow> {
    if q::served_container(&db.conn, name.as_str())
        .await?
        .is_some()
    {
        return Err(Error::ReadOnly(name.to_string()));
    }
    require(db, name).await
}

/// Refuses a push to a path whose distribution serves a plain container repository (read-only
/// through the registry, as in Pulp), or whose name a plain repository already has.
async fn check_pushable(db: &Db, name: &RepoName) -> Result<()> {
    if q::served_container(&db.conn, name.as_str())
        .await?
        .is_some()
    {
        return Err(Error::ReadOnly(name.to_string()));
    }
    // One query: "no push repository, yet the name is taken" read in two raced with a
    // concurrent first push creating the push repository in between (NAME_INVALID on PostgreSQL).
    if crate::repo::container_repos::plain_named(&db.conn, name.as_str()).await? {
        return Err(Error::NameInvalid(name.to_string()));
    }
    Ok(())
}

/// Fetches the repository, or creates namespace, repository and distribution in one transaction.
pub async fn ensure(db: &Db, name: &RepoName) -> Result<RepoRow> {
    check_pushable(db, name).await?;
    if let Some(repo) = q::find_by_name(&db.conn, name.as_str()).await? {
        return Ok(repo);
    }
    let txn = db.begin_write().await?;
    let repo = q::get_or_create(&*txn, name.namespace(), name.as_str()).await?;
    txn.commit().await?;
    Ok(repo)
}

/// Before a first push: creates namespace, repository and distribution if missing, making
/// `user` the owner of whichever of the namespace and distribution this call created.
pub async fn ensure_for(db: &Db, name: &RepoName, user: Option<uuid::Uuid>) -> Result<()> {
    check_pushable(db, name).await?;
    if q::find_by_name(&db.conn, name.as_str()).await?.is_some() {
        return Ok(());
    }
    let txn = db.begin_write().await?;
    let ns_existed = namespaces::by_name(&*txn, name.namespace())
        .await?
        .is_some();
    let dist_existed = distributions::by_base_path(&*txn, name.as_str())
        .await?
        .is_some();
    q::get_or_create(&*txn, name.namespace(), name.as_str()).await?;
    if let Some(user) = user {
        if !ns_existed {
            if let Some(ns) = namespaces::by_name(&*txn, name.namespace()).await? {
                policy::make_owner(&*txn, user, ObjectType::Namespace, ns.id).await?;
            }
        }
        if !dist_existed {
            if let Some(d) = distributions::by_base_path(&*txn, name.as_str()).await? {
                policy::make_owner(&*txn, user, ObjectType::Distribution, d.id).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}
