//! The apalis job rows behind berth's task queue: `Jobs` in the SQLite queue file
//! (`<database>-queue`) or `apalis.jobs` in PostgreSQL. A job's payload is the JSON
//! `{"task_id": …}` of the task it runs; the task row in berth's database is the record, so
//! finished jobs are kept only briefly and jobs of purged tasks go with them. Written in raw
//! SQL: these tables belong to apalis, not to berth's schema, and have no sea-orm entities.
use chrono::{DateTime, Utc};
use sea_orm::sqlx::{AssertSqlSafe, PgPool, SqlitePool};
use uuid::Uuid;

/// apalis states after which a job never runs again.
const FINISHED: &str =
    "(status IN ('Done', 'Killed') OR (status = 'Failed' AND attempts >= max_attempts))";

/// Largest `IN (…)` list sent in one statement.
const CHUNK: usize = 500;

/// Deletes finished jobs done before `before`; returns how many.
pub async fn trim_sqlite(
    pool: &SqlitePool,
    before: DateTime<Utc>,
) -> Result<u64, sea_orm::sqlx::Error> {
    let sql = format!("DELETE FROM Jobs WHERE {FINISHED} AND done_at IS NOT NULL AND done_at < ?");
    let r = sea_orm::sqlx::query(AssertSqlSafe(sql))
        .bind(before.timestamp())
        .execute(pool)
        .await?;
    Ok(r.rows_affected())
}

pub async fn trim_postgres(
    pool: &PgPool,
    before: DateTime<Utc>,
) -> Result<u64, sea_orm::sqlx::Error> {
    let sql = format!(
        "DELETE FROM apalis.jobs WHERE {FINISHED} AND done_at IS NOT NULL AND done_at < $1"
    );
    let r = sea_orm::sqlx::query(AssertSqlSafe(sql))
        .bind(before)
        .execute(pool)
        .await?;
    Ok(r.rows_affected())
}

/// Deletes the jobs (unless a worker holds one right now) of `tasks`; returns how many.
pub async fn forget_sqlite(pool: &SqlitePool, tasks: &[Uuid]) -> Result<u64, sea_orm::sqlx::Error> {
    let mut n = 0;
    for chunk in tasks.chunks(CHUNK) {
        let sql = format!(
            "DELETE FROM Jobs WHERE status <> 'Running' \
             AND json_extract(CAST(job AS TEXT), '$.task_id') IN ({})",
            super::placeholders(chunk.len())
        );
        let mut q = sea_orm::sqlx::query(AssertSqlSafe(sql));
        for t in chunk {
            q = q.bind(t.to_string());
        }
        n += q.execute(pool).await?.rows_affected();
    }
    Ok(n)
}

pub async fn forget_postgres(pool: &PgPool, tasks: &[Uuid]) -> Result<u64, sea_orm::sqlx::Error> {
    let mut n = 0;
    for chunk in tasks.chunks(CHUNK) {
        let ids: Vec<String> = chunk.iter().map(|t| t.to_string()).collect();
        n += sea_orm::sqlx::query(
            "DELETE FROM apalis.jobs WHERE status <> 'Running' \
             AND convert_from(job, 'UTF8')::jsonb ->> 'task_id' = ANY($1)",
        )
        .bind(ids)
        .execute(pool)
        .await?
        .rows_affected();
    }
    Ok(n)
}

/// The workers apalis saw within `within_secs` seconds, with when: `(name, last seen)`.
pub async fn workers_sqlite(
    pool: &SqlitePool,
    within_secs: i64,
) -> Result<Vec<(String, DateTime<Utc>)>, sea_orm::sqlx::Error> {
    let cutoff = Utc::now().timestamp() - within_secs;
    let rows: Vec<(String, i64)> = sea_orm::sqlx::query_as(
        "SELECT id, last_seen FROM Workers WHERE last_seen >= ? ORDER BY id",
    )
    .bind(cutoff)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, at)| (id, DateTime::from_timestamp(at, 0).unwrap_or_default()))
        .collect())
}

pub async fn workers_postgres(
    pool: &PgPool,
    within_secs: i64,
) -> Result<Vec<(String, DateTime<Utc>)>, sea_orm::sqlx::Error> {
    let cutoff = Utc::now() - chrono::Duration::seconds(within_secs);
    sea_orm::sqlx::query_as(
        "SELECT id, last_seen FROM apalis.workers WHERE last_seen >= $1 ORDER BY id",
    )
    .bind(cutoff)
    .fetch_all(pool)
    .await
}
