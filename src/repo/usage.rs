//! Storage usage: the bytes of the distinct blobs a set of repositories or namespaces holds
//! (each blob once per repository / namespace), and the registry's totals. One statement per
//! page of objects, grouped, so a list costs one query whatever its length.
use super::{all, one, placeholders};
use sea_orm::{ConnectionTrait, DbErr, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Sums `size` over the distinct `(owner, blob)` pairs of `pairs` (a subquery yielding
/// `owner_id, blob_id`), per owner among `ids`.
async fn grouped(
    c: &impl ConnectionTrait,
    pairs: &str,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT d.owner_id, CAST(COALESCE(SUM(b.size), 0) AS BIGINT) AS n \
         FROM (SELECT DISTINCT owner_id, blob_id FROM ({pairs}) p WHERE owner_id IN ({})) d \
         JOIN blobs b ON b.id = d.blob_id GROUP BY d.owner_id",
        placeholders(ids.len())
    );
    let values: Vec<Value> = ids.iter().map(|id| Value::from(*id)).collect();
    all(c, &sql, values)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "owner_id")?, r.try_get("", "n")?)))
        .collect()
}

/// Per repository among `ids`: the bytes of the blobs any kept version holds (membership
/// rows exist only for kept versions).
pub async fn repository_bytes(
    c: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    grouped(
        c,
        "SELECT rc.repository_id AS owner_id, rc.content_id AS blob_id FROM repository_content rc \
         WHERE rc.content_type = 'blob'",
        ids,
    )
    .await
}

/// Per namespace among `ids`: the bytes of the blobs any kept version of any of its
/// repositories holds.
pub async fn namespace_bytes(
    c: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    grouped(
        c,
        "SELECT r.namespace_id AS owner_id, rc.content_id AS blob_id FROM repository_content rc \
         JOIN repositories r ON r.id = rc.repository_id WHERE rc.content_type = 'blob'",
        ids,
    )
    .await
}

/// The registry's blobs: how many, their bytes, and the bytes of those no repository version
/// references (neither holds them nor holds a manifest using them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub blobs: i64,
    pub stored_bytes: i64,
    pub unreferenced_bytes: i64,
}

pub async fn totals(c: &impl ConnectionTrait) -> Result<Totals, DbErr> {
    let sql = "SELECT (SELECT COUNT(*) FROM blobs) AS blobs, \
         (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM blobs) AS stored, \
         (SELECT CAST(COALESCE(SUM(x.size), 0) AS BIGINT) FROM blobs x \
          WHERE NOT EXISTS (SELECT 1 FROM repository_content rc WHERE rc.content_id = x.id) \
          AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb JOIN repository_content rc \
            ON rc.content_id = mb.manifest_id WHERE mb.blob_id = x.id) \
          AND NOT EXISTS (SELECT 1 FROM manifests m JOIN repository_content rc \
            ON rc.content_id = m.id WHERE m.config_blob_id = x.id)) AS unreferenced";
    let row = one(c, sql, vec![])
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("totals".into()))?;
    Ok(Totals {
        blobs: row.try_get("", "blobs")?,
        stored_bytes: row.try_get("", "stored")?,
        unreferenced_bytes: row.try_get("", "unreferenced")?,
    })
}

/// The gauges `/metrics` reports: repositories, manifests, blobs and their bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub repositories: i64,
    pub manifests: i64,
    pub blobs: i64,
    pub stored_bytes: i64,
}

pub async fn counts(c: &impl ConnectionTrait) -> Result<Counts, DbErr> {
    let sql = "SELECT (SELECT COUNT(*) FROM repositories) AS repositories, \
         (SELECT COUNT(*) FROM manifests) AS manifests, \
         (SELECT COUNT(*) FROM blobs) AS blobs, \
         (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM blobs) AS stored";
    let row = one(c, sql, vec![])
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("counts".into()))?;
    Ok(Counts {
        repositories: row.try_get("", "repositories")?,
        manifests: row.try_get("", "manifests")?,
        blobs: row.try_get("", "blobs")?,
        stored_bytes: row.try_get("", "stored")?,
    })
}
