//! The management API's lists and the reads built on them: each takes the typed query the
//! api built (`domain::query`), adds the caller's visibility scope and runs it through `repo`.
//! The row types are re-exported for the api's renderers.
use crate::domain::query::*;
use crate::error::{Error, Result};
use crate::repo::{content_list, distributions, namespaces, push_repos, roles, tasks, users, Db};
use crate::service::access::{self, RepoAction};
use crate::service::policy::Caller;
use uuid::Uuid;

pub use crate::repo::content_list::{BlobUnit, ContentQuery, ManifestUnit, TagUnit};
pub use crate::repo::distributions::DistributionRow;
pub use crate::repo::namespaces::NamespaceRow;
pub use crate::repo::push_repos::{PushRepoRow, VersionRow};
pub use crate::repo::roles::{AssignmentRow, RoleRow};
pub use crate::repo::tasks::TaskRow;
pub use crate::repo::users::UserFull;

/// A page of rows and the number of rows on all pages.
pub type Listed<T> = (u64, Vec<T>);

/// `q` with `scope` as its first filter, when there is one.
fn scoped<F, O>(mut q: ListQuery<F, O>, scope: Option<F>) -> ListQuery<F, O> {
    if let Some(f) = scope {
        q.filters.insert(0, f);
    }
    q
}

pub async fn namespaces(
    db: &Db,
    c: &Caller,
    q: ListQuery<NamespaceFilter, NamespaceOrder>,
) -> Result<Listed<NamespaceRow>> {
    let q = scoped(q, access::namespace_scope(c).map(NamespaceFilter::Visible));
    Ok(namespaces::list(&db.conn, &q).await?)
}

pub async fn distributions(
    db: &Db,
    c: &Caller,
    q: ListQuery<DistributionFilter, DistributionOrder>,
) -> Result<Listed<DistributionRow>> {
    let scope = access::distribution_scope(c).map(DistributionFilter::Visible);
    Ok(distributions::list(&db.conn, &scoped(q, scope)).await?)
}

pub async fn repositories(
    db: &Db,
    c: &Caller,
    q: ListQuery<RepositoryFilter, RepositoryOrder>,
) -> Result<Listed<PushRepoRow>> {
    let scope = access::repository_scope(c).map(RepositoryFilter::Visible);
    let q = scoped(q, Some(RepositoryFilter::Container(false)));
    Ok(push_repos::list(&db.conn, &scoped(q, scope)).await?)
}

/// The plain container repositories the caller sees.
pub async fn container_repositories(
    db: &Db,
    c: &Caller,
    q: ListQuery<RepositoryFilter, RepositoryOrder>,
) -> Result<Listed<PushRepoRow>> {
    let q = scoped(q, Some(RepositoryFilter::Container(true)));
    let scope = access::container_repo_scope(c).map(RepositoryFilter::IdIn);
    Ok(push_repos::list(&db.conn, &scoped(q, scope)).await?)
}

/// The versions of plain repository `repository`, which the caller must see.
pub async fn container_version_scope(
    db: &Db,
    c: &Caller,
    repository: Uuid,
) -> Result<VersionScope> {
    access::container_repo(db, c, repository, access::ContainerRepoAction::View).await?;
    Ok(VersionScope(Some(VersionFilter::Repository(repository))))
}

/// Version `number` of plain repository `repository`, which the caller must see.
pub async fn container_version(
    db: &Db,
    c: &Caller,
    repository: Uuid,
    number: i64,
) -> Result<VersionRow> {
    access::container_repo(db, c, repository, access::ContainerRepoAction::View).await?;
    push_repos::version(&db.conn, repository, number)
        .await?
        .ok_or_else(|| Error::NotFound("version".into()))
}

/// The versions a caller may list, from [`version_scope`] (so the check has run).
pub struct VersionScope(Option<VersionFilter>);

/// The versions of `repository` (which the caller must see, 404 otherwise, and may read, 403
/// otherwise), or of every repository they may read (`access::readable_repository_scope`).
pub async fn version_scope(db: &Db, c: &Caller, repository: Option<Uuid>) -> Result<VersionScope> {
    Ok(VersionScope(match repository {
        Some(id) => {
            access::push_repo(db, c, id, RepoAction::View).await?;
            Some(VersionFilter::Repository(id))
        }
        None => access::readable_repository_scope(c).map(VersionFilter::Visible),
    }))
}

pub async fn versions(
    db: &Db,
    scope: VersionScope,
    q: ListQuery<VersionFilter, VersionOrder>,
) -> Result<Listed<VersionRow>> {
    Ok(push_repos::versions(&db.conn, &scoped(q, scope.0)).await?)
}

/// Version `number` of `repository`, which the caller must see.
pub async fn version(db: &Db, c: &Caller, repository: Uuid, number: i64) -> Result<VersionRow> {
    access::push_repo(db, c, repository, RepoAction::View).await?;
    push_repos::version(&db.conn, repository, number)
        .await?
        .ok_or_else(|| Error::NotFound("version".into()))
}

fn content_scoped(c: &Caller, q: ContentQuery) -> ContentQuery {
    let mut q = q;
    if let Some(scope) = access::content_scope(c) {
        // After the filters the api gave, as the caller's scope always was.
        q.filters.push(ContentFilter::Visible(scope));
    }
    q
}

pub async fn blobs(db: &Db, c: &Caller, q: ContentQuery) -> Result<Listed<BlobUnit>> {
    Ok(content_list::blobs(&db.conn, &content_scoped(c, q)).await?)
}

pub async fn manifests(db: &Db, c: &Caller, q: ContentQuery) -> Result<Listed<ManifestUnit>> {
    Ok(content_list::manifests(&db.conn, &content_scoped(c, q)).await?)
}

pub async fn tags(db: &Db, c: &Caller, q: ContentQuery) -> Result<Listed<TagUnit>> {
    Ok(content_list::tags(&db.conn, &content_scoped(c, q)).await?)
}

pub async fn tasks(
    db: &Db,
    c: &Caller,
    q: ListQuery<TaskFilter, TaskOrder>,
) -> Result<Listed<TaskRow>> {
    let mut q = q;
    if let Some(u) = access::task_scope(c) {
        q.filters.push(TaskFilter::CreatedBy(u));
    }
    Ok(tasks::list(&db.conn, &q).await?)
}

/// A task the caller sees (their own, or any for superusers); 404 otherwise.
pub async fn task(db: &Db, c: &Caller, id: Uuid) -> Result<TaskRow> {
    let t = tasks::get(&db.conn, id)
        .await?
        .ok_or_else(|| Error::NotFound("task".into()))?;
    access::task(c, t.created_by)?;
    Ok(t)
}

/// Users (for superusers; the api checks).
pub async fn users(db: &Db, q: ListQuery<UserFilter, UserOrder>) -> Result<Listed<UserFull>> {
    Ok(users::list_full(&db.conn, &q).await?)
}

/// Roles (for superusers; the api checks).
pub async fn roles(db: &Db, q: ListQuery<RoleFilter, RoleOrder>) -> Result<Listed<RoleRow>> {
    Ok(roles::list(&db.conn, &q).await?)
}
