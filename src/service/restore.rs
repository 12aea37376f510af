//! Restoring a repository version (berth extension; push and plain container repositories): a
//! new version whose content equals an older kept version of the same repository. Checked when
//! requested ([`restorable`]: the version must be this repository's and still kept), applied by
//! a task ([`restore`]) through `versions::apply` (non-recursive: exactly the old content comes
//! back, and tag names stay unique because every current tag the old version lacked is removed
//! in the same version).
use super::versions::{self, Change, NewVersion};
use crate::domain::hrefs;
use crate::error::field_errors as fe;
use crate::error::Result;
use crate::repo::push_repos::PushRepoRow;
use crate::repo::{push_repos as q, restore, Db};
use uuid::Uuid;

/// The number of the version `href` names, if it is a kept version of `r`; a field error on
/// `version` otherwise.
pub async fn restorable(db: &Db, r: &PushRepoRow, href: &str) -> Result<i64> {
    let own = match r.container {
        true => hrefs::container_repository(r.id),
        false => hrefs::push_repository(r.id),
    };
    let prefix = format!("{own}versions/");
    let Some(rest) = href.strip_prefix(&prefix) else {
        let a_version = [hrefs::PUSH_REPOSITORIES, hrefs::CONTAINER_REPOSITORIES]
            .iter()
            .any(|p| href.starts_with(p));
        return Err(match a_version && href.contains("/versions/") {
            true => fe::field(
                "version",
                format!("The version '{href}' belongs to another repository."),
            ),
            false => fe::field(
                "version",
                format!("'{href}' is not a repository version href of this repository."),
            ),
        });
    };
    let number = rest
        .strip_suffix('/')
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            fe::field(
                "version",
                format!("'{href}' is not a repository version href of this repository."),
            )
        })?;
    if q::version(&db.conn, r.id, number).await?.is_some() {
        return Ok(number);
    }
    Err(fe::field(
        "version",
        match number <= r.latest_version {
            true => format!(
                "Version {number} of this repository was pruned (retain_repo_versions or version \
                 retention); its content can no longer be restored."
            ),
            false => format!("Version {number} of this repository does not exist."),
        },
    ))
}

/// Task body: makes the latest version of `repo` equal version `number` (a new version, or
/// none when they are already equal). Fails if the version was pruned since the request.
pub async fn restore(db: &Db, repo: Uuid, number: i64) -> Result<Option<NewVersion>> {
    let txn = db.begin_write().await?;
    // Locks the repository row first, so the version cannot be pruned under us.
    crate::repo::versions::lock(&*txn, repo).await?;
    if q::version(&*txn, repo, number).await?.is_none() {
        return Err(fe::field(
            "version",
            format!("Version {number} of this repository was pruned; it cannot be restored."),
        ));
    }
    let (add, remove) = restore::diff_to(&*txn, repo, number).await?;
    let change = Change {
        add,
        remove,
        tag_names: vec![],
        recursive: false,
    };
    let n = versions::apply(&*txn, repo, change).await?;
    txn.commit().await?;
    Ok(n)
}
