//! Roles: the locked built-in roles, written at start so their permission lists always match
//! this build; custom roles admins create (from a validated [`RoleInput`]); and assigning roles
//! to users, globally or on one namespace or distribution (named by id; the api resolves
//! hrefs), with Pulp's messages for the rules checked here.
use crate::domain::permissions::{self, ObjectType};
use crate::domain::query::{AssignmentFilter, AssignmentOrder, ListQuery, Sort};
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::repo::roles as q;
use crate::repo::users::UserFull;
use crate::repo::Db;
use uuid::Uuid;

pub use crate::repo::roles::{AssignmentRow, RoleRow};

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

/// Whether the namespace or distribution `id` exists.
pub async fn object_exists(db: &Db, t: ObjectType, id: Uuid) -> Result<bool> {
    Ok(match t {
        ObjectType::Namespace => crate::repo::namespaces::get(&db.conn, id).await?.is_some(),
        ObjectType::Distribution => crate::repo::distributions::get(&db.conn, id)
            .await?
            .is_some(),
        ObjectType::Repository => crate::repo::container_repos::exists(&db.conn, id).await?,
    })
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

/// A role by name, or the 400 Pulp gives for an unknown one.
pub async fn named(db: &Db, field: &str, name: &str) -> Result<RoleRow> {
    q::by_name(&db.conn, name)
        .await?
        .ok_or_else(|| fe::field(field, fe::no_such("name", name)))
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

/// Gives `user` the role, globally (`None`) or on one object; the role must carry a
/// permission for it. Returns the assignment's id.
pub async fn assign(
    db: &Db,
    user: &UserFull,
    role: &RoleRow,
    obj: Option<(ObjectType, Uuid)>,
) -> Result<Uuid> {
    if !fits(role, obj.map(|(t, _)| t)) {
        return Err(fe::non_field(format!(
            "The role '{}' does not carry any permission for that object.",
            role.name
        )));
    }
    let txn = db.begin_write().await?;
    let id = q::assign(&*txn, user.id, role.id, obj.map(|(t, id)| (t.as_str(), id)))
        .await?
        .ok_or_else(|| fe::non_field("The role is already assigned to this user."))?;
    txn.commit().await?;
    Ok(id)
}

/// One of `user`'s assignments, with its role's permissions and description; 404 when it is
/// not theirs.
pub async fn assignment_of(
    db: &Db,
    user: &UserFull,
    id: Uuid,
) -> Result<(AssignmentRow, Vec<String>, String)> {
    let query = ListQuery::filtered(vec![
        AssignmentFilter::Id(id),
        AssignmentFilter::User(user.id),
    ]);
    let (_, rows) = assignments(db, &query).await?;
    rows.into_iter()
        .next()
        .ok_or_else(|| Error::NotFound("role assignment".into()))
}

/// Gives (`add`) or takes the role on one object to or from each of `users` (id, username),
/// all or none.
pub async fn change_object_roles(
    db: &Db,
    role: &RoleRow,
    users: &[(Uuid, String)],
    obj: (ObjectType, Uuid),
    add: bool,
) -> Result<()> {
    let txn = db.begin_write().await?;
    let obj = Some((obj.0.as_str(), obj.1));
    for (uid, name) in users {
        match (add, q::find_assignment(&*txn, *uid, role.id, obj).await?) {
            (true, Some(_)) => {
                return Err(fe::field(
                    "role",
                    format!("The role is already assigned to user '{name}'."),
                ))
            }
            (true, None) => {
                q::assign(&*txn, *uid, role.id, obj).await?;
            }
            (false, None) => {
                return Err(fe::field(
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

pub async fn unassign(db: &Db, id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    q::unassign(&*txn, id).await?;
    txn.commit().await?;
    Ok(())
}

/// What a role create or update asks for, validated by the api; `None`: not given.
pub struct RoleInput {
    pub name: Option<String>,
    /// `null` is the empty description.
    pub description: Option<String>,
    /// Known permissions, sorted, without repeats.
    pub permissions: Option<Vec<String>>,
}

/// Built-in roles cannot be changed or deleted.
pub fn check_unlocked(role: &RoleRow) -> Result<()> {
    if role.locked {
        return Err(Error::Forbidden("The role is locked.".into()));
    }
    Ok(())
}

/// Whether `name` belongs to a role other than `except`.
pub async fn name_taken(db: &Db, name: &str, except: Option<Uuid>) -> Result<bool> {
    Ok(q::by_name(&db.conn, name)
        .await?
        .is_some_and(|other| except != Some(other.id)))
}

/// The (name, description, permissions) `input` gives over `existing` (`partial` = PATCH).
fn apply(
    existing: Option<&RoleRow>,
    input: RoleInput,
    partial: bool,
) -> (String, String, Vec<String>) {
    let e = existing;
    (
        input
            .name
            .or_else(|| e.map(|r| r.name.clone()))
            .unwrap_or_default(),
        input
            .description
            .or_else(|| e.filter(|_| partial).map(|r| r.description.clone()))
            .unwrap_or_default(),
        input
            .permissions
            .or_else(|| e.map(|r| r.permissions.clone()))
            .unwrap_or_default(),
    )
}

pub async fn get(db: &Db, id: Uuid) -> Result<RoleRow> {
    q::get(&db.conn, id)
        .await?
        .ok_or_else(|| Error::NotFound("role".into()))
}

/// Creates the role `input` describes.
pub async fn create(db: &Db, input: RoleInput) -> Result<RoleRow> {
    let (name, desc, perms) = apply(None, input, false);
    let txn = db.begin_write().await?;
    let id = q::insert(&*txn, &name, &desc, false, &perms)
        .await?
        .ok_or_else(|| fe::field("name", fe::UNIQUE))?;
    txn.commit().await?;
    get(db, id).await
}

/// Applies `input` to `old` (`partial` = PATCH) and stores the result.
pub async fn update(db: &Db, old: &RoleRow, input: RoleInput, partial: bool) -> Result<RoleRow> {
    check_unlocked(old)?;
    let (name, desc, perms) = apply(Some(old), input, partial);
    let txn = db.begin_write().await?;
    q::update(&*txn, old.id, &name, &desc, &perms).await?;
    txn.commit().await?;
    get(db, old.id).await
}

pub async fn delete(db: &Db, r: &RoleRow) -> Result<()> {
    check_unlocked(r)?;
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
