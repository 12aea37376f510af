//! Each list's typed query (`domain::query`) as [`Criteria`]: the resource's filters as
//! conditions on its table alias, its orderings as columns, and the visibility scopes as
//! subqueries. The list functions of the resource modules run the result.
mod admin;
mod content;
#[cfg(test)]
mod tests;

pub use admin::{assignments, roles, tasks, users};
pub use content::content;

use super::criteria::Criteria;
use super::placeholders;
use crate::domain::query::*;
use sea_orm::Value;
use uuid::Uuid;

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

/// The condition on distributions aliased `alias` that are in `scope`.
pub(crate) fn distributions_in(scope: &DistScope, alias: &str) -> (String, Vec<Value>) {
    let (a, va) = in_ids(&format!("{alias}.id"), &scope.distributions);
    let (b, vb) = in_ids(&format!("{alias}.namespace_id"), &scope.namespaces);
    if scope.granted_only {
        return (format!("({a} OR {b})"), va.into_iter().chain(vb).collect());
    }
    let mut values = vec![false.into()];
    values.extend(va);
    values.extend(vb);
    (format!("({alias}.private = ? OR {a} OR {b})"), values)
}

/// The repository distribution `alias` serves: its `repository`, else the repository of the
/// version it pins (`repository_version`).
fn served_repository(alias: &str) -> String {
    format!(
        "COALESCE({alias}.repository_id, (SELECT sv.repository_id FROM repository_versions sv \
         WHERE sv.id = {alias}.repository_version_id))"
    )
}

/// The condition "`col` is a repository in `scope`".
pub(crate) fn repositories_in(scope: &RepoScope, col: &str) -> (String, Vec<Value>) {
    let (dist_cond, mut values) = distributions_in(&scope.served, "vd");
    let (ns_cond, nv) = in_ids("vr.namespace_id", &scope.namespaces);
    values.extend(nv);
    let plain = match &scope.plain {
        PlainScope::Granted(ids) if ids.is_empty() => String::new(),
        PlainScope::Granted(ids) => {
            let (cond, pv) = in_ids(col, ids);
            values.extend(pv);
            format!(" OR {cond}")
        }
        PlainScope::All => {
            format!(
                " OR {col} IN (SELECT pr.id FROM repositories pr WHERE pr.namespace_id IS NULL)"
            )
        }
    };
    (
        format!(
            "({col} IN (SELECT {} FROM distributions vd WHERE {dist_cond}) \
             OR {col} IN (SELECT vr.id FROM repositories vr WHERE {ns_cond}){plain})",
            served_repository("vd")
        ),
        values,
    )
}

pub fn namespaces(q: &ListQuery<NamespaceFilter, NamespaceOrder>) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            NamespaceFilter::Visible(ids) => {
                let (sql, v) = in_ids("n.id", ids);
                c.sql(sql, v);
            }
            NamespaceFilter::Name(t) => c.text("n.name", t),
            NamespaceFilter::IdIn(ids) => c.any_of("n.id", ids),
            NamespaceFilter::Label(l) => c.label("n.pulp_labels", l),
        }
    }
    c.order(
        &q.order,
        |o| match o {
            NamespaceOrder::Name => "n.name",
            NamespaceOrder::Created => "n.created_at",
            NamespaceOrder::Updated => "n.updated_at",
            NamespaceOrder::Id => "n.id",
        },
        &["n.name"],
    );
    c.page(q.page);
    c
}

pub fn distributions(q: &ListQuery<DistributionFilter, DistributionOrder>) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            DistributionFilter::Visible(s) => {
                let (sql, v) = distributions_in(s, "d");
                c.sql(sql, v);
            }
            DistributionFilter::Name(t) => c.text("d.name", t),
            DistributionFilter::BasePath(t) => c.text("d.base_path", t),
            DistributionFilter::IdIn(ids) => c.any_of("d.id", ids),
            DistributionFilter::Label(l) => c.label("d.pulp_labels", l),
            DistributionFilter::RepositoryIn(ids) => c.any_of("d.repository_id", ids),
            DistributionFilter::NamespaceName(n) => c.sql(
                "d.namespace_id IN (SELECT id FROM namespaces WHERE name = ?)",
                vec![n.clone().into()],
            ),
            // As Pulp's: the content of the version each distribution serves (the latest, or
            // the one it pins).
            DistributionFilter::WithContent(id) => c.sql(
                "(d.repository_id IN (SELECT repository_id FROM repository_content WHERE content_id = ? \
                 AND version_removed IS NULL) OR d.repository_version_id IN (SELECT wv.id FROM \
                 repository_versions wv JOIN repository_content rc ON rc.repository_id = wv.repository_id \
                 WHERE rc.content_id = ? AND rc.version_added <= wv.number \
                 AND (rc.version_removed IS NULL OR rc.version_removed > wv.number)))",
                vec![(*id).into(), (*id).into()],
            ),
        }
    }
    c.order(
        &q.order,
        |o| match o {
            DistributionOrder::Name => "d.name",
            DistributionOrder::BasePath => "d.base_path",
            DistributionOrder::Hidden => "d.hidden",
            DistributionOrder::Private => "d.private",
            DistributionOrder::Description => "d.description",
            DistributionOrder::Created => "d.created_at",
            DistributionOrder::Updated => "d.updated_at",
            DistributionOrder::Id => "d.id",
        },
        &["d.name"],
    );
    c.page(q.page);
    c
}

