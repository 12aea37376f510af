//! `/pulp/api/v3/retention_policies/` (a berth extension in Pulp's conventions): list, create
//! (201), read, update and partial update (200), delete (204), all synchronous. Who may manage
//! which policy, and what makes one valid, is `service::retention_policies`; the request and
//! view types are in `retention_policy_models`.
use super::caller::{Authenticated, WithBody};
use super::common::{self, object, paginated, Params};
use super::errors::PulpResult;
use super::filters;
use super::retention_policy_models::{parse, RetentionPolicyResponse};
use crate::domain::hrefs;
use crate::domain::query::{ListQuery, RetentionPolicyFilter as F, RetentionPolicyOrder as O};
use crate::service::policy::Caller;
use crate::service::retention_policies::{self as svc, PolicyRow};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use uuid::Uuid;

pub const PREFIX: &str = hrefs::RETENTION_POLICIES;
pub const PRN: &str = hrefs::RETENTION_POLICY_MODEL;

/// The filters of the list besides the name lookups (also declared in the OpenAPI document).
pub const FILTERS: &[&str] = &[
    "namespace",
    "namespace__isnull",
    "enabled",
    "pulp_id__in",
    "pulp_href__in",
    "prn__in",
];

pub fn render(p: &PolicyRow) -> Value {
    common::view(&RetentionPolicyResponse::from(p))
}

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let p = common::list_params(&req, &[filters::NAME_LOOKUPS, FILTERS])?;
    let mut q = ListQuery::default();
    q.filters
        .extend(filters::text(&p, "name").into_iter().map(F::Name));
    q.filters
        .extend(filters::ids(&p, PREFIX, PRN)?.into_iter().map(F::IdIn));
    if let Some(href) = p.get("namespace") {
        let ns = hrefs::parse_id(href, super::namespaces::PREFIX, hrefs::NAMESPACE_MODEL);
        q.push(F::NamespaceIn(ns.into_iter().collect()));
    }
    if let Some(b) = p.bool("namespace__isnull")? {
        q.push(F::EveryNamespace(b));
    }
    if let Some(b) = p.bool("enabled")? {
        q.push(F::Enabled(b));
    }
    q.order = filters::ordering(
        &p,
        &[
            ("name", O::Name),
            ("enabled", O::Enabled),
            ("pulp_created", O::Created),
            ("pulp_last_updated", O::Updated),
            ("pulp_id", O::Id),
            ("pk", O::Id),
        ],
    )?;
    q.page = filters::page(&p);
    let (count, rows) = svc::list(&st.db, &c, q).await?;
    Ok(paginated(
        &req,
        &p,
        count,
        rows.iter().map(render).collect(),
    ))
}

pub async fn create(
    st: web::Data<AppState>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let input = parse(&body, false)?;
    let p = svc::create(&st.db, &c, input).await?;
    Ok(HttpResponse::Created().json(render(&p)))
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let p = svc::get_managed(&st.db, &c, *id).await?;
    Ok(object(&Params::from(&req), render(&p)))
}

async fn update_inner(
    st: web::Data<AppState>,
    c: Caller,
    id: Uuid,
    body: web::Bytes,
    partial: bool,
) -> PulpResult<HttpResponse> {
    // Not found before a bad body, as for every detail path.
    svc::get_managed(&st.db, &c, id).await?;
    let input = parse(&body, partial)?;
    let p = svc::update(&st.db, &c, id, input, partial).await?;
    Ok(HttpResponse::Ok().json(render(&p)))
}

pub async fn update(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    update_inner(st, c, *id, body, false).await
}

pub async fn partial_update(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    update_inner(st, c, *id, body, true).await
}

pub async fn delete(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    svc::delete(&st.db, &c, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
