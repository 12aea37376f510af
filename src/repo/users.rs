//! User rows: lookup by name (credential checks), the Pulp-shaped user list and updates.
use super::{exec, new_id, now, one};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub password_hash: String,
    pub is_superuser: bool,
    pub is_active: bool,
}

pub async fn by_username(
    c: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<UserRow>, DbErr> {
    let row = one(
        c,
        "SELECT id, username, password_hash, is_superuser, is_active FROM users WHERE username = ?",
        vec![username.into()],
    )
    .await?;
    row.map(|r| {
        Ok(UserRow {
            id: r.try_get("", "id")?,
            username: r.try_get("", "username")?,
            password_hash: r.try_get("", "password_hash")?,
            is_superuser: r.try_get("", "is_superuser")?,
            is_active: r.try_get("", "is_active")?,
        })
    })
    .transpose()
}

/// Inserts a user unless the name is taken; returns whether it was inserted.
pub async fn insert(
    c: &impl ConnectionTrait,
    username: &str,
    password_hash: &str,
    is_superuser: bool,
) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "INSERT INTO users (id, number, username, password_hash, is_superuser, is_active, created_at) \
         SELECT ?, COALESCE(MAX(number), 0) + 1, ?, ?, ?, ?, ? FROM users WHERE true \
         ON CONFLICT (username) DO NOTHING",
        vec![
            new_id().into(),
            username.into(),
            password_hash.into(),
            is_superuser.into(),
            true.into(),
            now().into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

pub async fn set_password(
    c: &impl ConnectionTrait,
    username: &str,
    hash: &str,
) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE users SET password_hash = ? WHERE username = ?",
        vec![hash.into(), username.into()],
    )
    .await?;
    Ok(n == 1)
}

pub async fn list(c: &impl ConnectionTrait) -> Result<Vec<UserRow>, DbErr> {
    let rows = super::all(
        c,
        "SELECT id, username, password_hash, is_superuser, is_active FROM users ORDER BY username",
        vec![],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(UserRow {
                id: r.try_get("", "id")?,
                username: r.try_get("", "username")?,
                password_hash: r.try_get("", "password_hash")?,
                is_superuser: r.try_get("", "is_superuser")?,
                is_active: r.try_get("", "is_active")?,
            })
        })
        .collect()
}

/// A user as the management API shows it.
#[derive(Debug, Clone)]
pub struct UserFull {
    pub id: Uuid,
    pub number: i64,
    pub username: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub is_staff: bool,
    pub is_active: bool,
    pub is_superuser: bool,
    pub date_joined: chrono::DateTime<chrono::Utc>,
}

pub const FULL_COLS: &str =
    "u.id, u.number, u.username, u.password_hash, u.first_name, u.last_name, \
    u.email, u.is_staff, u.is_active, u.is_superuser, u.created_at";

fn full(r: &sea_orm::QueryResult) -> Result<UserFull, DbErr> {
    Ok(UserFull {
        id: r.try_get("", "id")?,
        number: r.try_get::<Option<i64>>("", "number")?.unwrap_or_default(),
        username: r.try_get("", "username")?,
        password_hash: r.try_get("", "password_hash")?,
        first_name: r.try_get("", "first_name")?,
        last_name: r.try_get("", "last_name")?,
        email: r.try_get("", "email")?,
        is_staff: r.try_get("", "is_staff")?,
        is_active: r.try_get("", "is_active")?,
        is_superuser: r.try_get("", "is_superuser")?,
        date_joined: r.try_get("", "created_at")?,
    })
}

pub async fn list_full(
    c: &impl ConnectionTrait,
    q: &crate::domain::query::ListQuery<
        crate::domain::query::UserFilter,
        crate::domain::query::UserOrder,
    >,
) -> Result<(u64, Vec<UserFull>), DbErr> {
    let crit = super::lists::users(q);
    let (n, rows) = super::criteria::page(c, FULL_COLS, "users u", &crit).await?;
    Ok((n, rows.iter().map(full).collect::<Result<_, _>>()?))
}

pub async fn by_number(c: &impl ConnectionTrait, number: i64) -> Result<Option<UserFull>, DbErr> {
    let r = one(
        c,
        &format!("SELECT {FULL_COLS} FROM users u WHERE u.number = ?"),
        vec![number.into()],
    )
    .await?;
    r.as_ref().map(full).transpose()
}

pub async fn full_by_name(c: &impl ConnectionTrait, name: &str) -> Result<Option<UserFull>, DbErr> {
    let r = one(
        c,
        &format!("SELECT {FULL_COLS} FROM users u WHERE u.username = ?"),
        vec![name.into()],
    )
    .await?;
    r.as_ref().map(full).transpose()
}

/// Rewrites the editable fields of a user.
pub async fn update(c: &impl ConnectionTrait, u: &UserFull) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE users SET username = ?, password_hash = ?, first_name = ?, last_name = ?, email = ?, \
         is_staff = ?, is_active = ? WHERE id = ?",
        vec![
            u.username.clone().into(),
            u.password_hash.clone().into(),
            u.first_name.clone().into(),
            u.last_name.clone().into(),
            u.email.clone().into(),
            u.is_staff.into(),
            u.is_active.into(),
            u.id.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes a user and their role assignments.
pub async fn delete(c: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    exec(
        c,
        "DELETE FROM user_roles WHERE user_id = ?",
        vec![id.into()],
    )
    .await?;
    Ok(exec(c, "DELETE FROM users WHERE id = ?", vec![id.into()]).await? == 1)
}
