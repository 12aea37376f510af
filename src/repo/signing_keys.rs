//! The token signing keys every replica shares, as PEM text by name: the current key, and
//! retired keys kept (verify-only) until their `verify_until`.
use super::{all as rows, exec, for_update, now, one};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

/// The PEM of key `name`, if stored.
pub async fn get(c: &impl ConnectionTrait, name: &str) -> Result<Option<String>, DbErr> {
    let row = one(
        c,
        "SELECT private_pem FROM signing_keys WHERE name = ?",
        vec![name.into()],
    )
    .await?;
    row.map(|r| r.try_get::<String>("", "private_pem"))
        .transpose()
}

/// Stores key `name` unless one is stored already (concurrent first starts converge on
/// whichever insert won).
pub async fn insert_new(c: &impl ConnectionTrait, name: &str, pem: &str) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO signing_keys (name, private_pem, created_at) VALUES (?, ?, ?) \
         ON CONFLICT (name) DO NOTHING",
        vec![name.into(), pem.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// The PEM of key `name`, locking its row until the transaction ends (PostgreSQL; SQLite's
/// write transaction holds the database).
pub async fn get_locked(c: &impl ConnectionTrait, name: &str) -> Result<Option<String>, DbErr> {
    let sql = format!(
        "SELECT private_pem FROM signing_keys WHERE name = ?{}",
        for_update(c)
    );
    let row = one(c, &sql, vec![name.into()]).await?;
    row.map(|r| r.try_get::<String>("", "private_pem"))
        .transpose()
}

/// Every key as `(name, pem, verify_until)`.
pub async fn all(
    c: &impl ConnectionTrait,
) -> Result<Vec<(String, String, Option<DateTime<Utc>>)>, DbErr> {
    rows(
        c,
        "SELECT name, private_pem, verify_until FROM signing_keys ORDER BY name",
        vec![],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok((
            r.try_get("", "name")?,
            r.try_get("", "private_pem")?,
            r.try_get("", "verify_until")?,
        ))
    })
    .collect()
}

/// Replaces the PEM of key `name` (a rotation's new current key).
pub async fn replace(c: &impl ConnectionTrait, name: &str, pem: &str) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE signing_keys SET private_pem = ?, created_at = ?, verify_until = NULL \
         WHERE name = ?",
        vec![pem.into(), now().into(), name.into()],
    )
    .await?;
    Ok(())
}

/// Stores a retired key, verified until `until`.
pub async fn put_retired(
    c: &impl ConnectionTrait,
    name: &str,
    pem: &str,
    until: DateTime<Utc>,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO signing_keys (name, private_pem, created_at, verify_until) \
         VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET verify_until = excluded.verify_until",
        vec![name.into(), pem.into(), now().into(), until.into()],
    )
    .await?;
    Ok(())
}

/// Deletes retired keys whose time is over; returns how many.
pub async fn drop_retired(c: &impl ConnectionTrait, at: DateTime<Utc>) -> Result<u64, DbErr> {
    exec(
        c,
        "DELETE FROM signing_keys WHERE verify_until IS NOT NULL AND verify_until <= ?",
        vec![at.into()],
    )
    .await
}
