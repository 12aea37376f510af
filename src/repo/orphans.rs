//! What makes content an orphan, and the statements orphan cleanup runs (ARCHITECTURE.md §5).
//! A tag or manifest is an orphan when no repository version holds it, no repository has it
//! pending, and it was not touched within the protection time. A blob is an orphan when no
//! version holds it, no manifest uses it, it was not touched within the protection time, and
//! no repository has it pending *since* the protection cutoff: a blob uploaded but never
//! referenced by a manifest becomes reclaimable once older than the protection time (a push in
//! progress uploads its blobs moments before its manifest, well inside that time).
use super::{all, exec, placeholders};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};
use uuid::Uuid;

/// Orphan condition on tags and manifests `x` (one value: the cutoff).
const UNREFERENCED: &str = "NOT EXISTS (SELECT 1 FROM repository_content rc WHERE rc.content_id = x.id) \
    AND NOT EXISTS (SELECT 1 FROM repository_pending pe WHERE pe.content_id = x.id) AND x.touched_at < ?";

/// "In no repository" for blobs `x` (two values: the cutoff, twice): pending references older
/// than the cutoff no longer count.
const UNHELD_BLOB: &str = "NOT EXISTS (SELECT 1 FROM repository_content rc WHERE rc.content_id = x.id) \
    AND NOT EXISTS (SELECT 1 FROM repository_pending pe WHERE pe.content_id = x.id AND pe.created_at >= ?) \
    AND x.touched_at < ?";

/// Orphan condition on blobs `x`: in no repository, and used by no manifest.
const UNREFERENCED_BLOB: &str = "NOT EXISTS (SELECT 1 FROM repository_content rc WHERE rc.content_id = x.id) \
    AND NOT EXISTS (SELECT 1 FROM repository_pending pe WHERE pe.content_id = x.id AND pe.created_at >= ?) \
    AND x.touched_at < ? \
    AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_id = x.id) \
    AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.config_blob_id = x.id)";

/// The condition "content `x` of `kind` (`blob`, `manifest`, `tag`) is in no repository and
/// untouched since `cutoff`", with its values, for the content lists' `orphaned_for` filter.
pub fn condition(kind: &str, cutoff: DateTime<Utc>) -> (String, Vec<Value>) {
    if kind == super::content::BLOB {
        (UNHELD_BLOB.into(), vec![cutoff.into(), cutoff.into()])
    } else {
        (UNREFERENCED.into(), vec![cutoff.into()])
    }
}

fn scope(only: Option<&[Uuid]>) -> (String, Vec<Value>) {
    match only {
        None => (String::new(), vec![]),
        Some([]) => (" AND 1 = 0".into(), vec![]),
        Some(ids) => (
            format!(" AND x.id IN ({})", placeholders(ids.len())),
            ids.iter().map(|u| Value::from(*u)).collect(),
        ),
    }
}

/// Deletes orphaned tags (restricted to `only` when given); returns how many.
pub async fn delete_tags(
    c: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    only: Option<&[Uuid]>,
) -> Result<u64, DbErr> {
    let (sc, sv) = scope(only);
    let mut values = vec![Value::from(cutoff)];
    values.extend(sv);
    exec(
        c,
        &format!("DELETE FROM tags WHERE id IN (SELECT x.id FROM tags x WHERE {UNREFERENCED}{sc})"),
        values,
    )
    .await
}

/// Deletes orphaned manifests no list or tag uses; returns how many (repeat while it frees
/// the children of deleted lists).
pub async fn delete_manifests(
    c: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    only: Option<&[Uuid]>,
) -> Result<u64, DbErr> {
    let (sc, sv) = scope(only);
    let mut values = vec![Value::from(cutoff)];
    values.extend(sv);
    let sql = format!(
        "DELETE FROM manifests WHERE id IN (SELECT x.id FROM manifests x WHERE {UNREFERENCED}{sc} \
         AND NOT EXISTS (SELECT 1 FROM manifest_list_manifests l WHERE l.manifest_id = x.id) \
         AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = x.id))"
    );
    exec(c, &sql, values).await
}

/// Up to `limit` orphaned blobs as `(id, digest)`.
pub async fn blob_batch(
    c: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    only: Option<&[Uuid]>,
    limit: usize,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    let (sc, sv) = scope(only);
    let mut values = vec![Value::from(cutoff), Value::from(cutoff)];
    values.extend(sv);
    let sql =
        format!("SELECT x.id, x.digest FROM blobs x WHERE {UNREFERENCED_BLOB}{sc} LIMIT {limit}");
    all(c, &sql, values)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "digest")?)))
        .collect()
}

/// Deletes those of `ids` that are still orphans, with their (stale) pending references;
/// returns the digests of the deleted blobs. The orphan conditions are re-checked on each
/// deleted row itself (correlated), so the statement costs O(batch), not a scan of every blob.
pub async fn delete_blobs(
    c: &impl ConnectionTrait,
    ids: &[Uuid],
    cutoff: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut values: Vec<Value> = ids.iter().map(|id| Value::from(*id)).collect();
    values.push(cutoff.into());
    values.push(cutoff.into());
    let sql = format!(
        "DELETE FROM blobs WHERE id IN ({}) AND {} RETURNING id, digest",
        placeholders(ids.len()),
        UNREFERENCED_BLOB
            .replace("x.id", "blobs.id")
            .replace("x.", "blobs.")
    );
    let rows = all(c, &sql, values).await?;
    let mut gone_ids = vec![];
    let mut digests = vec![];
    for r in rows {
        gone_ids.push(Value::from(r.try_get::<Uuid>("", "id")?));
        digests.push(r.try_get("", "digest")?);
    }
    if !gone_ids.is_empty() {
        let sql = format!(
            "DELETE FROM repository_pending WHERE content_id IN ({})",
            placeholders(gone_ids.len())
        );
        exec(c, &sql, gone_ids).await?;
    }
    Ok(digests)
}

/// Which of `digests` have a blob row.
pub async fn known_digests(
    c: &impl ConnectionTrait,
    digests: &[String],
) -> Result<std::collections::HashSet<String>, DbErr> {
    if digests.is_empty() {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT digest FROM blobs WHERE digest IN ({})",
        placeholders(digests.len())
    );
    Ok(all(
        c,
        &sql,
        digests.iter().map(|d| Value::from(d.clone())).collect(),
    )
    .await?
    .iter()
    .filter_map(|r| r.try_get("", "digest").ok())
    .collect())
}
