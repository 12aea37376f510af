//! Read-only content: `/pulp/api/v3/content/container/{blobs,manifests,tags}/`, with the
//! version filters (`repository_version`, `_added`, `_removed`), digests, names, media types and
//! `orphaned_for`.
use super::caller::Authenticated;
use super::common::{self, object, paginated, Params};
use super::content_views::{BlobResponse, ManifestResponse, TagResponse};
use super::errors::PulpResult;
use super::filters;
use crate::domain::content::ContentKind;
use crate::domain::hrefs;
use crate::domain::query::{ContentFilter as F, ContentOrder as O, Text, VersionRef};
use crate::error::Error;
use crate::service::lists::{self as q, ContentQuery};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use uuid::Uuid;

/// The id in a content href or PRN of any container content type.
pub fn content_id(href: &str) -> Option<Uuid> {
    hrefs::content_id(href).map(|(_, id)| id)
}

/// `(repository, number)` of a version href `/pulp/api/v3/repositories/container/container-push/<id>/versions/<n>/`
/// (or of a plain container repository, `…/container/container/<id>/versions/<n>/`).
pub fn version_ref(href: &str) -> Option<(Uuid, i64)> {
    let rest = href
        .strip_prefix(super::repositories::PREFIX)
        .or_else(|| href.strip_prefix(hrefs::CONTAINER_REPOSITORIES))?;
    let (id, rest) = rest.split_once("/versions/")?;
    let n = rest.strip_suffix('/')?.parse().ok()?;
    Some((Uuid::parse_str(id).ok()?, n))
}

fn version_filters(p: &Params, query: &mut ContentQuery, orphan_default: i64) -> Result<(), Error> {
    type Make = fn(VersionRef) -> F;
    let keys: [(&str, Make); 3] = [
        ("repository_version", F::InVersion),
        ("repository_version_added", F::AddedIn),
        ("repository_version_removed", F::RemovedIn),
    ];
    for (key, make) in keys {
        if let Some(href) = p.get(key) {
            let (repository, number) = version_ref(href)
                .ok_or_else(|| Error::field(key, "Invalid hyperlink - Object does not exist."))?;
            query.push(make(VersionRef { repository, number }));
        }
    }
    if let Some(minutes) = p.int("orphaned_for")? {
        let minutes = if minutes < 0 { orphan_default } else { minutes };
        let cutoff = crate::domain::clock::minutes_before(chrono::Utc::now(), minutes);
        query.push(F::OrphanedSince(cutoff));
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
/// Filters of the list of `kind` besides [`COMMON`].
pub fn filters_of(kind: ContentKind) -> &'static [&'static str] {
    match kind {
        ContentKind::Blob => BLOB_FILTERS,
        ContentKind::Manifest => MANIFEST_FILTERS,
        ContentKind::Tag => TAG_FILTERS,
    }
}
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

fn prepare(req: &HttpRequest, kind: ContentKind) -> Result<(Params, ContentQuery), Error> {
    let p = Params::from(req);
    let mut allowed = COMMON.to_vec();
    allowed.extend_from_slice(filters_of(kind));
    p.check(&allowed)?;
    let mut query = ContentQuery::default();
    let ids = filters::ids(&p, hrefs::content_list(kind), kind.model())?;
    query.filters.extend(ids.into_iter().map(F::IdIn));
    version_filters(&p, &mut query, 1440)?;
    Ok((p, query))
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

fn digests(p: &Params, query: &mut ContentQuery) {
    if let Some(d) = p.get("digest") {
        query.push(F::Digest(d.split(',').map(String::from).collect()));
    }
    if let Some(list) = p.list("digest__in") {
        query.push(F::Digest(list));
    }
}

fn media_types(p: &Params) -> Vec<String> {
    p.0.iter()
        .filter(|(k, _)| k == "media_type")
        .flat_map(|(_, v)| v.split(',').map(String::from).collect::<Vec<_>>())
        .collect()
}

fn order(p: &Params, query: &mut ContentQuery, extra: &[(&str, O)]) -> Result<(), Error> {
    let mut allowed = vec![
        ("pulp_created", O::Created),
        ("pk", O::Id),
        ("pulp_id", O::Id),
    ];
    allowed.extend_from_slice(extra);
    query.order = filters::ordering(p, &allowed)?;
    query.page = filters::page(p);
    Ok(())
}

pub async fn blobs(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let (p, mut query) = prepare(&req, ContentKind::Blob)?;
    digests(&p, &mut query);
    order(&p, &mut query, &[("digest", O::Digest)])?;
    let (n, rows) = q::blobs(&st.db, &c, query).await?;
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
    let (p, mut query) = prepare(&req, ContentKind::Manifest)?;
    digests(&p, &mut query);
    let mts = media_types(&p);
    if !mts.is_empty() {
        query.push(F::MediaType(mts));
    }
    if p.bool("is_bootable")? == Some(true) || p.bool("is_flatpak")? == Some(true) {
        query.push(F::Nothing);
    }
    order(&p, &mut query, &[("digest", O::Digest)])?;
    let (n, rows) = q::manifests(&st.db, &c, query).await?;
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
    let (p, mut query) = prepare(&req, ContentKind::Tag)?;
    if let Some(n) = p.get("name") {
        query.push(F::Name(Text::Eq(n.to_string())));
    }
    if let Some(list) = p.list("name__in") {
        query.push(F::Name(Text::In(list)));
    }
    if let Some(d) = p.get("digest") {
        query.push(F::TaggedDigest(d.split(',').map(String::from).collect()));
    }
    let mts: Vec<String> =
        p.0.iter()
            .filter(|(k, _)| k == "media_type")
            .map(|(_, v)| v.clone())
            .collect();
    if !mts.is_empty() {
        query.push(F::TaggedMediaType(mts));
    }
    order(&p, &mut query, &[("name", O::Name)])?;
    let (n, rows) = q::tags(&st.db, &c, query).await?;
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
    let Some(kind) = ContentKind::from_plural(&kind) else {
        return Err(Error::NotFound("content".into()).into());
    };
    let one = || ContentQuery::filtered(vec![F::Id(id)]);
    let db = &st.db;
    let found = match kind {
        ContentKind::Blob => q::blobs(db, &c, one()).await?.1.first().map(render_blob),
        ContentKind::Manifest => q::manifests(db, &c, one())
            .await?
            .1
            .first()
            .map(render_manifest),
        ContentKind::Tag => q::tags(db, &c, one()).await?.1.first().map(render_tag),
    };
    let v = found.ok_or_else(|| Error::NotFound("content".into()))?;
    Ok(object(&Params::from(&req), v))
}
