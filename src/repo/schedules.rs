//! The `schedules` table: when each periodic job is next due. Claiming a run is one atomic
//! `UPDATE … WHERE next_run_at <= now` (rows affected = 1 wins), the same on SQLite and
//! PostgreSQL, so replicas ticking together run each job once.
use super::exec;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

/// Creates the row of job `name` (first due at `first_due`) if it is missing, and brings a due
/// time further away than `latest_due` (the interval was shortened) back to it.
pub async fn ensure(
    c: &impl ConnectionTrait,
    name: &str,
    first_due: DateTime<Utc>,
    latest_due: DateTime<Utc>,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO schedules (name, next_run_at, last_run_at) VALUES (?, ?, NULL) \
         ON CONFLICT (name) DO NOTHING",
        vec![name.into(), first_due.into()],
    )
    .await?;
    exec(
        c,
        "UPDATE schedules SET next_run_at = ? WHERE name = ? AND next_run_at > ?",
        vec![latest_due.into(), name.into(), latest_due.into()],
    )
    .await?;
    Ok(())
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
