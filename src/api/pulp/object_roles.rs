//! Role actions on one namespace or distribution (Pulp's `RolesMixin`): `list_roles/`,
//! `add_role/`, `remove_role/` (need the object's `manage_roles` permission; 201 echoing the
//! body, as Pulp answers) and `my_permissions/`. Groups are not supported.
use super::body::Body;
use super::caller::{Authenticated, WithBody};
use super::common;
use super::errors::PulpResult;
use crate::domain::permissions::{self as perm, ObjectType};
use crate::error::field_errors as fe;
use crate::error::Result;
use crate::service::lists::RoleRow;
use crate::service::policy::{self, Caller};
use crate::service::roles as svc;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// 404 unless the caller sees the object; then 403 unless `manage` and they may manage roles.
async fn guard(st: &AppState, c: &Caller, t: ObjectType, id: Uuid, manage: bool) -> Result<()> {
    match t {
        ObjectType::Namespace => {
            crate::service::namespaces::get(&st.db, id).await?;
            let allowed = !manage || c.on(t, id, perm::MANAGE_ROLES_NAMESPACE);
            policy::require(policy::sees_namespace(c, id), allowed, "namespace")
        }
        ObjectType::Distribution => {
            let d = crate::service::distributions::get(&st.db, id).await?;
            let allowed = !manage || c.on(t, id, perm::MANAGE_ROLES_DIST);
            policy::require(policy::sees_distribution(c, &d), allowed, "distribution")
        }
        ObjectType::Repository => {
            crate::service::container_repos::get(&st.db, id).await?;
            let allowed = !manage || c.on(t, id, perm::MANAGE_ROLES_REPO);
            policy::require(c.on(t, id, perm::VIEW_REPO), allowed, "repository")
        }
    }
}

fn kind(req: &HttpRequest) -> ObjectType {
    if req.path().contains("/namespaces/") {
        ObjectType::Namespace
    } else if req.path().contains("/repositories/") {
        ObjectType::Repository
    } else {
        ObjectType::Distribution
    }
}

pub async fn list_roles(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let t = kind(&req);
    guard(&st, &c, t, *id, true).await?;
    let rows = svc::on_object(&st.db, t, *id).await?;
    let mut roles: Vec<NestedRoleResponse> = vec![];
    for a in rows {
        match roles.last_mut() {
            Some(last) if last.role == a.role => last.users.push(a.username),
            _ => roles.push(NestedRoleResponse {
                role: a.role,
                users: vec![a.username],
                groups: vec![],
            }),
        }
    }
    Ok(HttpResponse::Ok().json(common::view(&ObjectRolesResponse { roles })))
}

pub async fn my_permissions(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let t = kind(&req);
    guard(&st, &c, t, *id, false).await?;
    let view = MyPermissionsResponse {
        permissions: c.permissions_on(t, *id),
    };
    Ok(HttpResponse::Ok().json(common::view(&view)))
}

/// Users given (or taken) a role on one object.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NestedRole {
    pub users: Option<Vec<String>>,
    pub groups: Option<Vec<String>>,
    #[schema(min_length = 1)]
    pub role: String,
}

/// A role and who holds it on one object.
#[derive(ToSchema, serde::Serialize)]
pub struct NestedRoleResponse {
    pub users: Vec<String>,
    pub groups: Vec<String>,
    pub role: String,
}

/// The roles held on one object.
#[derive(ToSchema, serde::Serialize)]
pub struct ObjectRolesResponse {
    pub roles: Vec<NestedRoleResponse>,
}

/// The caller's permissions on one object.
#[derive(ToSchema, serde::Serialize)]
pub struct MyPermissionsResponse {
    pub permissions: Vec<String>,
}

/// Reads a `{role, users, groups}` body for objects of type `t`: the role and the users it
/// names (id, username).
async fn parse(
    st: &AppState,
    t: ObjectType,
    bytes: &[u8],
) -> Result<(RoleRow, Vec<(Uuid, String)>)> {
    let b = Body::parse::<NestedRole>(bytes)?;
    let role = match b.get("role") {
        Some(Value::String(r)) => svc::named(&st.db, "role", r).await?,
        Some(_) => return Err(fe::field("role", fe::NOT_STRING)),
        None => return Err(fe::field("role", fe::REQUIRED)),
    };
    if b.get("groups")
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty())
    {
        return Err(fe::field("groups", "Groups are not supported."));
    }
    let names = match b.get("users") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| fe::field("users", fe::NOT_STRING))?,
        Some(_) => return Err(fe::field("users", fe::NOT_LIST)),
    };
    let mut users = vec![];
    for n in names {
        let u = crate::service::users::id_by_username(&st.db, &n)
            .await?
            .ok_or_else(|| fe::field("users", fe::no_such("username", &n)))?;
        users.push((u, n));
    }
    if !svc::fits(&role, Some(t)) {
        return Err(fe::field(
            "role",
            "The role does not contain any permission for that object.",
        ));
    }
    Ok((role, users))
}

async fn change(
    req: HttpRequest,
    c: Caller,
    st: web::Data<AppState>,
    id: Uuid,
    body: web::Bytes,
    add: bool,
) -> PulpResult<HttpResponse> {
    let t = kind(&req);
    guard(&st, &c, t, id, true).await?;
    let (role, users) = parse(&st, t, &body).await?;
    svc::change_object_roles(&st.db, &role, &users, (t, id), add).await?;
    let view = NestedRoleResponse {
        role: role.name,
        users: users.into_iter().map(|(_, n)| n).collect(),
        groups: vec![],
    };
    Ok(HttpResponse::Created().json(common::view(&view)))
}

pub async fn add_role(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    change(req, c, st, *id, body, true).await
}

pub async fn remove_role(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    change(req, c, st, *id, body, false).await
}
