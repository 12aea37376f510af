//! Content units (blobs, manifests, tags) as the management API lists them. A page of
//! manifests costs three queries whatever its size: the page, its blob links, its list links.
use super::content::table;
use super::criteria;
use super::{all, placeholders};
use crate::domain::content::ContentKind;
use crate::domain::query::{ContentFilter, ContentOrder, ListQuery};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// The `FROM` of a list of `kind`: its table as `x`.
fn from(kind: ContentKind) -> String {
    format!("{} x", table(kind))
}

#[derive(Debug, Clone)]
pub struct BlobUnit {
    pub id: Uuid,
    pub digest: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ManifestUnit {
    pub id: Uuid,
    pub digest: String,
    pub media_type: String,
    pub schema_version: i64,
    pub config_blob_id: Option<Uuid>,
    pub annotations: String,
    pub labels: String,
    pub kind: String,
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub compressed_size: i64,
    pub created_at: DateTime<Utc>,
    pub blobs: Vec<Uuid>,
    pub listed: Vec<Uuid>,
}

#[derive(Debug, Clone)]
pub struct TagUnit {
    pub id: Uuid,
    pub name: String,
    pub manifest_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A content list's query.
pub type ContentQuery = ListQuery<ContentFilter, ContentOrder>;

pub async fn blobs(
    c: &impl ConnectionTrait,
    q: &ContentQuery,
) -> Result<(u64, Vec<BlobUnit>), DbErr> {
    let crit = super::lists::content(q, ContentKind::Blob);
    let (n, rows) = criteria::page(
        c,
        "x.id, x.digest, x.created_at",
        &from(ContentKind::Blob),
        &crit,
    )
    .await?;
    let units = rows
        .iter()
        .map(|r| {
            Ok(BlobUnit {
                id: r.try_get("", "id")?,
                digest: r.try_get("", "digest")?,
                created_at: r.try_get("", "created_at")?,
            })
        })
        .collect::<Result<_, DbErr>>()?;
    Ok((n, units))
}

pub async fn tags(
    c: &impl ConnectionTrait,
    q: &ContentQuery,
) -> Result<(u64, Vec<TagUnit>), DbErr> {
    let crit = super::lists::content(q, ContentKind::Tag);
    let (n, rows) = criteria::page(
        c,
        "x.id, x.name, x.manifest_id, x.created_at",
        &from(ContentKind::Tag),
        &crit,
    )
    .await?;
    let units = rows
        .iter()
        .map(|r| {
            Ok(TagUnit {
                id: r.try_get("", "id")?,
                name: r.try_get("", "name")?,
                manifest_id: r.try_get("", "manifest_id")?,
                created_at: r.try_get("", "created_at")?,
            })
        })
        .collect::<Result<_, DbErr>>()?;
    Ok((n, units))
}

fn manifest(r: &QueryResult) -> Result<ManifestUnit, DbErr> {
    Ok(ManifestUnit {
        id: r.try_get("", "id")?,
        digest: r.try_get("", "digest")?,
        media_type: r.try_get("", "media_type")?,
        schema_version: r.try_get("", "schema_version")?,
        config_blob_id: r.try_get("", "config_blob_id")?,
        annotations: r.try_get("", "annotations")?,
        labels: r.try_get("", "labels")?,
        kind: r.try_get("", "kind")?,
        os: r.try_get("", "os")?,
        architecture: r.try_get("", "architecture")?,
        compressed_size: r.try_get("", "compressed_size")?,
        created_at: r.try_get("", "created_at")?,
        blobs: vec![],
        listed: vec![],
    })
}

async fn links(
    c: &impl ConnectionTrait,
    sql: &str,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>, DbErr> {
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = sql.replace("{in}", &placeholders(ids.len()));
    for r in all(c, &sql, ids.iter().map(|u| Value::from(*u)).collect()).await? {
        let k: Uuid = r.try_get_by_index(0)?;
        out.entry(k).or_default().push(r.try_get_by_index(1)?);
    }
    Ok(out)
}

pub async fn manifests(
    c: &impl ConnectionTrait,
    q: &ContentQuery,
) -> Result<(u64, Vec<ManifestUnit>), DbErr> {
    let crit = super::lists::content(q, ContentKind::Manifest);
    let cols = "x.id, x.digest, x.media_type, x.schema_version, x.config_blob_id, x.annotations, x.labels, x.kind, \
                x.os, x.architecture, x.compressed_size, x.created_at";
    let (n, rows) = criteria::page(c, cols, &from(ContentKind::Manifest), &crit).await?;
    let mut units: Vec<ManifestUnit> = rows.iter().map(manifest).collect::<Result<_, _>>()?;
    let ids: Vec<Uuid> = units.iter().map(|u| u.id).collect();
    let mut blobs = links(
        c,
        "SELECT manifest_id, blob_id FROM manifest_blobs WHERE manifest_id IN ({in})",
        &ids,
    )
    .await?;
    let mut listed = links(
        c,
        "SELECT list_id, manifest_id FROM manifest_list_manifests WHERE list_id IN ({in})",
        &ids,
    )
    .await?;
    for u in &mut units {
        u.blobs = blobs.remove(&u.id).unwrap_or_default();
        u.blobs.retain(|b| Some(*b) != u.config_blob_id);
        u.listed = listed.remove(&u.id).unwrap_or_default();
    }
    Ok((n, units))
}
