//! `/pulp/api/v3/users/` (list, create 201, read, update, partial_update, delete 204) and
//! `/pulp/api/v3/users/{id}/roles/` (list, create 201, read, delete 204): superusers only.
//! Users carry Pulp's integer ids; passwords are write-only.
use super::caller::{Superuser, WithBody};
use super::common::{self, object, paginated, Params};
use super::errors::PulpResult;
use super::filters;
use super::role_models::{self, UserRoleResponse};
use super::user_models::{self, UserResponse};
use crate::domain::query::{
    AssignmentFilter, AssignmentOrder, ListQuery, Text, UserField, UserFilter, UserOrder,
};
use crate::error::Error;
use crate::service::lists::{self, UserFull};
use crate::service::{roles as roles_svc, users as svc};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use uuid::Uuid;

pub use super::user_models::{href, PREFIX};

pub fn render(u: &UserFull) -> Value {
    common::view(&UserResponse::from(u))
}

/// The filters this list accepts (also declared in the OpenAPI document).
pub const FILTERS: &[&str] = &[
    "is_active",
    "is_staff",
    "ordering",
    "limit",
    "offset",
    "fields",
    "exclude_fields",
];
const TEXT: &[&str] = &["username", "first_name", "last_name", "email"];
const FIELDS: [UserField; 4] = [
    UserField::Username,
    UserField::FirstName,
    UserField::LastName,
    UserField::Email,
];

/// `username`, `username__in`, … for every text field.
pub fn text_filters() -> Vec<String> {
    TEXT.iter()
        .flat_map(|f| {
            [
                "",
                "__exact",
                "__iexact",
                "__in",
                "__contains",
                "__icontains",
            ]
            .map(|s| format!("{f}{s}"))
        })
        .collect()
}

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    _: Superuser,
) -> PulpResult<HttpResponse> {
    let p = Params::from(&req);
    let extra = text_filters();
    let mut allowed: Vec<&str> = FILTERS.to_vec();
    allowed.extend(extra.iter().map(String::as_str));
    p.check(&allowed)?;
    let mut q = ListQuery::default();
    for (f, field) in TEXT.iter().zip(FIELDS) {
        let lookups = filters::text(&p, f).into_iter();
        q.filters
            .extend(lookups.map(|t| UserFilter::Text(field, t)));
        if let Some(v) = p.get(&format!("{f}__exact")) {
            q.push(UserFilter::Text(field, Text::Eq(v.to_string())));
        }
    }
    if let Some(b) = p.bool("is_active")? {
        q.push(UserFilter::IsActive(b));
    }
    if let Some(b) = p.bool("is_staff")? {
        q.push(UserFilter::IsStaff(b));
    }
    q.order = filters::ordering(
        &p,
        &[
            ("username", UserOrder::Field(UserField::Username)),
            ("first_name", UserOrder::Field(UserField::FirstName)),
            ("last_name", UserOrder::Field(UserField::LastName)),
            ("email", UserOrder::Field(UserField::Email)),
            ("date_joined", UserOrder::DateJoined),
            ("is_active", UserOrder::IsActive),
            ("is_staff", UserOrder::IsStaff),
            ("id", UserOrder::Id),
            ("pk", UserOrder::Id),
        ],
    )?;
    q.page = filters::page(&p);
    let (n, rows) = lists::users(&st.db, q).await?;
    Ok(paginated(&req, &p, n, rows.iter().map(render).collect()))
}

pub async fn create(
    st: web::Data<AppState>,
    WithBody(_, body): WithBody<Superuser>,
) -> PulpResult<HttpResponse> {
    let input = user_models::parse(&st, &body, None, false).await?;
    let u = svc::create(&st.db, input).await?;
    Ok(HttpResponse::Created().json(render(&u)))
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<i64>,
    _: Superuser,
) -> PulpResult<HttpResponse> {
    Ok(object(
        &Params::from(&req),
        render(&svc::get(&st.db, *id).await?),
    ))
}

async fn update_inner(
    st: web::Data<AppState>,
    id: i64,
    body: web::Bytes,
    partial: bool,
) -> PulpResult<HttpResponse> {
    let old = svc::get(&st.db, id).await?;
    let input = user_models::parse(&st, &body, Some(&old), partial).await?;
    let new = svc::update(&st.db, &old, input, partial).await?;
    st.creds.forget_user(&old.username);
    Ok(HttpResponse::Ok().json(render(&new)))
}

