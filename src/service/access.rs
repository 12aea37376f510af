//! Access checks for the management API, applied by handlers before they act: fetch an object
//! the caller may see (else 404) and holds a permission on (else 403), and the SQL conditions
//! that scope every list to what the caller may see. Superusers see and may do everything.
use crate::domain::permissions::{self as perm, ObjectType};
use crate::error::{Error, Result};
use crate::repo::criteria::{Criteria, Op};
use crate::repo::distributions::{self, DistributionRow};
use crate::repo::namespaces::NamespaceRow;
use crate::repo::push_repos::PushRepoRow;
use crate::repo::{placeholders, Db};
use crate::service::policy::{self, on_distribution, sees_distribution, sees_namespace, Caller};
use sea_orm::Value;
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
        RepoAction::View => true,
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

/// `col IN (…)` over `ids`, or a condition matching nothing.
fn in_ids(col: &str, ids: &[Uuid]) -> (String, Vec<Value>) {
    if ids.is_empty() {
        return ("1 = 0".into(), vec![]);
    }
    (
        format!("{col} IN ({})", placeholders(ids.len())),
        ids.iter().map(|u| (*u).into()).collect(),
    )
}

/// Restricts a namespace list (alias `n`) to what the caller sees.
pub fn scope_namespaces(c: &Caller, crit: &mut Criteria) {
    if c.global(perm::VIEW_NAMESPACE) {
        return;
    }
    let (sql, v) = in_ids(
        "n.id",
        &c.objects_with(ObjectType::Namespace, &[perm::VIEW_NAMESPACE]),
    );
    crit.push("", Op::Sql(sql, v));
}

/// The condition on distributions aliased `alias` that the caller sees (`None`: all of them).
pub fn visible_distributions(c: &Caller, alias: &str) -> Option<(String, Vec<Value>)> {
    if c.global(perm::VIEW_DIST) || c.global(perm::NS_VIEW_DIST) || c.global(perm::VIEW_NAMESPACE) {
        return None;
    }
    let dists = c.objects_with(ObjectType::Distribution, &[perm::VIEW_DIST]);
    let nss = c.objects_with(
        ObjectType::Namespace,
        &[perm::VIEW_NAMESPACE, perm::NS_VIEW_DIST],
    );
    let (a, mut va) = in_ids(&format!("{alias}.id"), &dists);
    let (b, vb) = in_ids(&format!("{alias}.namespace_id"), &nss);
    va.extend(vb);
    let mut values = vec![false.into()];
    values.extend(va);
    Some((format!("({alias}.private = ? OR {a} OR {b})"), values))
}

/// Restricts a distribution list (alias `d`) to what the caller sees.
pub fn scope_distributions(c: &Caller, crit: &mut Criteria) {
    if let Some((sql, v)) = visible_distributions(c, "d") {
        crit.push("", Op::Sql(sql, v));
    }
}

/// The condition "`col` is a repository the caller sees" (`None`: all of them).
pub fn visible_repositories(c: &Caller, col: &str) -> Option<(String, Vec<Value>)> {
    let (dist_cond, mut values) = visible_distributions(c, "vd")?;
    let nss = c.objects_with(
        ObjectType::Namespace,
        &[perm::VIEW_NAMESPACE, perm::NS_VIEW_PUSH_REPO],
    );
    let (ns_cond, nv) = in_ids("vr.namespace_id", &nss);
    values.extend(nv);
    Some((
        format!(
            "({col} IN (SELECT vd.repository_id FROM distributions vd WHERE {dist_cond}) \
             OR {col} IN (SELECT vr.id FROM repositories vr WHERE {ns_cond}))"
        ),
        values,
    ))
}

/// Restricts a list to rows whose repository column `col` the caller sees.
pub fn scope_repositories(c: &Caller, crit: &mut Criteria, col: &str) {
    if let Some((sql, v)) = visible_repositories(c, col) {
        crit.push("", Op::Sql(sql, v));
    }
}

/// Restricts a content list (content id column `col`) to content in repositories the caller
/// sees; content in no repository is visible to superusers only.
pub fn scope_content(c: &Caller, crit: &mut Criteria, col: &str) {
    if c.is_admin() {
        return;
    }
    let (repo_cond, v) =
        visible_repositories(c, "rc.repository_id").unwrap_or_else(|| ("1 = 1".into(), vec![]));
    crit.push(
        "",
        Op::Sql(
            format!("{col} IN (SELECT rc.content_id FROM repository_content rc WHERE {repo_cond})"),
            v,
        ),
    );
}

/// Restricts a task list (alias `t`) to the caller's own tasks unless they are a superuser.
pub fn scope_tasks(c: &Caller, crit: &mut Criteria) {
    if c.is_admin() {
        return;
    }
    crit.push(
        "t.created_by",
        Op::Eq(c.user_id().unwrap_or_default().into()),
    );
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

/// The condition on `repositories r` matching repositories the caller may pull through the
/// registry (`None`: all of them): behind a public distribution, or with a pull permission on
/// the distribution or its namespace.
pub fn pullable_repositories(c: &Caller) -> Option<(String, Vec<Value>)> {
    if c.global(perm::PULL_DIST) || c.global(perm::NS_PULL_DIST) {
        return None;
    }
    let dists = c.objects_with(
        ObjectType::Distribution,
        &[perm::PULL_DIST, perm::PUSH_DIST],
    );
    let nss = c.objects_with(
        ObjectType::Namespace,
        &[perm::NS_PULL_DIST, perm::NS_PUSH_DIST],
    );
    let (a, va) = in_ids("pd.id", &dists);
    let (b, vb) = in_ids("pd.namespace_id", &nss);
    let mut values: Vec<Value> = vec![false.into()];
    values.extend(va);
    values.extend(vb);
    Some((
        format!(
            "r.id IN (SELECT pd.repository_id FROM distributions pd WHERE pd.private = ? OR {a} OR {b})"
        ),
        values,
    ))
}
