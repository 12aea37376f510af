//! What makes content an orphan, and the statements orphan cleanup runs (ARCHITECTURE.md §5).
//! A tag or manifest is an orphan when no repository version holds it, no repository has it
//! pending, and it was not touched within the protection time. A blob is an orphan when no
//! version holds it, no manifest uses it, it was not touched within the protection time, and
//! no repository has it pending *since* the protection cutoff: a blob uploaded but never
//! referenced by a manifest becomes reclaimable once older than the protection time (a push in
//! progress uploads its blobs moments before its manifest, well inside that time).
use super::content::table;
use super::{all, exec, placeholders};
use crate::domain::content::ContentKind;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};
use uuid::Uuid;

/// "In no repository and untouched since the cutoff" on content `x` of `kind`, with how many
/// values (the cutoff, each time) it takes. Pending references to a blob older than the cutoff
/// no longer count.
fn unheld(kind: ContentKind) -> (&'static str, usize) {
    match kind {
        ContentKind::Blob => (
            "NOT EXISTS (SELECT 1 FROM repository_content rc WHERE rc.content_id = x.id) \
             AND NOT EXISTS (SELECT 1 FROM repository_pending pe WHERE pe.content_id = x.id AND pe.created_at >= ?) \
             AND x.touched_at < ?",
            2,
        ),
        ContentKind::Manifest | ContentKind::Tag => (
            "NOT EXISTS (SELECT 1 FROM repository_content rc WHERE rc.content_id = x.id) \
             AND NOT EXISTS (SELECT 1 FROM repository_pending pe WHERE pe.content_id = x.id) \
             AND x.touched_at < ?",
            1,
        ),
    }
}

/// "No other content uses `x`" (a condition to AND, no values): blobs used by no manifest,
/// manifests listed by no list and tagged by no tag, tags always.
fn unused(kind: ContentKind) -> &'static str {
    match kind {
        ContentKind::Blob => {
            " AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_id = x.id) \
             AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.config_blob_id = x.id)"
        }
        ContentKind::Manifest => {
            " AND NOT EXISTS (SELECT 1 FROM manifest_list_manifests l WHERE l.manifest_id = x.id) \
             AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = x.id)"
        }
        ContentKind::Tag => "",
    }
}

/// The full orphan condition on content `x` of `kind` (in no repository, used by nothing),
/// with its values.
fn orphan(kind: ContentKind, cutoff: DateTime<Utc>) -> (String, Vec<Value>) {
    let (cond, n) = unheld(kind);
    (
        format!("{cond}{}", unused(kind)),
        vec![Value::from(cutoff); n],
    )
}

/// The condition "content `x` of `kind` is in no repository and untouched since `cutoff`",
/// with its values, for the content lists' `orphaned_for` filter.
pub fn condition(kind: ContentKind, cutoff: DateTime<Utc>) -> (String, Vec<Value>) {
    let (cond, n) = unheld(kind);
    (cond.into(), vec![Value::from(cutoff); n])
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

/// Deletes the orphaned units of `kind` (restricted to `only` when given); returns how many.
/// Blobs are not deleted here: their bytes go with them ([`blob_batch`], [`delete_blobs`]).
async fn delete_units(
    c: &impl ConnectionTrait,
    kind: ContentKind,
    cutoff: DateTime<Utc>,
    only: Option<&[Uuid]>,
) -> Result<u64, DbErr> {
    let (cond, mut values) = orphan(kind, cutoff);
    let (sc, sv) = scope(only);
    values.extend(sv);
    let t = table(kind);
    exec(
        c,
        &format!("DELETE FROM {t} WHERE id IN (SELECT x.id FROM {t} x WHERE {cond}{sc})"),
        values,
    )
    .await
}

/// Deletes orphaned tags (restricted to `only` when given); returns how many.
pub async fn delete_tags(
    c: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    only: Option<&[Uuid]>,
) -> Result<u64, DbErr> {
    delete_units(c, ContentKind::Tag, cutoff, only).await
}

/// Deletes orphaned manifests no list or tag uses; returns how many (repeat while it frees
/// the children of deleted lists).
pub async fn delete_manifests(
    c: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    only: Option<&[Uuid]>,
) -> Result<u64, DbErr> {
    delete_units(c, ContentKind::Manifest, cutoff, only).await
}

/// Up to `limit` orphaned blobs as `(id, digest)`.
pub async fn blob_batch(
    c: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    only: Option<&[Uuid]>,
    limit: usize,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    let (cond, mut values) = orphan(ContentKind::Blob, cutoff);
    let (sc, sv) = scope(only);
    values.extend(sv);
    let sql = format!("SELECT x.id, x.digest FROM blobs x WHERE {cond}{sc} LIMIT {limit}");
    all(c, &sql, values)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "digest")?)))
        .collect()
}

