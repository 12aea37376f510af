//! The web UI's sessions (`ui_sessions`), keyed by the SHA-256 of the cookie's token, read
//! together with their user (so a deactivated or deleted user's sessions stop at once).
use super::{exec, one};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: String,
    pub user_id: Uuid,
    pub username: String,
    pub is_superuser: bool,
    pub is_active: bool,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn insert(
    c: &impl ConnectionTrait,
    id: &str,
    user: Uuid,
    csrf: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO ui_sessions (id, user_id, csrf_token, created_at, last_seen_at) \
         VALUES (?, ?, ?, ?, ?)",
        vec![id.into(), user.into(), csrf.into(), now.into(), now.into()],
    )
    .await?;
    Ok(())
}

pub async fn get(c: &impl ConnectionTrait, id: &str) -> Result<Option<SessionRow>, DbErr> {
    let Some(r) = one(
        c,
        "SELECT s.id, s.user_id, u.username, u.is_superuser, u.is_active, s.csrf_token, \
         s.created_at, s.last_seen_at FROM ui_sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = ?",
        vec![id.into()],
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(SessionRow {
        id: r.try_get("", "id")?,
        user_id: r.try_get("", "user_id")?,
        username: r.try_get("", "username")?,
        is_superuser: r.try_get("", "is_superuser")?,
        is_active: r.try_get("", "is_active")?,
        csrf_token: r.try_get("", "csrf_token")?,
        created_at: r.try_get("", "created_at")?,
        last_seen_at: r.try_get("", "last_seen_at")?,
    }))
}

pub async fn touch(c: &impl ConnectionTrait, id: &str, now: DateTime<Utc>) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE ui_sessions SET last_seen_at = ? WHERE id = ?",
        vec![now.into(), id.into()],
    )
    .await?;
    Ok(())
}

pub async fn delete(c: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    exec(c, "DELETE FROM ui_sessions WHERE id = ?", vec![id.into()]).await?;
    Ok(())
}

/// Deletes sessions idle since before `idle_before` or created before `created_before`.
pub async fn delete_expired(
    c: &impl ConnectionTrait,
    idle_before: DateTime<Utc>,
    created_before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    exec(
        c,
        "DELETE FROM ui_sessions WHERE last_seen_at < ? OR created_at < ?",
        vec![idle_before.into(), created_before.into()],
    )
    .await
}
