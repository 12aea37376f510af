//! The content lists' queries (blobs, manifests, tags aliased `x`).
use super::super::criteria::{Criteria, Op};
use super::super::placeholders;
use super::content_visible;
use crate::domain::content::ContentKind;
use crate::domain::query::{ContentFilter, ContentOrder, ListQuery, VersionRef};
use sea_orm::Value;

/// Content `x` in `v`'s repository whose membership meets `cond` (the version number's
/// placeholders follow the repository's).
fn membership(c: &mut Criteria, v: &VersionRef, cond: &str, numbers: usize) {
    let mut values: Vec<Value> = vec![v.repository.into()];
    values.extend(std::iter::repeat_n(Value::from(v.number), numbers));
    c.sql(
        format!("x.id IN (SELECT rc.content_id FROM repository_content rc WHERE rc.repository_id = ? AND {cond})"),
        values,
    );
}

/// Tags `x` whose manifest's `col` is one of `values`.
fn tagged(c: &mut Criteria, col: &str, values: &[String]) {
    if values.is_empty() {
        return c.nothing();
    }
    c.sql(
        format!(
            "x.manifest_id IN (SELECT id FROM manifests WHERE {col} IN ({}))",
            placeholders(values.len())
        ),
        values.iter().map(|s| Value::from(s.clone())).collect(),
    );
}

/// The query of a content list of `kind`.
pub fn content(q: &ListQuery<ContentFilter, ContentOrder>, kind: ContentKind) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            ContentFilter::Id(id) => c.push("x.id", Op::Eq((*id).into())),
            ContentFilter::IdIn(ids) => c.any_of("x.id", ids),
            ContentFilter::InVersion(v) => membership(
                &mut c,
                v,
                "rc.version_added <= ? AND (rc.version_removed IS NULL OR rc.version_removed > ?)",
                2,
            ),
            ContentFilter::AddedIn(v) => membership(&mut c, v, "rc.version_added = ?", 1),
            ContentFilter::RemovedIn(v) => membership(&mut c, v, "rc.version_removed = ?", 1),
            ContentFilter::OrphanedSince(cutoff) => {
                let (sql, values) = super::super::orphans::condition(kind, *cutoff);
                c.sql(sql, values);
            }
            ContentFilter::Visible(scope) => {
                let (sql, values) = content_visible(scope.as_ref());
                c.sql(sql, values);
            }
            ContentFilter::Digest(d) => c.any_of("x.digest", d),
            ContentFilter::MediaType(m) => c.any_of("x.media_type", m),
            ContentFilter::Name(t) => c.text("x.name", t),
            ContentFilter::TaggedDigest(d) => tagged(&mut c, "digest", d),
            ContentFilter::TaggedMediaType(m) => tagged(&mut c, "media_type", m),
            ContentFilter::Nothing => c.nothing(),
        }
    }
    c.order(
        &q.order,
        |o| match o {
            ContentOrder::Created => "x.created_at",
            ContentOrder::Id => "x.id",
            ContentOrder::Digest => "x.digest",
            ContentOrder::Name => "x.name",
        },
        &["x.created_at DESC", "x.id"],
    );
    c.page(q.page);
    c
}