pub async fn partial_update(
    st: web::Data<AppState>,
    id: web::Path<i64>,
    WithBody(_, body): WithBody<Superuser>,
) -> PulpResult<HttpResponse> {
    update_inner(st, *id, body, true).await
}

pub async fn update(
    st: web::Data<AppState>,
    id: web::Path<i64>,
    WithBody(_, body): WithBody<Superuser>,
) -> PulpResult<HttpResponse> {
    update_inner(st, *id, body, false).await
}

pub async fn delete(
    st: web::Data<AppState>,
    id: web::Path<i64>,
    Superuser(me): Superuser,
) -> PulpResult<HttpResponse> {
    let u = svc::get(&st.db, *id).await?;
    if u.id == me.id {
        return Err(Error::Forbidden("You cannot delete yourself.".into()).into());
    }
    svc::delete(&st.db, &u).await?;
    st.creds.forget_user(&u.username);
    Ok(HttpResponse::NoContent().finish())
}

/// The filters of a user's role list.
pub const ROLE_FILTERS: &[&str] = &[
    "role",
    "role__in",
    "role__contains",
    "role__icontains",
    "role__startswith",
    "content_object",
    "domain",
    "ordering",
    "limit",
    "offset",
    "fields",
    "exclude_fields",
];

/// `GET /users/{id}/roles/`.
pub async fn roles_list(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<i64>,
    _: Superuser,
) -> PulpResult<HttpResponse> {
    let u = svc::get(&st.db, *id).await?;
    let p = Params::from(&req);
    p.check(ROLE_FILTERS)?;
    let mut q = ListQuery::filtered(vec![AssignmentFilter::User(u.id)]);
    q.filters.extend(
        filters::text(&p, "role")
            .into_iter()
            .map(AssignmentFilter::Role),
    );
    if let Some(obj) = p.get("content_object") {
        q.push(match role_models::content_object(&st, Some(obj)).await? {
            None => AssignmentFilter::Global,
            Some((t, oid)) => AssignmentFilter::Object(t, oid),
        });
    }
    q.order = filters::ordering(
        &p,
        &[
            ("role", AssignmentOrder::Role),
            ("pulp_created", AssignmentOrder::Created),
        ],
    )?;
    q.page = filters::page(&p);
    let (n, rows) = roles_svc::assignments(&st.db, &q).await?;
    let items = rows
        .iter()
        .map(|(a, perms, desc)| common::view(&UserRoleResponse::new(u.number, a, perms, desc)))
        .collect();
    Ok(paginated(&req, &p, n, items))
}

/// `POST /users/{id}/roles/`.
pub async fn roles_create(
    st: web::Data<AppState>,
    id: web::Path<i64>,
    WithBody(_, body): WithBody<Superuser>,
) -> PulpResult<HttpResponse> {
    let u = svc::get(&st.db, *id).await?;
    let (role, obj) = role_models::parse_user_role(&st, &body).await?;
    let rid = roles_svc::assign(&st.db, &u, &role, obj).await?;
    let (a, perms, desc) = roles_svc::assignment_of(&st.db, &u, rid).await?;
    Ok(
        HttpResponse::Created().json(common::view(&UserRoleResponse::new(
            u.number, &a, &perms, &desc,
        ))),
    )
}

/// `GET|DELETE /users/{id}/roles/{uuid}/`.
pub async fn role_read(
    req: HttpRequest,
    st: web::Data<AppState>,
    path: web::Path<(i64, Uuid)>,
    _: Superuser,
) -> PulpResult<HttpResponse> {
    let (n, rid) = *path;
    let u = svc::get(&st.db, n).await?;
    let (a, perms, desc) = roles_svc::assignment_of(&st.db, &u, rid).await?;
    let v = common::view(&UserRoleResponse::new(u.number, &a, &perms, &desc));
    Ok(object(&Params::from(&req), v))
}

pub async fn role_delete(
    st: web::Data<AppState>,
    path: web::Path<(i64, Uuid)>,
    _: Superuser,
) -> PulpResult<HttpResponse> {
    let (n, rid) = *path;
    let u = svc::get(&st.db, n).await?;
    roles_svc::assignment_of(&st.db, &u, rid).await?;
    roles_svc::unassign(&st.db, rid).await?;
    Ok(HttpResponse::NoContent().finish())
}
