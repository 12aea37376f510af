//! The `retention_policies` table: one row per policy, its patterns and rules stored as JSON
//! text (checked by `domain::retention` before they are written).
use super::one;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
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
