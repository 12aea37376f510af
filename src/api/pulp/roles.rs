//! `/pulp/api/v3/roles/`: list, create (201), read, update, partial_update, delete (204);
//! superusers only. Locked (built-in) roles cannot be changed or deleted.
use super::caller::{Superuser, WithBody};
use super::common::{self, object, paginated, Params};
use super::errors::PulpResult;
use super::filters;
use super::role_models::{self, RoleResponse};
use crate::error::Error;
use crate::repo::criteria::{Criteria, Op};
use crate::service::roles::{self as svc, RoleRow};
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
    let mut crit = Criteria::default();
    filters::text(&p, &mut crit, "name", "r.name");
    filters::text(&p, &mut crit, "description", "r.description");
    if let Some(b) = p.bool("locked")? {
        crit.push("r.locked", Op::Eq(b.into()));
    }
    for (k, v) in &p.0 {
        if k == "contains_permission" {
            crit.push(
                "",
                Op::Sql(
                    "r.id IN (SELECT role_id FROM role_permissions WHERE permission = ?)".into(),
                    vec![v.clone().into()],
                ),
            );
        }
    }
    if let Some(t) = p.get("for_object_type") {
        let model = if t.contains("/namespaces/") {
            "%containernamespace"
        } else if t.contains("/distributions/") {
            "%containerdistribution"
        } else {
            "-nothing-"
        };
        crit.push(
            "",
            Op::Sql(
                "r.id IN (SELECT role_id FROM role_permissions WHERE permission LIKE ?)".into(),
                vec![model.into()],
            ),
        );
    }
    filters::ordering(
        &p,
        &mut crit,
        &[
            ("name", "r.name"),
            ("description", "r.description"),
            ("locked", "r.locked"),
            ("pulp_created", "r.created_at"),
            ("pulp_last_updated", "r.updated_at"),
        ],
        &["r.name"],
    )?;
    filters::paginate(&p, &mut crit);
    let (n, rows) = crate::repo::roles::list(&st.db.conn, &crit)
        .await
        .map_err(Error::from)?;
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
