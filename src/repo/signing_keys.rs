//! The token signing keys every replica shares, as PEM text by name.
use super::{exec, now, one};
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
