//! `repository_pulls`: when each tag and manifest was last pulled from a repository, and how
//! often. Written in batches by the pull tracker (`service::pulls`); read by the retention
//! engine (`latest_pulled`, `pulled_within`).
//!
//! The batch write is raw SQL: one `INSERT … SELECT … FROM (VALUES …) … ON CONFLICT` per chunk
//! filters out rows whose repository or content went away and merges the rest in a single
//! statement, which the query builder cannot express (a `VALUES` table joined by
//! `EXISTS`). `VALUES` columns are named `column1…` on both SQLite and PostgreSQL.
use super::{all, exec, placeholders};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Pulls of one content unit from one repository since the last flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRow {
    pub repository: Uuid,
    /// A tag id or a manifest id.
    pub content: Uuid,
    pub last_pulled_at: DateTime<Utc>,
    pub count: i64,
}

/// Rows per statement: 4 parameters each, far below SQLite's 32,766 and PostgreSQL's 65,535.
pub const CHUNK: usize = 500;

/// Merges `rows` (at most [`CHUNK`], one per key) into `repository_pulls`: `last_pulled_at`
/// becomes the later of the stored and the new time, `pull_count` grows by `count`. Rows whose
/// repository or content no longer exists are skipped. Returns the rows written.
pub async fn merge(c: &impl ConnectionTrait, rows: &[PullRow]) -> Result<u64, DbErr> {
    if rows.is_empty() {
        return Ok(0);
    }
    let tuples = vec!["(?, ?, ?, ?)"; rows.len()].join(", ");
    let sql = format!(
        "INSERT INTO repository_pulls (repository_id, content_id, last_pulled_at, pull_count) \
         SELECT v.column1, v.column2, v.column3, v.column4 FROM (VALUES {tuples}) AS v \
         WHERE EXISTS (SELECT 1 FROM repositories r WHERE r.id = v.column1) \
         AND (EXISTS (SELECT 1 FROM tags t WHERE t.id = v.column2) \
              OR EXISTS (SELECT 1 FROM manifests m WHERE m.id = v.column2)) \
         ON CONFLICT (repository_id, content_id) DO UPDATE SET \
         last_pulled_at = CASE WHEN excluded.last_pulled_at > repository_pulls.last_pulled_at \
              THEN excluded.last_pulled_at ELSE repository_pulls.last_pulled_at END, \
         pull_count = repository_pulls.pull_count + excluded.pull_count"
    );
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * 4);
    for r in rows {
        values.push(r.repository.into());
        values.push(r.content.into());
        values.push(r.last_pulled_at.into());
        values.push(r.count.into());
    }
    exec(c, &sql, values).await
}

/// Every content unit of `repo` that was pulled: content id (tag or manifest) →
/// (last pulled, pull count). Content that left the repository may still be listed; callers
/// look up the ids they hold.
pub async fn for_repository(
    c: &impl ConnectionTrait,
    repo: Uuid,
) -> Result<HashMap<Uuid, (DateTime<Utc>, i64)>, DbErr> {
    let rows = all(
        c,
        "SELECT content_id, last_pulled_at, pull_count FROM repository_pulls \
         WHERE repository_id = ?",
        vec![repo.into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "content_id")?,
                (
                    r.try_get("", "last_pulled_at")?,
                    r.try_get("", "pull_count")?,
                ),
            ))
        })
        .collect()
}

/// The figures of `contents` in `repo` (ids not pulled are absent).
pub async fn for_contents(
    c: &impl ConnectionTrait,
    repo: Uuid,
    contents: &[Uuid],
) -> Result<HashMap<Uuid, (DateTime<Utc>, i64)>, DbErr> {
    let mut out = HashMap::with_capacity(contents.len());
    for chunk in contents.chunks(CHUNK) {
        let sql = format!(
            "SELECT content_id, last_pulled_at, pull_count FROM repository_pulls \
             WHERE repository_id = ? AND content_id IN ({})",
            placeholders(chunk.len())
        );
        let mut values: Vec<Value> = vec![repo.into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        for r in all(c, &sql, values).await? {
            out.insert(
                r.try_get("", "content_id")?,
                (
                    r.try_get("", "last_pulled_at")?,
                    r.try_get("", "pull_count")?,
                ),
            );
        }
    }
    Ok(out)
}

/// Deletes the figures of content units that no longer exist (after orphan cleanup); returns
/// how many rows went. A scan of the table: for housekeeping, not for a request.
pub async fn forget_deleted_content(c: &impl ConnectionTrait) -> Result<u64, DbErr> {
    exec(
        c,
        "DELETE FROM repository_pulls WHERE \
         NOT EXISTS (SELECT 1 FROM tags t WHERE t.id = repository_pulls.content_id) \
         AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.id = repository_pulls.content_id)",
        vec![],
    )
    .await
}