/// Deletes those of `ids` that are still orphans, with their (stale) pending references;
/// returns the digests and sizes of the deleted blobs. The orphan conditions are re-checked on
/// each deleted row itself (correlated), so the statement costs O(batch), not a scan of every
/// blob.
pub async fn delete_blobs(
    c: &impl ConnectionTrait,
    ids: &[Uuid],
    cutoff: DateTime<Utc>,
) -> Result<Vec<(String, i64)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let (cond, cutoffs) = orphan(ContentKind::Blob, cutoff);
    let mut values: Vec<Value> = ids.iter().map(|id| Value::from(*id)).collect();
    values.extend(cutoffs);
    let sql = format!(
        "DELETE FROM blobs WHERE id IN ({}) AND {} RETURNING id, digest, size",
        placeholders(ids.len()),
        cond.replace("x.id", "blobs.id").replace("x.", "blobs.")
    );
    let rows = all(c, &sql, values).await?;
    let mut gone_ids = vec![];
    let mut digests = vec![];
    for r in rows {
        gone_ids.push(Value::from(r.try_get::<Uuid>("", "id")?));
        digests.push((r.try_get("", "digest")?, r.try_get("", "size")?));
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

/// What a cleanup with `cutoff` (restricted to `only`) would delete now: orphaned tags,
/// manifests and blobs, and the bytes of those blobs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reclaimable {
    pub tags: u64,
    pub manifests: u64,
    pub blobs: u64,
    pub bytes: u64,
}

/// Counts what [`delete_tags`], [`delete_manifests`] (repeated) and the blob batches would
/// delete, in one read-only statement (set-based, no per-row work). The repeated manifest
/// deletion is computed from the other side: a manifest survives when it is not deletable by
/// itself (held, or outside `only`), when a surviving tag names it, or when a surviving list
/// lists it (a recursive walk down from those); every other candidate goes. A blob goes when it
/// is an orphan candidate and every manifest using it goes.
pub async fn reclaimable(
    c: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    only: Option<&[Uuid]>,
) -> Result<Reclaimable, DbErr> {
    // "Deletable by itself" (in no repository, in scope) on `x`, values in `?` order.
    let held_not = |kind: ContentKind| {
        let (cond, n) = unheld(kind);
        let (sc, sv) = scope(only);
        let mut v = vec![Value::from(cutoff); n];
        v.extend(sv);
        (format!("({cond}{sc})"), v)
    };
    let (manifest_cand, mv) = held_not(ContentKind::Manifest);
    let (tag_goes, tv) = held_not(ContentKind::Tag);
    let (blob_cand, bv) = held_not(ContentKind::Blob);
    // In the order the pieces appear below.
    let values: Vec<Value> = [&mv, &tv, &mv, &bv, &tv]
        .into_iter()
        .flat_map(|v| v.iter().cloned())
        .collect();
    let sql = format!(
        "WITH RECURSIVE \
         seed(id) AS ( \
           SELECT x.id FROM manifests x WHERE NOT {manifest_cand} \
           UNION SELECT x.manifest_id FROM tags x WHERE NOT {tag_goes}), \
         kept(id) AS ( \
           SELECT id FROM seed \
           UNION SELECT l.manifest_id FROM manifest_list_manifests l JOIN kept k ON l.list_id = k.id), \
         gone_m(id) AS ( \
           SELECT x.id FROM manifests x WHERE {manifest_cand} \
           AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.id = x.id)), \
         gone_b(id, size) AS ( \
           SELECT x.id, x.size FROM blobs x WHERE {blob_cand} \
           AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_id = x.id \
             AND NOT EXISTS (SELECT 1 FROM gone_m g WHERE g.id = mb.manifest_id)) \
           AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.config_blob_id = x.id \
             AND NOT EXISTS (SELECT 1 FROM gone_m g WHERE g.id = m.id))) \
         SELECT (SELECT COUNT(*) FROM tags x WHERE {tag_goes}) AS tags, \
           (SELECT COUNT(*) FROM gone_m) AS manifests, \
           (SELECT COUNT(*) FROM gone_b) AS blobs, \
           (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM gone_b) AS bytes"
    );
    let row = super::one(c, &sql, values)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("reclaimable".into()))?;
    let n = |col: &str| -> Result<u64, DbErr> { Ok(row.try_get::<i64>("", col)?.max(0) as u64) };
    Ok(Reclaimable {
        tags: n("tags")?,
        manifests: n("manifests")?,
        blobs: n("blobs")?,
        bytes: n("bytes")?,
    })
}
