//! Read-only content: `/pulp/api/v3/content/container/{blobs,manifests,tags}/`, with the
//! version filters (`repository_version`, `_added`, `_removed`), digests, names, media types and
//! `orphaned_for`.
use super::caller::Authenticated;
use super::common::{self, object, paginated, Params};
use super::content_views::{BlobResponse, ManifestResponse, TagResponse};
use super::errors::PulpResult;
use super::filters;
use crate::domain::hrefs;
use crate::error::Error;
use crate::repo::content_list as q;
use crate::repo::criteria::{Criteria, Op};
use crate::service::access;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use sea_orm::Value as SqlValue;
use serde_json::Value;
use uuid::Uuid;

const CONTENT: &str = "/pulp/api/v3/content/container/";

/// The id in a content href or PRN of any container content type.
pub fn content_id(href: &str) -> Option<Uuid> {
    for kind in ["blob", "manifest", "tag"] {
        let prefix = format!("{CONTENT}{kind}s/");
        if let Some(id) = hrefs::parse_id(href, &prefix, &format!("container.{kind}")) {
            return Some(id);
        }
    }
    None
}

/// `(repository, number)` of a version href `/pulp/api/v3/repositories/container/container-push/<id>/versions/<n>/`.
pub fn version_ref(href: &str) -> Option<(Uuid, i64)> {
    let rest = href.strip_prefix(super::repositories::PREFIX)?;
    let (id, rest) = rest.split_once("/versions/")?;
    let n = rest.strip_suffix('/')?.parse().ok()?;
    Some((Uuid::parse_str(id).ok()?, n))
}

fn version_filters(
    p: &Params,
    crit: &mut Criteria,
    kind: &str,
    orphan_default: i64,
) -> Result<(), Error> {
    for (key, cond) in [
        (
            "repository_version",
            "rc.version_added <= ? AND (rc.version_removed IS NULL OR rc.version_removed > ?)",
        ),
        ("repository_version_added", "rc.version_added = ? AND 0 = ?"),
        (
            "repository_version_removed",
            "rc.version_removed = ? AND 0 = ?",
        ),
    ] {
        if let Some(href) = p.get(key) {
            let (repo, n) = version_ref(href)
                .ok_or_else(|| Error::field(key, "Invalid hyperlink - Object does not exist."))?;
            let second: i64 = if key == "repository_version" { n } else { 0 };
            crit.push(
                "",
                Op::Sql(
                    format!("x.id IN (SELECT rc.content_id FROM repository_content rc WHERE rc.repository_id = ? AND {cond})"),
                    vec![repo.into(), n.into(), second.into()],
                ),
            );
        }
    }
    if let Some(minutes) = p.int("orphaned_for")? {
        let minutes = if minutes < 0 { orphan_default } else { minutes };
        let cutoff = crate::domain::clock::minutes_before(chrono::Utc::now(), minutes);
        let (sql, values) = crate::repo::orphans::condition(kind, cutoff);
        crit.push("", Op::Sql(sql, values));
    }
    Ok(())
}

/// Filters of blob lists besides [`COMMON`].
pub const BLOB_FILTERS: &[&str] = &["digest", "digest__in"];
/// Filters of manifest lists besides [`COMMON`].
pub const MANIFEST_FILTERS: &[&str] = &[
    "digest",
    "digest__in",
    "media_type",
    "is_bootable",
    "is_flatpak",
];
/// Filters of tag lists besides [`COMMON`].
pub const TAG_FILTERS: &[&str] = &["name", "name__in", "digest", "media_type"];
/// Filters of every content list.
pub const COMMON: &[&str] = &[
    "repository_version",
    "repository_version_added",
    "repository_version_removed",
    "orphaned_for",
    "pulp_id__in",
    "pulp_href__in",
    "prn__in",
];

fn prepare(req: &HttpRequest, kind: &str, extra: &[&str]) -> Result<(Params, Criteria), Error> {
    let p = Params::from(req);
    let mut allowed = COMMON.to_vec();
    allowed.extend_from_slice(extra);
    p.check(&allowed)?;
    let mut crit = Criteria::default();
    filters::ids(
        &p,
        &mut crit,
        "x.id",
        &format!("{CONTENT}{kind}s/"),
        &format!("container.{kind}"),
    )?;
    version_filters(&p, &mut crit, kind, 1440)?;
    Ok((p, crit))
}

fn render_blob(b: &q::BlobUnit) -> Value {
    common::view(&BlobResponse::from(b))
}

fn render_manifest(u: &q::ManifestUnit) -> Value {
    common::view(&ManifestResponse::from(u))
}

fn render_tag(t: &q::TagUnit) -> Value {
    common::view(&TagResponse::from(t))
}

