//! `/pulp/api/v3/roles/`: list, create (201), read, update, partial_update, delete (204);
//! superusers only. Locked (built-in) roles cannot be changed or deleted.
use super::caller::{Superuser, WithBody};
use super::common::{self, object, paginated, Params};
use super::errors::PulpResult;
use super::filters;
use super::role_models::{self, RoleResponse};
use crate::domain::permissions::ObjectType;
use crate::domain::query::{ListQuery, RoleFilter as F, RoleOrder as O};
use crate::service::lists::{self, RoleRow};
use crate::service::roles as svc;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use uuid::Uuid;

pub fn render(r: &RoleRow) -> Value {
    common::view(&RoleResponse::from(r))
}

/// The filters this list accepts (also declared in the OpenAPI document).
pub const FILTERS: &[&str] = &[
    "description",
    "description__iexact",
    "description__contains",
    "description__icontains",
    "locked",
    "contains_permission",
    "for_object_type",
    "ordering",
    "limit",
    "offset",
    "fields",
    "exclude_fields",
    "name__exact",
];

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    _: Superuser,
) -> PulpResult<HttpResponse> {
    let p = Params::from(&req);
    let mut allowed = FILTERS.to_vec();
    allowed.extend_from_slice(filters::NAME_LOOKUPS);
    p.check(&allowed)?;
    let mut q = ListQuery::default();
    q.filters
        .extend(filters::text(&p, "name").into_iter().map(F::Name));
    let desc = filters::text(&p, "description");
    q.filters.extend(desc.into_iter().map(F::Description));
    if let Some(b) = p.bool("locked")? {
        q.push(F::Locked(b));
    }
    for (k, v) in &p.0 {
        if k == "contains_permission" {
            q.push(F::HasPermission(v.clone()));
        }
    }
    if let Some(t) = p.get("for_object_type") {
        q.push(F::ForObjectType(if t.contains("/namespaces/") {
            Some(ObjectType::Namespace)
        } else if t.contains("/distributions/") {
            Some(ObjectType::Distribution)
        } else {
            None
        }));
    }
    q.order = filters::ordering(
        &p,
        &[
            ("name", O::Name),
            ("description", O::Description),
            ("locked", O::Locked),
            ("pulp_created", O::Created),
            ("pulp_last_updated", O::Updated),
        ],
    )?;
    q.page = filters::page(&p);
    let (n, rows) = lists::roles(&st.db, q).await?;
    Ok(paginated(&req, &p, n, rows.iter().map(render).collect()))
}

pub async fn create(
    st: web::Data<AppState>,
    WithBody(_, body): WithBody<Superuser>,
) -> PulpResult<HttpResponse> {
    let input = role_models::parse_role(&st, &body, None, false).await?;
    let r = svc::create(&st.db, input).await?;
    Ok(HttpResponse::Created().json(render(&r)))
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    _: Superuser,
) -> PulpResult<HttpResponse> {
    Ok(object(
        &Params::from(&req),
        render(&svc::get(&st.db, *id).await?),
    ))
}

async fn update_inner(
    st: web::Data<AppState>,
    id: Uuid,
    body: web::Bytes,
    partial: bool,
) -> PulpResult<HttpResponse> {
    let old = svc::get(&st.db, id).await?;
    let input = role_models::parse_role(&st, &body, Some(&old), partial).await?;
    let r = svc::update(&st.db, &old, input, partial).await?;
    Ok(HttpResponse::Ok().json(render(&r)))
}

pub async fn partial_update(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(_, body): WithBody<Superuser>,
) -> PulpResult<HttpResponse> {
    update_inner(st, *id, body, true).await
}

pub async fn update(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(_, body): WithBody<Superuser>,
) -> PulpResult<HttpResponse> {
    update_inner(st, *id, body, false).await
}

pub async fn delete(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    _: Superuser,
) -> PulpResult<HttpResponse> {
    let r = svc::get(&st.db, *id).await?;
    svc::delete(&st.db, &r).await?;
    Ok(HttpResponse::NoContent().finish())
}
