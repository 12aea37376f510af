//! Access checks for the management API, applied by handlers before they act: fetch an object
//! the caller may see (else 404) and holds a permission on (else 403), and the visibility
//! scopes (typed, see `domain::query`) that restrict every list to what the caller may see.
//! Superusers see and may do everything.
use crate::domain::permissions::{self as perm, ObjectType};
use crate::domain::query::{DistScope, PlainScope, RepoScope};
use crate::error::{Error, Result};
use crate::repo::distributions::{self, DistributionRow};
use crate::repo::namespaces::NamespaceRow;
use crate::repo::push_repos::PushRepoRow;
use crate::repo::Db;
use crate::service::policy::{self, on_distribution, sees_distribution, sees_namespace, Caller};
use uuid::Uuid;

/// A namespace the caller sees and, when `need` is given, holds `need` on.
pub async fn namespace(db: &Db, c: &Caller, id: Uuid, need: Option<&str>) -> Result<NamespaceRow> {
    let n = crate::service::namespaces::get(db, id).await?;
    let allowed = need.is_none_or(|p| c.on(ObjectType::Namespace, id, p));
    policy::require(sees_namespace(c, id), allowed, "namespace")?;
    Ok(n)
}

/// A distribution the caller sees and, when `need` is given as (distribution permission,
/// namespace-level permission), holds one of them.
pub async fn distribution(
    db: &Db,
    c: &Caller,
    id: Uuid,
    need: Option<(&str, &str)>,
) -> Result<DistributionRow> {
    let d = crate::service::distributions::get(db, id).await?;
    let allowed = need.is_none_or(|(dp, np)| on_distribution(c, &d, dp, np));
    policy::require(sees_distribution(c, &d), allowed, "distribution")?;
    Ok(d)
}

/// What a caller wants to do with a push repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoAction {
    View,
    /// `tag`, `untag`, `remove_image`.
    ModifyContent,
    /// `update`, `partial_update`.
    Change,
}

/// A push repository the caller sees (through one of its distributions or its namespace) and
/// may act on as `action` asks.
pub async fn push_repo(db: &Db, c: &Caller, id: Uuid, action: RepoAction) -> Result<PushRepoRow> {
    let r = crate::service::push_repos::get(db, id).await?;
    if c.is_admin() {
        return Ok(r);
    }
    let dists = distributions::of_repository(&db.conn, id).await?;
    let ns = crate::repo::push_repos::namespace_of(&db.conn, id).await?;
    let on_ns = |p: &str| ns.is_some_and(|n| c.on(ObjectType::Namespace, n, p));
    let visible = dists.iter().any(|d| sees_distribution(c, d))
        || on_ns(perm::NS_VIEW_PUSH_REPO)
        || on_ns(perm::VIEW_NAMESPACE);
    let allowed = match action {
        // Pulp's `retrieve` and version `list`/`retrieve` statements: a view permission on the
        // namespace or on a distribution of the repository; being public is not enough (a
        // public repository is listed, but reading it is refused with 403, as in Pulp).
        RepoAction::View => {
            on_ns(perm::NS_VIEW_PUSH_REPO)
                || on_ns(perm::NS_VIEW_DIST)
                || dists
                    .iter()
                    .any(|d| c.on(ObjectType::Distribution, d.id, perm::VIEW_DIST))
                || c.global(perm::VIEW_DIST)
        }
        RepoAction::ModifyContent => {
            on_ns(perm::NS_MODIFY_PUSH_REPO)
                || c.global(perm::MODIFY_PUSH_REPO)
                || dists
                    .iter()
                    .any(|d| c.on(ObjectType::Distribution, d.id, perm::MODIFY_PUSH_REPO))
        }
        RepoAction::Change => {
            on_ns(perm::NS_CHANGE_PUSH_REPO)
                || dists
                    .iter()
                    .any(|d| c.on(ObjectType::Distribution, d.id, perm::CHANGE_DIST))
        }
    };
    policy::require(visible, allowed, "repository")?;
    Ok(r)
}

/// What a caller wants to do with a plain container repository (Pulp's statements for
/// `ContainerRepositoryViewSet`: model- or object-level permissions on the repository).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerRepoAction {
    View,
    Change,
    Delete,
    /// `add`, `remove`, `tag`, `untag`, `copy_tags`, `copy_manifests`.
    ModifyContent,
    /// Deleting one of its versions.
    DeleteVersion,
}

/// A plain container repository the caller sees (`view_containerrepository`, else 404) and
/// may act on as `action` asks (else 403).
pub async fn container_repo(
    db: &Db,
    c: &Caller,
    id: Uuid,
    action: ContainerRepoAction,
) -> Result<PushRepoRow> {
    use ContainerRepoAction as A;
    let r = crate::service::container_repos::get(db, id).await?;
    let on = |p: &str| c.on(ObjectType::Repository, id, p);
    let allowed = match action {
        A::View => true,
        A::Change => on(perm::CHANGE_REPO),
        A::Delete => on(perm::DELETE_REPO),
        A::ModifyContent => on(perm::MODIFY_REPO),
        A::DeleteVersion => on(perm::DELETE_REPO_VERSIONS) || on(perm::DELETE_REPO),
    };
    policy::require(on(perm::VIEW_REPO), allowed, "repository")?;
    Ok(r)
}

