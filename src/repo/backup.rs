//! What `berth backup` asks of the database: a hold on orphan cleanup's byte deletion (a row in
//! `backup_holds` with an expiry, so a killed backup cannot hold forever), and SQLite's online
//! copy of a live database (`VACUUM INTO`: one read transaction, a consistent snapshot, while
//! writers carry on).
use super::{exec, one};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

/// Holds (or renews the hold `name`) until `expires_at`.
pub async fn hold(
    c: &impl ConnectionTrait,
    name: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO backup_holds (name, expires_at) VALUES (?, ?) \
         ON CONFLICT (name) DO UPDATE SET expires_at = excluded.expires_at",
        vec![name.into(), expires_at.into()],
    )
    .await?;
    Ok(())
}

/// Ends the hold `name`, and forgets any that expired.
pub async fn release(c: &impl ConnectionTrait, name: &str) -> Result<(), DbErr> {
    exec(
        c,
        "DELETE FROM backup_holds WHERE name = ? OR expires_at <= ?",
        vec![name.into(), super::now().into()],
    )
    .await?;
    Ok(())
}

/// Whether a backup holds orphan cleanup now (an unexpired row).
pub async fn held(c: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(one(
        c,
        "SELECT 1 AS held FROM backup_holds WHERE expires_at > ? LIMIT 1",
        vec![super::now().into()],
    )
    .await?
    .is_some())
}

/// Writes a consistent copy of the SQLite database `c` is connected to into the new file
/// `dest` (which must not exist).
pub async fn vacuum_into(c: &impl ConnectionTrait, dest: &str) -> Result<(), DbErr> {
    exec(c, "VACUUM INTO ?", vec![dest.into()]).await?;
    Ok(())
}
