//! The `retention_policies` table: one row per policy, its patterns and rules stored as JSON
//! text (checked by `domain::retention` before they are written); reads, the typed list
//! (`domain::query::RetentionPolicyFilter`), and writes that report a taken name instead of
//! failing.
use super::criteria::{self, Criteria};
use super::{exec, new_id, now, one};
use crate::domain::query::{ListQuery, RetentionPolicyFilter as F, RetentionPolicyOrder as O};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, SqlErr, Value};
use uuid::Uuid;

/// A policy row as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PolicyRow {
    pub id: Uuid,
    pub name: String,
    pub namespace_id: Option<Uuid>,
    /// JSON array of repository globs.
    pub repositories: String,
    /// JSON array of repository globs.
    pub exclude_repositories: String,
    /// JSON array of `domain::retention::RuleSpec`.
    pub rules: String,
    pub enabled: bool,
    pub delay_seconds: i64,
    pub allow_empty: bool,
    pub undo_window_seconds: i64,
    pub schedule_seconds: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const COLS: &str = "p.id, p.name, p.namespace_id, p.repositories, p.exclude_repositories, \
    p.rules, p.enabled, p.delay_seconds, p.allow_empty, p.undo_window_seconds, \
    p.schedule_seconds, p.created_at, p.updated_at";

pub fn row(r: &QueryResult) -> Result<PolicyRow, DbErr> {
    Ok(PolicyRow {
        id: r.try_get("", "id")?,
        name: r.try_get("", "name")?,
        namespace_id: r.try_get("", "namespace_id")?,
        repositories: r.try_get("", "repositories")?,
        exclude_repositories: r.try_get("", "exclude_repositories")?,
        rules: r.try_get("", "rules")?,
        enabled: r.try_get("", "enabled")?,
        delay_seconds: r.try_get("", "delay_seconds")?,
        allow_empty: r.try_get("", "allow_empty")?,
        undo_window_seconds: r.try_get("", "undo_window_seconds")?,
        schedule_seconds: r.try_get("", "schedule_seconds")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

pub async fn get(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<PolicyRow>, DbErr> {
    let r = one(
        c,
        &format!("SELECT {COLS} FROM retention_policies p WHERE p.id = ?"),
        vec![id.into()],
    )
    .await?;
    r.as_ref().map(row).transpose()
}

/// What a create or update writes: every column but the id and the timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFields {
    pub name: String,
    pub namespace_id: Option<Uuid>,
    pub repositories: String,
    pub exclude_repositories: String,
    pub rules: String,
    pub enabled: bool,
    pub delay_seconds: i64,
    pub allow_empty: bool,
    pub undo_window_seconds: i64,
    pub schedule_seconds: Option<i64>,
}

impl PolicyFields {
    /// The writable part of a stored row.
    pub fn of(r: &PolicyRow) -> PolicyFields {
        PolicyFields {
            name: r.name.clone(),
            namespace_id: r.namespace_id,
            repositories: r.repositories.clone(),
            exclude_repositories: r.exclude_repositories.clone(),
            rules: r.rules.clone(),
            enabled: r.enabled,
            delay_seconds: r.delay_seconds,
            allow_empty: r.allow_empty,
            undo_window_seconds: r.undo_window_seconds,
            schedule_seconds: r.schedule_seconds,
        }
    }

    /// The values in column order after the id: name … schedule_seconds.
    fn values(&self) -> Vec<Value> {
        vec![
            self.name.clone().into(),
            self.namespace_id.into(),
            self.repositories.clone().into(),
            self.exclude_repositories.clone().into(),
            self.rules.clone().into(),
            self.enabled.into(),
            self.delay_seconds.into(),
            self.allow_empty.into(),
            self.undo_window_seconds.into(),
            self.schedule_seconds.into(),
        ]
    }
}

/// How a write ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Done(Uuid),
    /// Another policy has this name.
    NameTaken,
    /// No policy has this id (any more).
    Gone,
}

/// A unique violation (the name) as [`Written::NameTaken`]; other errors stay errors.
fn taken_or(e: DbErr) -> Result<Written, DbErr> {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Ok(Written::NameTaken),
        _ => Err(e),
    }
}

/// Inserts a policy.
pub async fn insert(c: &impl ConnectionTrait, f: &PolicyFields) -> Result<Written, DbErr> {
    let id = new_id();
    let t = now();
    let mut values = vec![id.into()];
    values.extend(f.values());
    values.extend([t.into(), t.into()]);
    let n = exec(
        c,
        "INSERT INTO retention_policies (id, name, namespace_id, repositories, \
         exclude_repositories, rules, enabled, delay_seconds, allow_empty, undo_window_seconds, \
         schedule_seconds, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (name) DO NOTHING",
        values,
    )
    .await
    .or_else(|e| taken_or(e).map(|_| 0))?;
    Ok(if n == 1 {
        Written::Done(id)
    } else {
        Written::NameTaken
    })
}

/// Replaces every writable column of policy `id` and its `updated_at`.
pub async fn update(
    c: &impl ConnectionTrait,
    id: Uuid,
    f: &PolicyFields,
) -> Result<Written, DbErr> {
    let mut values = f.values();
    values.extend([now().into(), id.into()]);
    let n = exec(
        c,
        "UPDATE retention_policies SET name = ?, namespace_id = ?, repositories = ?, \
         exclude_repositories = ?, rules = ?, enabled = ?, delay_seconds = ?, allow_empty = ?, \
         undo_window_seconds = ?, schedule_seconds = ?, updated_at = ? WHERE id = ?",
        values,
    )
    .await;
    match n {
        Ok(1) => Ok(Written::Done(id)),
        Ok(_) => Ok(Written::Gone),
        Err(e) => taken_or(e),
    }
}

/// Deletes policy `id`; whether it was there.
pub async fn delete(c: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "DELETE FROM retention_policies WHERE id = ?",
        vec![id.into()],
    )
    .await?;
    Ok(n == 1)
}

/// One page of the policies `q` asks for, and how many there are in all.
pub async fn list(
    c: &impl ConnectionTrait,
    q: &ListQuery<F, O>,
) -> Result<(u64, Vec<PolicyRow>), DbErr> {
    let mut crit = criteria_of(q);
    // Names sort byte by byte on both databases (PostgreSQL's default collation would not).
    for term in &mut crit.order {
        if let Some(rest) = term.strip_prefix("p.name") {
            *term = format!("p.name{}{rest}", super::collate(c));
        }
    }
    let (count, rows) = criteria::page(c, COLS, "retention_policies p", &crit).await?;
    Ok((count, rows.iter().map(row).collect::<Result<_, _>>()?))
}

fn criteria_of(q: &ListQuery<F, O>) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            F::NamespaceIn(ids) => c.any_of("p.namespace_id", ids),
            F::EveryNamespace(b) => c.push("p.namespace_id", criteria::Op::IsNull(*b)),
            F::Name(t) => c.text("p.name", t),
            F::IdIn(ids) => c.any_of("p.id", ids),
            F::Enabled(b) => c.push("p.enabled", criteria::Op::Eq((*b).into())),
        }
    }
    c.order(
        &q.order,
        |o| match o {
            O::Name => "p.name",
            O::Enabled => "p.enabled",
            O::Created => "p.created_at",
            O::Updated => "p.updated_at",
            O::Id => "p.id",
        },
        &["p.name"],
    );
    c.page(q.page);
    c
}