fn digests(p: &Params, crit: &mut Criteria, col: &str) {
    if let Some(d) = p.get("digest") {
        crit.push(
            col,
            Op::In(
                d.split(',')
                    .map(|s| SqlValue::from(s.to_string()))
                    .collect(),
            ),
        );
    }
    if let Some(list) = p.list("digest__in") {
        crit.push(col, Op::In(list.into_iter().map(SqlValue::from).collect()));
    }
}

fn media_types(p: &Params, crit: &mut Criteria, col: &str) {
    let v: Vec<SqlValue> =
        p.0.iter()
            .filter(|(k, _)| k == "media_type")
            .flat_map(|(_, v)| {
                v.split(',')
                    .map(|s| SqlValue::from(s.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect();
    if !v.is_empty() {
        crit.push(col, Op::In(v));
    }
}

fn order(p: &Params, crit: &mut Criteria, extra: &[(&str, &str)]) -> Result<(), Error> {
    let mut allowed = vec![
        ("pulp_created", "x.created_at"),
        ("pk", "x.id"),
        ("pulp_id", "x.id"),
    ];
    allowed.extend_from_slice(extra);
    filters::ordering(p, crit, &allowed, &["x.created_at DESC", "x.id"])?;
    filters::paginate(p, crit);
    Ok(())
}

pub async fn blobs(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let (p, mut crit) = prepare(&req, "blob", BLOB_FILTERS)?;
    access::scope_content(&c, &mut crit, "x.id");
    digests(&p, &mut crit, "x.digest");
    order(&p, &mut crit, &[("digest", "x.digest")])?;
    let (n, rows) = q::blobs(&st.db.conn, &crit).await.map_err(Error::from)?;
    Ok(paginated(
        &req,
        &p,
        n,
        rows.iter().map(render_blob).collect(),
    ))
}

pub async fn manifests(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let (p, mut crit) = prepare(&req, "manifest", MANIFEST_FILTERS)?;
    access::scope_content(&c, &mut crit, "x.id");
    digests(&p, &mut crit, "x.digest");
    media_types(&p, &mut crit, "x.media_type");
    if p.bool("is_bootable")? == Some(true) || p.bool("is_flatpak")? == Some(true) {
        crit.push("", Op::Sql("1 = 0".into(), vec![]));
    }
    order(&p, &mut crit, &[("digest", "x.digest")])?;
    let (n, rows) = q::manifests(&st.db.conn, &crit)
        .await
        .map_err(Error::from)?;
    Ok(paginated(
        &req,
        &p,
        n,
        rows.iter().map(render_manifest).collect(),
    ))
}

pub async fn tags(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let (p, mut crit) = prepare(&req, "tag", TAG_FILTERS)?;
    access::scope_content(&c, &mut crit, "x.id");
    if let Some(n) = p.get("name") {
        crit.push("x.name", Op::Eq(n.into()));
    }
    if let Some(list) = p.list("name__in") {
        crit.push(
            "x.name",
            Op::In(list.into_iter().map(SqlValue::from).collect()),
        );
    }
    if let Some(d) = p.get("digest") {
        let vals: Vec<SqlValue> = d
            .split(',')
            .map(|s| SqlValue::from(s.to_string()))
            .collect();
        let sql = format!(
            "x.manifest_id IN (SELECT id FROM manifests WHERE digest IN ({}))",
            crate::repo::placeholders(vals.len())
        );
        crit.push("", Op::Sql(sql, vals));
    }
    let mts: Vec<SqlValue> =
        p.0.iter()
            .filter(|(k, _)| k == "media_type")
            .map(|(_, v)| SqlValue::from(v.clone()))
            .collect();
    if !mts.is_empty() {
        let sql = format!(
            "x.manifest_id IN (SELECT id FROM manifests WHERE media_type IN ({}))",
            crate::repo::placeholders(mts.len())
        );
        crit.push("", Op::Sql(sql, mts));
    }
    order(&p, &mut crit, &[("name", "x.name")])?;
    let (n, rows) = q::tags(&st.db.conn, &crit).await.map_err(Error::from)?;
    Ok(paginated(
        &req,
        &p,
        n,
        rows.iter().map(render_tag).collect(),
    ))
}

/// `GET …/{kind}s/{id}/`: one unit, through the same list query.
pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let (kind, id) = path.into_inner();
    let mut crit = Criteria::default();
    crit.push("x.id", Op::Eq(id.into()));
    access::scope_content(&c, &mut crit, "x.id");
    let db = &st.db.conn;
    let found = match kind.as_str() {
        "blobs" => q::blobs(db, &crit)
            .await
            .map_err(Error::from)?
            .1
            .first()
            .map(render_blob),
        "manifests" => q::manifests(db, &crit)
            .await
            .map_err(Error::from)?
            .1
            .first()
            .map(render_manifest),
        "tags" => q::tags(db, &crit)
            .await
            .map_err(Error::from)?
            .1
            .first()
            .map(render_tag),
        _ => None,
    };
    let v = found.ok_or_else(|| Error::NotFound("content".into()))?;
    Ok(object(&Params::from(&req), v))
}
