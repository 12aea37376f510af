//! The `schedules` table: when each periodic job is next due. Claiming a run is one atomic
//! `UPDATE … WHERE next_run_at <= now` (rows affected = 1 wins), the same on SQLite and
//! PostgreSQL, so replicas ticking together run each job once.
use super::{exec, one};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

/// Creates the row of job `name`, first due at `first_due`, if it is missing.
pub async fn ensure(
    c: &impl ConnectionTrait,
    name: &str,
    first_due: DateTime<Utc>,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO schedules (name, next_run_at, last_run_at) VALUES (?, ?, NULL) \
         ON CONFLICT (name) DO NOTHING",
        vec![name.into(), first_due.into()],
    )
    .await?;
    Ok(())
}

/// `(next_run_at, last_run_at)` of job `name`.
pub async fn get(
    c: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<(DateTime<Utc>, Option<DateTime<Utc>>)>, DbErr> {
    one(
        c,
        "SELECT next_run_at, last_run_at FROM schedules WHERE name = ?",
        vec![name.into()],
    )
    .await?
    .map(|r| Ok((r.try_get("", "next_run_at")?, r.try_get("", "last_run_at")?)))
    .transpose()
}

/// Brings job `name` forward to `to` if it is due later.
pub async fn bring_forward(
    c: &impl ConnectionTrait,
    name: &str,
    to: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE schedules SET next_run_at = ? WHERE name = ? AND next_run_at > ?",
        vec![to.into(), name.into(), to.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Claims the run of job `name` due at or before `now`, moving it to `next`; `true` when this
/// caller won it.
pub async fn claim(
    c: &impl ConnectionTrait,
    name: &str,
    now: DateTime<Utc>,
    next: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE schedules SET next_run_at = ?, last_run_at = ? WHERE name = ? AND next_run_at <= ?",
        vec![next.into(), now.into(), name.into(), now.into()],
    )
    .await?;
    Ok(n == 1)
}