pub fn repositories(q: &ListQuery<RepositoryFilter, RepositoryOrder>) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            RepositoryFilter::Visible(s) => {
                let (sql, v) = repositories_in(s, "r.id");
                c.sql(sql, v);
            }
            RepositoryFilter::Name(t) => c.text("r.name", t),
            RepositoryFilter::IdIn(ids) => c.any_of("r.id", ids),
            RepositoryFilter::Label(l) => c.label("r.pulp_labels", l),
            RepositoryFilter::RetainRepoVersions(n) => c.cmp("r.retain_repo_versions", n),
            RepositoryFilter::WithContent { content, latest } => {
                let cond = if *latest {
                    " AND version_removed IS NULL"
                } else {
                    ""
                };
                c.sql(
                    format!("r.id IN (SELECT repository_id FROM repository_content WHERE content_id = ?{cond})"),
                    vec![(*content).into()],
                );
            }
            RepositoryFilter::Nothing => c.nothing(),
            RepositoryFilter::Container(true) => c.sql("r.namespace_id IS NULL", vec![]),
            RepositoryFilter::Container(false) => c.sql("r.namespace_id IS NOT NULL", vec![]),
        }
    }
    c.order(
        &q.order,
        |o| match o {
            RepositoryOrder::Name => "r.name",
            RepositoryOrder::Created => "r.created_at",
            RepositoryOrder::Updated => "r.updated_at",
            RepositoryOrder::Description => "r.description",
            RepositoryOrder::RetainRepoVersions => "r.retain_repo_versions",
            RepositoryOrder::Id => "r.id",
        },
        &["r.name"],
    );
    c.page(q.page);
    c
}

/// Version `v` holds content `?`.
const HOLDS_CONTENT: &str = "EXISTS (SELECT 1 FROM repository_content rc WHERE rc.repository_id = v.repository_id \
     AND rc.content_id = ? AND rc.version_added <= v.number AND (rc.version_removed IS NULL OR rc.version_removed > v.number))";

pub fn versions(q: &ListQuery<VersionFilter, VersionOrder>) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            VersionFilter::Repository(id) => {
                c.push("v.repository_id", super::criteria::Op::Eq((*id).into()))
            }
            VersionFilter::Visible(s) => {
                let (sql, v) = repositories_in(s, "v.repository_id");
                c.sql(sql, v);
            }
            VersionFilter::Number(n) => c.cmp("v.number", n),
            VersionFilter::IdIn(ids) => c.any_of("v.id", ids),
            VersionFilter::ContentIn(ids) if ids.is_empty() => c.nothing(),
            VersionFilter::ContentIn(ids) => c.sql(
                vec![HOLDS_CONTENT; ids.len()].join(" OR "),
                ids.iter().map(|u| (*u).into()).collect(),
            ),
        }
    }
    c.order(
        &q.order,
        |o| match o {
            VersionOrder::Number => "v.number",
            VersionOrder::Created => "v.created_at",
            VersionOrder::Id => "v.id",
        },
        &["v.number DESC", "v.created_at DESC"],
    );
    c.page(q.page);
    c
}

/// The condition on `repositories r` "served by a distribution in `scope`" (the repositories
/// a caller may pull), with its values.
pub fn pullable(scope: &DistScope) -> (String, Vec<Value>) {
    let (cond, values) = distributions_in(scope, "pd");
    (
        format!(
            "r.id IN (SELECT {} FROM distributions pd WHERE {cond})",
            served_repository("pd")
        ),
        values,
    )
}

/// Content `x` in a repository of `scope` (`None`: in any repository).
fn content_visible(scope: Option<&RepoScope>) -> (String, Vec<Value>) {
    let (repo_cond, v) = match scope {
        Some(s) => repositories_in(s, "rc.repository_id"),
        None => ("1 = 1".into(), vec![]),
    };
    (
        format!("x.id IN (SELECT rc.content_id FROM repository_content rc WHERE {repo_cond})"),
        v,
    )
}
