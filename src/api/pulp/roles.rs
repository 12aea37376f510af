//! `/pulp/api/v3/roles/`: list, create (201), read, update, partial_update, delete (204);
//! superusers only. Locked (built-in) roles cannot be changed or deleted.
use super::common::{self, object, paginated, Params};
use super::errors::PulpResult;
use super::filters;
use crate::domain::hrefs;
use crate::domain::permissions::ObjectType;
use crate::domain::query::{ListQuery, RoleFilter as F, RoleOrder as O};
use crate::service::lists::{self, RoleRow};
use crate::service::roles as svc;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use uuid::Uuid;

pub fn render(r: &RoleRow) -> Value {
    json!({
        "pulp_href": format!("/pulp/api/v3/roles/{}/", r.id),
        "prn": hrefs::prn("core.role", r.id),
        "pulp_created": hrefs::timestamp(r.created_at),
        "pulp_last_updated": hrefs::timestamp(r.updated_at),
        "name": r.name,
        "description": r.description,
        "permissions": r.permissions,
        "locked": r.locked,
    })
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

pub async fn list(req: HttpRequest, st: web::Data<AppState>) -> PulpResult<HttpResponse> {
    common::superuser(&req, &st).await?;
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
    req: HttpRequest,
    st: web::Data<AppState>,
    body: web::Bytes,
) -> PulpResult<HttpResponse> {
    common::superuser(&req, &st).await?;
    let b = common::body(&body, svc::ROLE_FIELDS)?;
    let (name, desc, perms) = svc::prepare(&st.db, None, &b, false).await?;
    let r = svc::create(&st.db, &name, &desc, &perms).await?;
    Ok(HttpResponse::Created().json(render(&r)))
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> PulpResult<HttpResponse> {
    common::superuser(&req, &st).await?;
    Ok(object(
        &Params::from(&req),
        render(&svc::get(&st.db, *id).await?),
    ))
}

async fn update_inner(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: Uuid,
    body: web::Bytes,
    partial: bool,
) -> PulpResult<HttpResponse> {
    common::superuser(&req, &st).await?;
    let old = svc::get(&st.db, id).await?;
    let b = common::body(&body, svc::ROLE_FIELDS)?;
    let (name, desc, perms) = svc::prepare(&st.db, Some(&old), &b, partial).await?;
    let r = svc::update(&st.db, id, &name, &desc, &perms).await?;
    Ok(HttpResponse::Ok().json(render(&r)))
}

pub async fn partial_update(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> PulpResult<HttpResponse> {
    update_inner(req, st, *id, body, true).await
}

pub async fn update(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> PulpResult<HttpResponse> {
    update_inner(req, st, *id, body, false).await
}

pub async fn delete(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> PulpResult<HttpResponse> {
    common::superuser(&req, &st).await?;
    let r = svc::get(&st.db, *id).await?;
    svc::delete(&st.db, &r).await?;
    Ok(HttpResponse::NoContent().finish())
}
