//! User rows: lookup by name and creation of the bootstrap superuser.
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
