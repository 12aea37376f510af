//! Read-only content: `/pulp/api/v3/content/container/{blobs,manifests,tags}/`, with the
//! version filters (`repository_version`, `_added`, `_removed`), digests, names, media types and
//! `orphaned_for`.
use super::common::{self, object, paginated, Params};
use super::errors::PulpResult;
use super::filters;
use crate::domain::content::ContentKind;
use crate::domain::hrefs;
use crate::domain::query::{ContentFilter as F, ContentOrder as O, Text, VersionRef};
use crate::error::Error;
use crate::service::lists::{self as q, ContentQuery};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use uuid::Uuid;

/// The id in a content href or PRN of any container content type.
pub fn content_id(href: &str) -> Option<Uuid> {
    hrefs::content_id(href).map(|(_, id)| id)
}

/// `(repository, number)` of a version href `/pulp/api/v3/repositories/container/container-push/<id>/versions/<n>/`.
pub fn version_ref(href: &str) -> Option<(Uuid, i64)> {
    let rest = href.strip_prefix(super::repositories::PREFIX)?;
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

fn base(
    kind: ContentKind,
    id: Uuid,
    created: chrono::DateTime<chrono::Utc>,
) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("pulp_href".into(), hrefs::content(kind, id).into());
    m.insert("prn".into(), hrefs::prn(kind.model(), id).into());
    m.insert("pulp_created".into(), hrefs::timestamp(created).into());
    m.insert("pulp_last_updated".into(), hrefs::timestamp(created).into());
    m.insert("pulp_labels".into(), json!({}));
    m.insert("vuln_report".into(), Value::Null);
    m
}

fn render_blob(b: &q::BlobUnit) -> Value {
    let mut m = base(ContentKind::Blob, b.id, b.created_at);
    m.insert("artifact".into(), Value::Null);
    m.insert("digest".into(), b.digest.clone().into());
    Value::Object(m)
}

fn render_manifest(u: &q::ManifestUnit) -> Value {
    let mut m = base(ContentKind::Manifest, u.id, u.created_at);
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or_else(|_| json!({}));
    m.insert("digest".into(), u.digest.clone().into());
    m.insert("schema_version".into(), u.schema_version.into());
    m.insert("media_type".into(), u.media_type.clone().into());
    m.insert(
        "listed_manifests".into(),
        u.listed
            .iter()
            .map(|i| Value::from(hrefs::content(ContentKind::Manifest, *i)))
            .collect(),
    );
    m.insert(
        "config_blob".into(),
        u.config_blob_id
            .map(|i| hrefs::content(ContentKind::Blob, i))
            .into(),
    );
    m.insert(
        "blobs".into(),
        u.blobs
            .iter()
            .map(|i| Value::from(hrefs::content(ContentKind::Blob, *i)))
            .collect(),
    );
    m.insert("annotations".into(), parse(&u.annotations));
    m.insert("labels".into(), parse(&u.labels));
    m.insert("is_bootable".into(), false.into());
    m.insert("is_flatpak".into(), false.into());
    m.insert("type".into(), u.kind.clone().into());
    m.insert("architecture".into(), u.architecture.clone().into());
    m.insert("os".into(), u.os.clone().into());
    m.insert("compressed_image_size".into(), u.compressed_size.into());
    Value::Object(m)
}

fn render_tag(t: &q::TagUnit) -> Value {
    let mut m = base(ContentKind::Tag, t.id, t.created_at);
    m.insert("name".into(), t.name.clone().into());
    m.insert(
        "tagged_manifest".into(),
        hrefs::content(ContentKind::Manifest, t.manifest_id).into(),
    );
    Value::Object(m)
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

pub async fn blobs(req: HttpRequest, st: web::Data<AppState>) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
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

pub async fn manifests(req: HttpRequest, st: web::Data<AppState>) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
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

pub async fn tags(req: HttpRequest, st: web::Data<AppState>) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
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
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
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
