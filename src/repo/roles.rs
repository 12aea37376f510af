//! Roles, their permissions and their assignments to users (global, or on one namespace or
//! distribution); plus the one query that loads everything a user is granted.
use super::criteria;
use super::{all, exec, new_id, now, one, placeholders};
use crate::domain::query::{AssignmentFilter, AssignmentOrder, ListQuery, RoleFilter, RoleOrder};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct RoleRow {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub locked: bool,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const ROLE_COLS: &str = "r.id, r.name, r.description, r.locked, r.created_at, r.updated_at";

fn role(r: &QueryResult) -> Result<RoleRow, DbErr> {
    Ok(RoleRow {
        id: r.try_get("", "id")?,
        name: r.try_get("", "name")?,
        description: r.try_get("", "description")?,
        locked: r.try_get("", "locked")?,
        permissions: vec![],
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

/// Fills in `permissions` for `roles` with one query.
async fn with_permissions(
    c: &impl ConnectionTrait,
    mut roles: Vec<RoleRow>,
) -> Result<Vec<RoleRow>, DbErr> {
    if roles.is_empty() {
        return Ok(roles);
    }
    let ids: Vec<sea_orm::Value> = roles.iter().map(|r| r.id.into()).collect();
    let rows = all(
        c,
        &format!(
            "SELECT role_id, permission FROM role_permissions WHERE role_id IN ({}) ORDER BY permission",
            placeholders(ids.len())
        ),
        ids,
    )
    .await?;
    for r in rows {
        let id: Uuid = r.try_get("", "role_id")?;
        let p: String = r.try_get("", "permission")?;
        if let Some(role) = roles.iter_mut().find(|x| x.id == id) {
            role.permissions.push(p);
        }
    }
    Ok(roles)
}

pub async fn list(
    c: &impl ConnectionTrait,
    q: &ListQuery<RoleFilter, RoleOrder>,
) -> Result<(u64, Vec<RoleRow>), DbErr> {
    let crit = super::lists::roles(q);
    let (count, rows) = criteria::page(c, ROLE_COLS, "roles r", &crit).await?;
    let roles = rows.iter().map(role).collect::<Result<Vec<_>, _>>()?;
    Ok((count, with_permissions(c, roles).await?))
}

pub async fn get(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<RoleRow>, DbErr> {
    by(c, "r.id = ?", id.into()).await
}

pub async fn by_name(c: &impl ConnectionTrait, name: &str) -> Result<Option<RoleRow>, DbErr> {
    by(c, "r.name = ?", name.into()).await
}

async fn by(
    c: &impl ConnectionTrait,
    cond: &str,
    v: sea_orm::Value,
) -> Result<Option<RoleRow>, DbErr> {
    let Some(r) = one(
        c,
        &format!("SELECT {ROLE_COLS} FROM roles r WHERE {cond}"),
        vec![v],
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(with_permissions(c, vec![role(&r)?]).await?.pop())
}

/// Inserts a role; `None` when the name is taken.
pub async fn insert(
    c: &impl ConnectionTrait,
    name: &str,
    description: &str,
    locked: bool,
    permissions: &[String],
) -> Result<Option<Uuid>, DbErr> {
    let id = new_id();
    let t = now();
    let n = exec(
        c,
        "INSERT INTO roles (id, name, description, locked, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
        vec![
            id.into(),
            name.into(),
            description.into(),
            locked.into(),
            t.into(),
            t.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Ok(None);
    }
    set_permissions(c, id, permissions).await?;
    Ok(Some(id))
}

pub async fn update(
    c: &impl ConnectionTrait,
    id: Uuid,
    name: &str,
    description: &str,
    permissions: &[String],
) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE roles SET name = ?, description = ?, updated_at = ? WHERE id = ?",
        vec![name.into(), description.into(), now().into(), id.into()],
    )
    .await?;
    set_permissions(c, id, permissions).await
}

pub async fn set_permissions(
    c: &impl ConnectionTrait,
    id: Uuid,
    permissions: &[String],
) -> Result<(), DbErr> {
    exec(
        c,
        "DELETE FROM role_permissions WHERE role_id = ?",
        vec![id.into()],
    )
    .await?;
    for p in permissions {
        exec(
            c,
            "INSERT INTO role_permissions (role_id, permission) VALUES (?, ?) ON CONFLICT DO NOTHING",
            vec![id.into(), p.as_str().into()],
        )
        .await?;
    }
    Ok(())
}

/// Deletes a role and every assignment of it.
pub async fn delete(c: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    exec(
        c,
        "DELETE FROM user_roles WHERE role_id = ?",
        vec![id.into()],
    )
    .await?;
    exec(
        c,
        "DELETE FROM role_permissions WHERE role_id = ?",
        vec![id.into()],
    )
    .await?;
    Ok(exec(c, "DELETE FROM roles WHERE id = ?", vec![id.into()]).await? == 1)
}

/// One role assignment, with the role's name.
#[derive(Debug, Clone)]
pub struct AssignmentRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    pub role_id: Uuid,
    pub role: String,
    pub object_type: String,
    pub object_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

pub const ASSIGN_COLS: &str = "ur.id, ur.user_id, u.username, ur.role_id, r.name AS role, \
    ur.object_type, ur.object_id, ur.created_at";
pub const ASSIGN_FROM: &str =
    "user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id";

fn assignment(r: &QueryResult) -> Result<AssignmentRow, DbErr> {
    Ok(AssignmentRow {
        id: r.try_get("", "id")?,
        user_id: r.try_get("", "user_id")?,
        username: r.try_get("", "username")?,
        role_id: r.try_get("", "role_id")?,
        role: r.try_get("", "role")?,
        object_type: r.try_get("", "object_type")?,
        object_id: r.try_get("", "object_id")?,
        created_at: r.try_get("", "created_at")?,
    })
}

pub async fn assignments(
    c: &impl ConnectionTrait,
    q: &ListQuery<AssignmentFilter, AssignmentOrder>,
) -> Result<(u64, Vec<AssignmentRow>), DbErr> {
    let crit = super::lists::assignments(q);
    let (count, rows) = criteria::page(c, ASSIGN_COLS, ASSIGN_FROM, &crit).await?;
    Ok((
        count,
        rows.iter().map(assignment).collect::<Result<_, _>>()?,
    ))
}

/// Assigns `role_id` to `user_id` (globally when `object` is `None`) unless already assigned;
/// returns the assignment id when it was inserted.
pub async fn assign(
    c: &impl ConnectionTrait,
    user_id: Uuid,
    role_id: Uuid,
    object: Option<(&str, Uuid)>,
) -> Result<Option<Uuid>, DbErr> {
    if find_assignment(c, user_id, role_id, object)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let id = new_id();
    let (t, o) = match object {
        Some((t, o)) => (t, Some(o)),
        None => ("", None),
    };
    exec(
        c,
        "INSERT INTO user_roles (id, user_id, role_id, object_type, object_id, created_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            id.into(),
            user_id.into(),
            role_id.into(),
            t.into(),
            o.into(),
            now().into(),
        ],
    )
    .await?;
    Ok(Some(id))
}

pub async fn find_assignment(
    c: &impl ConnectionTrait,
    user_id: Uuid,
    role_id: Uuid,
    object: Option<(&str, Uuid)>,
) -> Result<Option<Uuid>, DbErr> {
    let row = match object {
        Some((t, o)) => {
            one(
                c,
                "SELECT id FROM user_roles WHERE user_id = ? AND role_id = ? AND object_type = ? AND object_id = ?",
                vec![user_id.into(), role_id.into(), t.into(), o.into()],
            )
            .await?
        }
        None => {
            one(
                c,
                "SELECT id FROM user_roles WHERE user_id = ? AND role_id = ? AND object_type = ''",
                vec![user_id.into(), role_id.into()],
            )
            .await?
        }
    };
    row.map(|r| r.try_get("", "id")).transpose()
}

pub async fn unassign(c: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    Ok(exec(c, "DELETE FROM user_roles WHERE id = ?", vec![id.into()]).await? == 1)
}

/// Removes every assignment on an object (when the object is deleted).
pub async fn forget_object(c: &impl ConnectionTrait, object_id: Uuid) -> Result<(), DbErr> {
    exec(
        c,
        "DELETE FROM user_roles WHERE object_id = ?",
        vec![object_id.into()],
    )
    .await?;
    Ok(())
}

/// Everything `user_id` is granted: (object type, object id, permission) triples, where a
/// global grant has object type `''`.
pub async fn grants(
    c: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<(String, Option<Uuid>, String)>, DbErr> {
    let rows = all(
        c,
        "SELECT ur.object_type, ur.object_id, rp.permission FROM user_roles ur \
         JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE ur.user_id = ?",
        vec![user_id.into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "object_type")?,
                r.try_get("", "object_id")?,
                r.try_get("", "permission")?,
            ))
        })
        .collect()
}
