//! Role actions on one namespace or distribution (Pulp's `RolesMixin`): `list_roles/`,
//! `add_role/`, `remove_role/` (need the object's `manage_roles` permission; 201 echoing the
//! body, as Pulp answers) and `my_permissions/`. Groups are not supported.
use super::caller::Authenticated;
use super::common;
use super::errors::PulpResult;
use crate::domain::permissions::{self as perm, ObjectType};
use crate::error::{Error, Result};
use crate::repo::criteria::{Criteria, Op};
use crate::repo::roles as q;
use crate::service::policy::{self, Caller};
use crate::service::roles as svc;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};
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
    }
}

fn kind(req: &HttpRequest) -> ObjectType {
    if req.path().contains("/namespaces/") {
        ObjectType::Namespace
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
    let mut crit = Criteria::default();
    crit.push("ur.object_type", Op::Eq(t.as_str().into()));
    crit.push("ur.object_id", Op::Eq((*id).into()));
    crit.order = vec!["r.name".into(), "u.username".into()];
    let (_, rows) = q::assignments(&st.db.conn, &crit)
        .await
        .map_err(Error::from)?;
    let mut roles: Vec<Value> = vec![];
    for a in rows {
        match roles.last_mut() {
            Some(last) if last["role"] == a.role.as_str() => {
                if let Some(users) = last["users"].as_array_mut() {
                    users.push(a.username.into());
                }
            }
            _ => roles.push(json!({"role": a.role, "users": [a.username], "groups": []})),
        }
    }
    Ok(HttpResponse::Ok().json(json!({"roles": roles})))
}

pub async fn my_permissions(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let t = kind(&req);
    guard(&st, &c, t, *id, false).await?;
    Ok(HttpResponse::Ok().json(json!({"permissions": c.permissions_on(t, *id)})))
}

/// The validated `{role, users, groups}` body: the role and the users it names.
async fn role_body(
    st: &AppState,
    t: ObjectType,
    b: &Map<String, Value>,
) -> Result<(q::RoleRow, Vec<(Uuid, String)>)> {
    let role = match b.get("role") {
        Some(Value::String(r)) => svc::named(&st.db, "role", r).await?,
        Some(_) => return Err(Error::field("role", "Not a valid string.")),
        None => return Err(Error::field("role", "This field is required.")),
    };
    if b.get("groups")
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty())
    {
        return Err(Error::field("groups", "Groups are not supported."));
    }
    let names = match b.get("users") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::field("users", "Not a valid string."))?,
        Some(_) => return Err(Error::field("users", "Expected a list of items.")),
    };
    let mut users = vec![];
    for n in names {
        let u = crate::repo::users::by_username(&st.db.conn, &n)
            .await?
            .ok_or_else(|| {
                Error::field("users", format!("Object with username={n} does not exist."))
            })?;
        users.push((u.id, n));
    }
    if !svc::fits(&role, Some(t)) {
        return Err(Error::field(
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
    let b = common::body(&body, &["role", "users", "groups"])?;
    let (role, users) = role_body(&st, t, &b).await?;
    let txn = st.db.begin_write().await.map_err(Error::from)?;
    let obj = Some((t.as_str(), id));
    for (uid, name) in &users {
        let existing = q::find_assignment(&*txn, *uid, role.id, obj)
            .await
            .map_err(Error::from)?;
        match (add, existing) {
            (true, Some(_)) => {
                return Err(Error::field(
                    "role",
                    format!("The role is already assigned to user '{name}'."),
                )
                .into())
            }
            (true, None) => {
                q::assign(&*txn, *uid, role.id, obj)
                    .await
                    .map_err(Error::from)?;
            }
            (false, None) => {
                return Err(Error::field(
                    "role",
                    format!("The role is not assigned to user '{name}'."),
                )
                .into())
            }
            (false, Some(aid)) => {
                q::unassign(&*txn, aid).await.map_err(Error::from)?;
            }
        }
    }
    txn.commit().await.map_err(Error::from)?;
    let names: Vec<&str> = users.iter().map(|(_, n)| n.as_str()).collect();
    Ok(HttpResponse::Created().json(json!({"role": role.name, "users": names, "groups": []})))
}

pub async fn add_role(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: web::Bytes,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    change(req, c, st, *id, body, true).await
}

pub async fn remove_role(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: web::Bytes,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    change(req, c, st, *id, body, false).await
}