/// The plain container repositories the caller sees (`None`: all of them).
pub fn container_repo_scope(c: &Caller) -> Option<Vec<Uuid>> {
    if c.global(perm::VIEW_REPO) {
        return None;
    }
    Some(c.objects_with(ObjectType::Repository, &[perm::VIEW_REPO]))
}

/// The namespaces the caller sees (`None`: all of them).
pub fn namespace_scope(c: &Caller) -> Option<Vec<Uuid>> {
    if c.global(perm::VIEW_NAMESPACE) {
        return None;
    }
    Some(c.objects_with(ObjectType::Namespace, &[perm::VIEW_NAMESPACE]))
}

/// The distributions the caller sees (`None`: all of them).
pub fn distribution_scope(c: &Caller) -> Option<DistScope> {
    if c.global(perm::VIEW_DIST) || c.global(perm::NS_VIEW_DIST) || c.global(perm::VIEW_NAMESPACE) {
        return None;
    }
    Some(DistScope {
        distributions: c.objects_with(ObjectType::Distribution, &[perm::VIEW_DIST]),
        namespaces: c.objects_with(
            ObjectType::Namespace,
            &[perm::VIEW_NAMESPACE, perm::NS_VIEW_DIST],
        ),
        granted_only: false,
    })
}

/// The repositories the caller sees (`None`: all of them): those behind a distribution they
/// see, the push repositories of namespaces where they may view them, and the plain container
/// repositories they hold a view role on.
pub fn repository_scope(c: &Caller) -> Option<RepoScope> {
    let served = distribution_scope(c)?;
    let namespaces = c.objects_with(
        ObjectType::Namespace,
        &[perm::VIEW_NAMESPACE, perm::NS_VIEW_PUSH_REPO],
    );
    Some(RepoScope {
        served,
        namespaces,
        plain: plain_scope(c),
    })
}

/// The plain container repositories the caller sees by a role on them.
fn plain_scope(c: &Caller) -> PlainScope {
    match container_repo_scope(c) {
        None => PlainScope::All,
        Some(ids) => PlainScope::Granted(ids),
    }
}

/// The push repositories whose versions the caller may read (`None`: all of them), by the rule
/// of [`push_repo`]'s `View`: a view permission on their namespace or on one of their
/// distributions; unlike [`repository_scope`], being public is not enough. Plain container
/// repositories: those they hold a view role on, as in [`repository_scope`].
pub fn readable_repository_scope(c: &Caller) -> Option<RepoScope> {
    let readers = [perm::NS_VIEW_PUSH_REPO, perm::NS_VIEW_DIST];
    if c.global(perm::VIEW_DIST) || readers.iter().any(|p| c.global(p)) {
        return None;
    }
    let namespaces = c.objects_with(ObjectType::Namespace, &readers);
    Some(RepoScope {
        served: DistScope {
            distributions: c.objects_with(ObjectType::Distribution, &[perm::VIEW_DIST]),
            namespaces: namespaces.clone(),
            granted_only: true,
        },
        namespaces,
        plain: plain_scope(c),
    })
}

/// The content the caller sees (`None`: all of it): content in repositories they see
/// (`Some(None)`: in any repository); content in no repository is visible to superusers only.
pub fn content_scope(c: &Caller) -> Option<Option<RepoScope>> {
    if c.is_admin() {
        return None;
    }
    Some(repository_scope(c))
}

/// The creator of the tasks the caller sees (`None`: any; superusers see every task).
pub fn task_scope(c: &Caller) -> Option<Uuid> {
    if c.is_admin() {
        return None;
    }
    Some(c.user_id().unwrap_or_default())
}

/// Whether the caller sees a task created by `created_by`.
pub fn sees_task(c: &Caller, created_by: Option<Uuid>) -> bool {
    c.is_admin() || (created_by.is_some() && created_by == c.user_id())
}

/// 404 unless the caller sees the task.
pub fn task(c: &Caller, created_by: Option<Uuid>) -> Result<()> {
    if sees_task(c, created_by) {
        Ok(())
    } else {
        Err(Error::NotFound("task".into()))
    }
}

/// The distributions whose repositories the caller may pull through the registry (`None`:
/// all): the public ones, and those with a pull permission on the distribution or its
/// namespace.
pub fn pull_scope(c: &Caller) -> Option<DistScope> {
    if c.global(perm::PULL_DIST) || c.global(perm::NS_PULL_DIST) {
        return None;
    }
    Some(DistScope {
        distributions: c.objects_with(
            ObjectType::Distribution,
            &[perm::PULL_DIST, perm::PUSH_DIST],
        ),
        namespaces: c.objects_with(
            ObjectType::Namespace,
            &[perm::NS_PULL_DIST, perm::NS_PUSH_DIST],
        ),
        granted_only: false,
    })
}
