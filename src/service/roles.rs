//! Roles: the locked built-in roles, written at start so their permission lists always match
//! this build; custom roles admins create; and assigning roles to users (globally or on one
//! namespace or distribution) with Pulp's validation messages.
use crate::domain::hrefs;
use crate::domain::permissions::{self, ObjectType};
use crate::domain::query::{AssignmentFilter, AssignmentOrder, ListQuery, Sort};
use crate::error::{Error, Result};
use crate::repo::roles::{self as q, AssignmentRow, RoleRow};
use crate::repo::users::UserFull;
use crate::repo::Db;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// Creates or refreshes the locked roles (idempotent; safe when replicas start together).
pub async fn seed(db: &Db) -> Result<()> {
    let txn = db.begin_write().await?;
    for (name, description, perms) in permissions::locked_roles() {
        let perms: Vec<String> = perms.into_iter().map(String::from).collect();
        match q::by_name(&*txn, name).await? {
            Some(r) if r.permissions == sorted(&perms) && r.description == description => {}
            Some(r) => q::update(&*txn, r.id, name, description, &perms).await?,
            None => {
                q::insert(&*txn, name, description, true, &perms).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

const NS_PREFIX: &str = "/pulp/api/v3/pulp_container/namespaces/";
const NS_PRN: &str = "container.containernamespace";
const DIST_PREFIX: &str = "/pulp/api/v3/distributions/container/container/";
const DIST_PRN: &str = "container.containerdistribution";

/// The namespace or distribution an href or PRN names (`None` for global); 400 when it names
/// nothing that exists.
pub async fn parse_object(db: &Db, v: Option<&str>) -> Result<Option<(ObjectType, Uuid)>> {
    let Some(v) = v.filter(|v| !v.is_empty() && *v != "null") else {
        return Ok(None);
    };
    let bad = || {
        Error::field(
            "content_object",
            "Invalid hyperlink - Object does not exist.",
        )
    };
    if let Some(id) = hrefs::parse_id(v, NS_PREFIX, NS_PRN) {
        crate::repo::namespaces::get(&db.conn, id)
            .await?
            .ok_or_else(bad)?;
        return Ok(Some((ObjectType::Namespace, id)));
    }
    if let Some(id) = hrefs::parse_id(v, DIST_PREFIX, DIST_PRN) {
        crate::repo::distributions::get(&db.conn, id)
            .await?
            .ok_or_else(bad)?;
        return Ok(Some((ObjectType::Distribution, id)));
    }
    Err(bad())
}

fn object_href(t: &str, id: Option<Uuid>) -> (Value, Value) {
    match (ObjectType::parse(t), id) {
        (Some(ObjectType::Namespace), Some(id)) => {
            (hrefs::namespace(id).into(), hrefs::prn(NS_PRN, id).into())
        }
        (Some(ObjectType::Distribution), Some(id)) => (
            hrefs::distribution(id).into(),
            hrefs::prn(DIST_PRN, id).into(),
        ),
        _ => (Value::Null, Value::Null),
    }
}

/// Assignments matching `query`, each with its role's permissions and description.
pub async fn assignments(
    db: &Db,
    query: &ListQuery<AssignmentFilter, AssignmentOrder>,
) -> Result<(u64, Vec<(AssignmentRow, Vec<String>, String)>)> {
    let (n, rows) = q::assignments(&db.conn, query).await?;
    let mut out = vec![];
    for a in rows {
        let r = q::get(&db.conn, a.role_id).await?;
        let (perms, desc) = r
            .map(|r| (r.permissions, r.description))
            .unwrap_or_default();
        out.push((a, perms, desc));
    }
    Ok((n, out))
}

pub fn render_assignment(user: i64, a: &AssignmentRow, perms: &[String], desc: &str) -> Value {
    let (obj, prn) = object_href(&a.object_type, a.object_id);
    json!({
        "pulp_href": format!("/pulp/api/v3/users/{user}/roles/{}/", a.id),
        "prn": format!("prn:core.userrole:{}", a.id),
        "pulp_created": hrefs::timestamp(a.created_at),
        "pulp_last_updated": hrefs::timestamp(a.created_at),
        "role": a.role,
        "content_object": obj,
        "content_object_prn": prn,
        "description": desc,
        "permissions": perms,
        "domain": Value::Null,
    })
}

/// A role by name, or the 400 Pulp gives for an unknown one.
pub async fn named(db: &Db, field: &str, name: &str) -> Result<RoleRow> {
    q::by_name(&db.conn, name)
        .await?
        .ok_or_else(|| Error::field(field, format!("Object with name={name} does not exist.")))
}

/// Whether `role` carries a permission for objects of type `t` (any, for global assignments).
pub fn fits(role: &RoleRow, t: Option<ObjectType>) -> bool {
    match t {
        None => !role.permissions.is_empty(),
        Some(t) => role
            .permissions
            .iter()
            .any(|p| permissions::applies_to(p, t)),
    }
}

/// `POST /users/{id}/roles/` with Pulp's validation and messages.
pub async fn assign_from_body(db: &Db, user: &UserFull, b: &Map<String, Value>) -> Result<Value> {
    let role = match b.get("role") {
        Some(Value::String(r)) => named(db, "role", r).await?,
        Some(_) => return Err(Error::field("role", "Not a valid string.")),
        None => return Err(Error::field("role", "This field is required.")),
    };
    if b.get("domain").is_some_and(|d| !d.is_null()) {
        return Err(Error::field(
            "domain",
            "Domains are not enabled on this server.",
        ));
    }
    let obj = match (b.get("content_object"), b.get("content_object_prn")) {
        (None, None) => {
            return Err(Error::field(
                "non_field_errors",
                "Either 'content_object' or 'content_object_prn' needs to be specified. Use 'null' for global or domain level access.",
            ))
        }
        (Some(v), _) | (None, Some(v)) if v.is_null() => None,
        (Some(Value::String(s)), _) | (None, Some(Value::String(s))) => {
            parse_object(db, Some(s)).await?
        }
        _ => return Err(Error::field("content_object", "Incorrect type. Expected URL string.")),
    };
    if !fits(&role, obj.map(|(t, _)| t)) {
        return Err(Error::field(
            "non_field_errors",
            format!(
                "The role '{}' does not carry any permission for that object.",
                role.name
            ),
        ));
    }
    let txn = db.begin_write().await?;
    let id = q::assign(&*txn, user.id, role.id, obj.map(|(t, id)| (t.as_str(), id)))
        .await?
        .ok_or_else(|| {
            Error::field(
                "non_field_errors",
                "The role is already assigned to this user.",
            )
        })?;
    txn.commit().await?;
    assignment_of(db, user, id).await
}

/// One of `user`'s assignments, rendered; 404 when it is not theirs.
pub async fn assignment_of(db: &Db, user: &UserFull, id: Uuid) -> Result<Value> {
    let query = ListQuery::filtered(vec![
        AssignmentFilter::Id(id),
        AssignmentFilter::User(user.id),
    ]);
    let (_, rows) = assignments(db, &query).await?;
    let (a, perms, desc) = rows
        .first()
        .ok_or_else(|| Error::NotFound("role assignment".into()))?;
    Ok(render_assignment(user.number, a, perms, desc))
}

pub async fn unassign(db: &Db, id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    q::unassign(&*txn, id).await?;
    txn.commit().await?;
    Ok(())
}

pub const ROLE_FIELDS: &[&str] = &["name", "description", "permissions"];

/// Validates a role body over `existing` (`partial` = PATCH); returns (name, description,
/// permissions).
pub async fn prepare(
    db: &Db,
    existing: Option<&RoleRow>,
    b: &Map<String, Value>,
    partial: bool,
) -> Result<(String, String, Vec<String>)> {
    if existing.is_some_and(|r| r.locked) {
        return Err(Error::Forbidden("The role is locked.".into()));
    }
    let mut errs = vec![];
    let required = existing.is_none() || !partial;
    let name = match b.get("name") {
        Some(Value::String(s)) if s.is_empty() => {
            errs.push((
                "name".to_string(),
                "This field may not be blank.".to_string(),
            ));
            None
        }
        Some(Value::String(s)) if s.chars().count() > 128 => {
            errs.push((
                "name".into(),
                "Ensure this field has no more than 128 characters.".into(),
            ));
            None
        }
        Some(Value::String(s)) => {
            if let Some(other) = q::by_name(&db.conn, s).await? {
                if existing.is_none_or(|e| e.id != other.id) {
                    errs.push(("name".into(), "This field must be unique.".into()));
                }
            }
            Some(s.clone())
        }
        Some(_) => {
            errs.push(("name".into(), "Not a valid string.".into()));
            None
        }
        None if required => {
            errs.push(("name".into(), "This field is required.".into()));
            None
        }
        None => None,
    };
    let description = match b.get("description") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) => Some(String::new()),
        Some(_) => {
            errs.push(("description".into(), "Not a valid string.".into()));
            None
        }
        None => None,
    };
    let perms = match b.get("permissions") {
        Some(Value::Array(a)) => {
            let mut out = vec![];
            for p in a {
                match p.as_str() {
                    Some(s) if permissions::is_known(s) => out.push(s.to_string()),
                    Some(s) => errs.push((
                        "permissions".into(),
                        format!("Permission '{s}' does not exist."),
                    )),
                    None => errs.push(("permissions".into(), "Not a valid string.".into())),
                }
            }
            out.sort();
            out.dedup();
            Some(out)
        }
        Some(_) => {
            errs.push(("permissions".into(), "Expected a list of items.".into()));
            None
        }
        None if required => {
            errs.push(("permissions".into(), "This field is required.".into()));
            None
        }
        None => None,
    };
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let e = existing;
    Ok((
        name.or_else(|| e.map(|r| r.name.clone()))
            .unwrap_or_default(),
        description
            .or_else(|| e.filter(|_| partial).map(|r| r.description.clone()))
            .unwrap_or_default(),
        perms
            .or_else(|| e.map(|r| r.permissions.clone()))
            .unwrap_or_default(),
    ))
}

pub async fn get(db: &Db, id: Uuid) -> Result<RoleRow> {
    q::get(&db.conn, id)
        .await?
        .ok_or_else(|| Error::NotFound("role".into()))
}

pub async fn create(db: &Db, name: &str, desc: &str, perms: &[String]) -> Result<RoleRow> {
    let txn = db.begin_write().await?;
    let id = q::insert(&*txn, name, desc, false, perms)
        .await?
        .ok_or_else(|| Error::field("name", "This field must be unique."))?;
    txn.commit().await?;
    get(db, id).await
}

pub async fn update(
    db: &Db,
    id: Uuid,
    name: &str,
    desc: &str,
    perms: &[String],
) -> Result<RoleRow> {
    let txn = db.begin_write().await?;
    q::update(&*txn, id, name, desc, perms).await?;
    txn.commit().await?;
    get(db, id).await
}

pub async fn delete(db: &Db, r: &RoleRow) -> Result<()> {
    if r.locked {
        return Err(Error::Forbidden("The role is locked.".into()));
    }
    let txn = db.begin_write().await?;
    q::delete(&*txn, r.id).await?;
    txn.commit().await?;
    Ok(())
}

/// The assignments on one object, by role name then username (`list_roles/`).
pub async fn on_object(db: &Db, t: ObjectType, id: Uuid) -> Result<Vec<AssignmentRow>> {
    let query = ListQuery {
        filters: vec![AssignmentFilter::Object(t, id)],
        order: vec![
            Sort::asc(AssignmentOrder::Role),
            Sort::asc(AssignmentOrder::Username),
        ],
        page: None,
    };
    Ok(q::assignments(&db.conn, &query).await?.1)
}

/// The id of the user called `username`, if any.
pub async fn user_named(db: &Db, username: &str) -> Result<Option<Uuid>> {
    Ok(crate::repo::users::by_username(&db.conn, username)
        .await?
        .map(|u| u.id))
}

/// Adds (`add`) or removes `role` on object `(t, id)` for each of `users` (id, username), all
/// or none: 400 naming the first user who already has it (adding) or lacks it (removing).
pub async fn change_on_object(
    db: &Db,
    role: &RoleRow,
    t: ObjectType,
    id: Uuid,
    users: &[(Uuid, String)],
    add: bool,
) -> Result<()> {
    let txn = db.begin_write().await?;
    let obj = Some((t.as_str(), id));
    for (uid, name) in users {
        let existing = q::find_assignment(&*txn, *uid, role.id, obj).await?;
        match (add, existing) {
            (true, Some(_)) => {
                return Err(Error::field(
                    "role",
                    format!("The role is already assigned to user '{name}'."),
                ))
            }
            (true, None) => {
                q::assign(&*txn, *uid, role.id, obj).await?;
            }
            (false, None) => {
                return Err(Error::field(
                    "role",
                    format!("The role is not assigned to user '{name}'."),
                ))
            }
            (false, Some(aid)) => {
                q::unassign(&*txn, aid).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}
