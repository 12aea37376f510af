//! Repository versions: `{repo}versions/` (newest first), `{repo}versions/{number}/`, and
//! `/pulp/api/v3/repository_versions/`. Versions are immutable; deleting push-repository
//! versions is refused as in Pulp.
use super::caller::{Authenticated, SignedIn};
use super::common::{self, object, paginated, Params};
use super::errors::PulpResult;
use super::filters;
use crate::domain::content::ContentKind;
use crate::domain::hrefs;
use crate::domain::query::{ListQuery, VersionFilter as F, VersionOrder as O};
use crate::error::Error;
use crate::service::lists::{self, VersionRow};
use crate::service::policy::Caller;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// Count and list link of one content type in a version summary.
#[derive(ToSchema, serde::Serialize)]
pub struct ContentSummaryEntry {
    count: i64,
    href: String,
}

/// What a version added, removed and holds, per content type (`container.blob`, …).
#[derive(ToSchema, serde::Serialize)]
#[schema(as = ContentSummaryResponse)]
pub struct ContentSummary {
    added: HashMap<String, ContentSummaryEntry>,
    removed: HashMap<String, ContentSummaryEntry>,
    present: HashMap<String, ContentSummaryEntry>,
}

/// An immutable repository version.
#[derive(ToSchema, serde::Serialize)]
#[schema(as = RepositoryVersionResponse)]
pub struct RepositoryVersionResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    number: i64,
    repository: String,
    #[schema(required = true)]
    base_version: Option<String>,
    content_summary: ContentSummary,
    #[schema(required = true)]
    vuln_report: Option<String>,
}

/// `{"added": {"blob": 2}}` → `{"added": {"container.blob": {"count": 2, "href": …}}}`.
fn summary(stored: &str, version_href: &str) -> ContentSummary {
    let parsed: Map<String, Value> = serde_json::from_str(stored).unwrap_or_default();
    let section = |section: &str, filter: &str| {
        let mut m = HashMap::new();
        if let Some(Value::Object(counts)) = parsed.get(section) {
            for (name, n) in counts {
                let Some(kind) = ContentKind::parse(name) else {
                    continue;
                };
                let count = n.as_i64().unwrap_or(0);
                if count == 0 {
                    continue;
                }
                let href = format!("{}?{filter}={version_href}", hrefs::content_list(kind));
                m.insert(kind.model().into(), ContentSummaryEntry { count, href });
            }
        }
        m
    };
    ContentSummary {
        added: section("added", "repository_version_added"),
        removed: section("removed", "repository_version_removed"),
        present: section("present", "repository_version"),
    }
}

impl From<&VersionRow> for RepositoryVersionResponse {
    fn from(v: &VersionRow) -> Self {
        let href = hrefs::any_version(v.repository_id, v.number, v.container);
        let repository = match v.container {
            true => hrefs::container_repository(v.repository_id),
            false => hrefs::push_repository(v.repository_id),
        };
        RepositoryVersionResponse {
            prn: hrefs::prn("core.repositoryversion", v.id),
            pulp_created: hrefs::timestamp(v.created_at),
            pulp_last_updated: hrefs::timestamp(v.created_at),
            number: v.number,
            repository,
            base_version: None,
            content_summary: summary(&v.content_summary, &href),
            vuln_report: None,
            pulp_href: href,
        }
    }
}

pub fn render(v: &VersionRow) -> Value {
    common::view(&RepositoryVersionResponse::from(v))
}

/// The filters this list accepts (also declared in the OpenAPI document).
pub const FILTERS: &[&str] = &[
    "number",
    "number__lt",
    "number__lte",
    "number__gt",
    "number__gte",
    "number__ne",
    "content",
    "content__in",
    "pulp_id__in",
    "pulp_href__in",
    "prn__in",
];

async fn list_inner(
    req: HttpRequest,
    st: web::Data<AppState>,
    c: Caller,
    repo: Option<Uuid>,
) -> PulpResult<HttpResponse> {
    let p = common::list_params(&req, &[FILTERS])?;
    let scope = lists::version_scope(&st.db, &c, repo).await?;
    list_scoped(req, st, p, scope).await
}

async fn list_scoped(
    req: HttpRequest,
    st: web::Data<AppState>,
    p: Params,
    scope: lists::VersionScope,
) -> PulpResult<HttpResponse> {
    let mut q = ListQuery::default();
    q.filters
        .extend(filters::numeric(&p, "number")?.into_iter().map(F::Number));
    let ids = filters::ids(
        &p,
        "/pulp/api/v3/repository_versions/",
        "core.repositoryversion",
    )?;
    q.filters.extend(ids.into_iter().map(F::IdIn));
    if let Some(href) = p.get("content") {
        let id = super::content::content_id(href).unwrap_or_default();
        q.push(F::ContentIn(vec![id]));
    }
    if let Some(list) = p.list("content__in") {
        let ids = list
            .iter()
            .filter_map(|h| super::content::content_id(h))
            .collect();
        q.push(F::ContentIn(ids));
    }
    q.order = filters::ordering(
        &p,
        &[
            ("number", O::Number),
            ("pulp_created", O::Created),
            ("pk", O::Id),
            ("pulp_id", O::Id),
        ],
    )?;
    q.page = filters::page(&p);
    let (count, rows) = lists::versions(&st.db, scope, q).await?;
    Ok(paginated(
        &req,
        &p,
        count,
        rows.iter().map(render).collect(),
    ))
}

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    repo: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    list_inner(req, st, c, Some(*repo)).await
}

pub async fn list_all(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    list_inner(req, st, c, None).await
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    path: web::Path<(Uuid, i64)>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let (repo, number) = *path;
    let v = lists::version(&st.db, &c, repo, number).await?;
    Ok(object(&Params::from(&req), render(&v)))
}

/// The versions of a plain container repository.
pub async fn container_list(
    req: HttpRequest,
    st: web::Data<AppState>,
    repo: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let p = common::list_params(&req, &[FILTERS])?;
    let scope = lists::container_version_scope(&st.db, &c, *repo).await?;
    list_scoped(req, st, p, scope).await
}

/// A version of a plain container repository.
pub async fn container_read(
    req: HttpRequest,
    st: web::Data<AppState>,
    path: web::Path<(Uuid, i64)>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let (repo, number) = *path;
    let v = lists::container_version(&st.db, &c, repo, number).await?;
    Ok(object(&Params::from(&req), render(&v)))
}

/// Push-repository versions cannot be deleted or repaired (Pulp's access policy refuses it).
pub async fn forbidden(_: SignedIn) -> PulpResult<HttpResponse> {
    Err(Error::Denied.into())
}
