//! Repository versions: `{repo}versions/` (newest first), `{repo}versions/{number}/`, and
//! `/pulp/api/v3/repository_versions/`. Versions are immutable; deleting push-repository
//! versions is refused as in Pulp.
use super::common::{self, object, paginated, Params};
use super::errors::PulpResult;
use super::filters;
use crate::domain::content::ContentKind;
use crate::domain::hrefs;
use crate::domain::query::{ListQuery, VersionFilter as F, VersionOrder as O};
use crate::error::Error;
use crate::service::lists::{self, VersionRow};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// `{"added": {"blob": 2}}` → `{"added": {"container.blob": {"count": 2, "href": …}}}`.
fn summary(stored: &str, version_href: &str) -> Value {
    let parsed: Map<String, Value> = serde_json::from_str(stored).unwrap_or_default();
    let mut out = Map::new();
    for (section, filter) in [
        ("added", "repository_version_added"),
        ("removed", "repository_version_removed"),
        ("present", "repository_version"),
    ] {
        let mut m = Map::new();
        if let Some(Value::Object(counts)) = parsed.get(section) {
            for (name, n) in counts {
                let Some(kind) = ContentKind::parse(name) else {
                    continue;
                };
                if n.as_i64().unwrap_or(0) == 0 {
                    continue;
                }
                let href = format!("{}?{filter}={version_href}", hrefs::content_list(kind));
                m.insert(kind.model().into(), json!({"count": n, "href": href}));
            }
        }
        out.insert(section.to_string(), Value::Object(m));
    }
    Value::Object(out)
}

pub fn render(v: &VersionRow) -> Value {
    let href = hrefs::version(v.repository_id, v.number);
    json!({
        "pulp_href": href,
        "prn": hrefs::prn("core.repositoryversion", v.id),
        "pulp_created": hrefs::timestamp(v.created_at),
        "pulp_last_updated": hrefs::timestamp(v.created_at),
        "number": v.number,
        "repository": hrefs::push_repository(v.repository_id),
        "base_version": Value::Null,
        "content_summary": summary(&v.content_summary, &href),
        "vuln_report": Value::Null,
    })
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
    repo: Option<Uuid>,
) -> PulpResult<HttpResponse> {
    let (p, c) = common::list_params(&req, &st, &[FILTERS]).await?;
    let scope = lists::version_scope(&st.db, &c, repo).await?;
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
) -> PulpResult<HttpResponse> {
    list_inner(req, st, Some(*repo)).await
}

pub async fn list_all(req: HttpRequest, st: web::Data<AppState>) -> PulpResult<HttpResponse> {
    list_inner(req, st, None).await
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    path: web::Path<(Uuid, i64)>,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let (repo, number) = *path;
    let v = lists::version(&st.db, &c, repo, number).await?;
    Ok(object(&Params::from(&req), render(&v)))
}

/// Push-repository versions cannot be deleted or repaired (Pulp's access policy refuses it).
pub async fn forbidden(req: HttpRequest, st: web::Data<AppState>) -> PulpResult<HttpResponse> {
    common::user(&req, &st).await?;
    Err(Error::Denied.into())
}
