//! Push repository rows and their versions, for the management API.
use super::criteria;
use super::{exec, now, one};
use crate::domain::query::{
    ListQuery, RepositoryFilter, RepositoryOrder, VersionFilter, VersionOrder,
};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PushRepoRow {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub retain_repo_versions: Option<i64>,
    pub pulp_labels: String,
    pub latest_version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// A plain container repository (no namespace), not a push repository.
    #[serde(default)]
    pub container: bool,
}

pub const COLS: &str = "r.id, r.name, r.description, r.retain_repo_versions, r.pulp_labels, \
    r.next_version - 1 AS latest_version, r.created_at, r.updated_at, \
    CASE WHEN r.namespace_id IS NULL THEN 1 ELSE 0 END AS container";

fn row(r: &QueryResult) -> Result<PushRepoRow, DbErr> {
    Ok(PushRepoRow {
        id: r.try_get("", "id")?,
        name: r.try_get("", "name")?,
        description: r.try_get("", "description")?,
        retain_repo_versions: r.try_get("", "retain_repo_versions")?,
        pulp_labels: r.try_get("", "pulp_labels")?,
        latest_version: r.try_get("", "latest_version")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
        container: r.try_get::<i32>("", "container")? == 1,
    })
}

pub async fn list(
    c: &impl ConnectionTrait,
    q: &ListQuery<RepositoryFilter, RepositoryOrder>,
) -> Result<(u64, Vec<PushRepoRow>), DbErr> {
    let crit = super::lists::repositories(q);
    let (count, rows) = criteria::page(c, COLS, "repositories r", &crit).await?;
    Ok((count, rows.iter().map(row).collect::<Result<_, _>>()?))
}

pub async fn get(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<PushRepoRow>, DbErr> {
    let r = one(
        c,
        &format!("SELECT {COLS} FROM repositories r WHERE r.id = ?"),
        vec![id.into()],
    )
    .await?;
    r.as_ref().map(row).transpose()
}

pub async fn update(c: &impl ConnectionTrait, r: &PushRepoRow) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE repositories SET name = ?, description = ?, retain_repo_versions = ?, pulp_labels = ?, updated_at = ? \
         WHERE id = ?",
        vec![
            r.name.clone().into(),
            r.description.clone().into(),
            r.retain_repo_versions.into(),
            r.pulp_labels.clone().into(),
            now().into(),
            r.id.into(),
        ],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct VersionRow {
    pub id: Uuid,
    pub repository_id: Uuid,
    pub number: i64,
    pub content_summary: String,
    pub created_at: DateTime<Utc>,
    /// The version of a plain container repository (its href differs).
    pub container: bool,
}

pub const VCOLS: &str = "v.id, v.repository_id, v.number, v.content_summary, v.created_at, \
    CASE WHEN EXISTS (SELECT 1 FROM repositories cr WHERE cr.id = v.repository_id \
    AND cr.namespace_id IS NULL) THEN 1 ELSE 0 END AS container";

fn vrow(r: &QueryResult) -> Result<VersionRow, DbErr> {
    Ok(VersionRow {
        id: r.try_get("", "id")?,
        repository_id: r.try_get("", "repository_id")?,
        number: r.try_get("", "number")?,
        content_summary: r.try_get("", "content_summary")?,
        created_at: r.try_get("", "created_at")?,
        container: r.try_get::<i32>("", "container")? == 1,
    })
}

pub async fn versions(
    c: &impl ConnectionTrait,
    q: &ListQuery<VersionFilter, VersionOrder>,
) -> Result<(u64, Vec<VersionRow>), DbErr> {
    let crit = super::lists::versions(q);
    let (count, rows) = criteria::page(c, VCOLS, "repository_versions v", &crit).await?;
    Ok((count, rows.iter().map(vrow).collect::<Result<_, _>>()?))
}

pub async fn version(
    c: &impl ConnectionTrait,
    repo: Uuid,
    number: i64,
) -> Result<Option<VersionRow>, DbErr> {
    let r = one(
        c,
        &format!(
            "SELECT {VCOLS} FROM repository_versions v WHERE v.repository_id = ? AND v.number = ?"
        ),
        vec![repo.into(), number.into()],
    )
    .await?;
    r.as_ref().map(vrow).transpose()
}

/// The namespace a push repository belongs to.
pub async fn namespace_of(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<Uuid>, DbErr> {
    let r = one(
        c,
        "SELECT namespace_id FROM repositories WHERE id = ?",
        vec![id.into()],
    )
    .await?;
    Ok(r.map(|r| r.try_get("", "namespace_id"))
        .transpose()?
        .flatten())
}
