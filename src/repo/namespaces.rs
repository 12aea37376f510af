//! Namespace rows for the management API.
use super::criteria;
use super::{exec, new_id, now, one};
use crate::domain::query::{ListQuery, NamespaceFilter, NamespaceOrder};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct NamespaceRow {
    pub id: Uuid,
    pub name: String,
    pub pulp_labels: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLS: &str = "n.id, n.name, n.pulp_labels, n.created_at, n.updated_at";

fn row(r: &QueryResult) -> Result<NamespaceRow, DbErr> {
    Ok(NamespaceRow {
        id: r.try_get("", "id")?,
        name: r.try_get("", "name")?,
        pulp_labels: r.try_get("", "pulp_labels")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

pub async fn list(
    c: &impl ConnectionTrait,
    q: &ListQuery<NamespaceFilter, NamespaceOrder>,
) -> Result<(u64, Vec<NamespaceRow>), DbErr> {
    let crit = super::lists::namespaces(q);
    let (count, rows) = criteria::page(c, COLS, "namespaces n", &crit).await?;
    Ok((count, rows.iter().map(row).collect::<Result<_, _>>()?))
}

pub async fn get(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<NamespaceRow>, DbErr> {
    let r = one(
        c,
        &format!("SELECT {COLS} FROM namespaces n WHERE n.id = ?"),
        vec![id.into()],
    )
    .await?;
    r.as_ref().map(row).transpose()
}

pub async fn by_name(c: &impl ConnectionTrait, name: &str) -> Result<Option<NamespaceRow>, DbErr> {
    let r = one(
        c,
        &format!("SELECT {COLS} FROM namespaces n WHERE n.name = ?"),
        vec![name.into()],
    )
    .await?;
    r.as_ref().map(row).transpose()
}

/// Inserts a namespace; `None` when the name is taken.
pub async fn insert(
    c: &impl ConnectionTrait,
    name: &str,
    labels: &str,
) -> Result<Option<Uuid>, DbErr> {
    let id = new_id();
    let t = now();
    let n = exec(
        c,
        "INSERT INTO namespaces (id, name, pulp_labels, created_at, updated_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (name) DO NOTHING",
        vec![id.into(), name.into(), labels.into(), t.into(), t.into()],
    )
    .await?;
    Ok((n == 1).then_some(id))
}

/// Deletes the namespace with its distributions and their push repositories (one transaction is
/// the caller's). A plain container repository one of them serves stays, without that
/// distribution, as when the distribution alone is deleted (Pulp 2.28). Content units stay for
/// orphan cleanup.
pub async fn delete_cascade(c: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    // The namespace row is locked first, as a distribution delete locks it first too: without
    // one order, a namespace delete and a delete of one of its distributions running at once
    // deadlock on PostgreSQL (repositories, then distributions, against the reverse).
    one(
        c,
        &format!(
            "SELECT id FROM namespaces WHERE id = ?{}",
            super::for_update(c)
        ),
        vec![id.into()],
    )
    .await?;
    exec(
        c,
        "DELETE FROM repositories WHERE namespace_id = ? OR (namespace_id IS NOT NULL AND id IN \
         (SELECT repository_id FROM distributions WHERE namespace_id = ? AND repository_id IS NOT NULL))",
        vec![id.into(), id.into()],
    )
    .await?;
    exec(
        c,
        "DELETE FROM user_roles WHERE object_id = ? OR object_id IN \
         (SELECT id FROM distributions WHERE namespace_id = ?)",
        vec![id.into(), id.into()],
    )
    .await?;
    exec(
        c,
        "DELETE FROM distributions WHERE namespace_id = ?",
        vec![id.into()],
    )
    .await?;
    Ok(exec(c, "DELETE FROM namespaces WHERE id = ?", vec![id.into()]).await? == 1)
}
