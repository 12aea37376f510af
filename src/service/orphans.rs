//! Orphan cleanup, safe while pushes continue (ARCHITECTURE.md §5). Content with no version
//! membership and no pending reference, untouched for the protection time, is deleted in
//! batches: tags, then manifests (until no more lists free their children), then blobs with
//! their stored bytes. Bytes are deleted inside the transaction that deletes their row, under
//! the digest lock uploads also take, so a concurrent push of the same digest either keeps the
//! row (and bytes) or re-places the bytes after — never a row without bytes.
use crate::error::Result;
use crate::repo::{all, content, exec, placeholders, Db};
use crate::storage::BlobStore;
use chrono::{DateTime, Utc};
use sea_orm::Value;
use uuid::Uuid;

const BATCH: usize = 1000;

/// What a cleanup removed: content units and stored objects.
#[derive(Debug, Default, Clone, Copy)]
pub struct Report {
    pub content: u64,
    pub artifacts: u64,
}

const UNREFERENCED: &str = "NOT EXISTS (SELECT 1 FROM repository_content rc WHERE rc.content_id = x.id) \
    AND NOT EXISTS (SELECT 1 FROM repository_pending pe WHERE pe.content_id = x.id) AND x.touched_at < ?";

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

/// Runs a cleanup; `only` restricts the content units considered (stored-object cleanup is
/// always registry-wide, as in Pulp). `progress` is called with the running report.
pub async fn cleanup(
    db: &Db,
    store: &BlobStore,
    protection_minutes: i64,
    only: Option<&[Uuid]>,
    progress: &(dyn Fn(Report) + Send + Sync),
) -> Result<Report> {
    let cutoff = crate::domain::clock::minutes_before(Utc::now(), protection_minutes);
    let started = std::time::Instant::now();
    let mut report = Report::default();
    let (sc, sv) = scope(only);
    // Tags.
    let mut values = vec![Value::from(cutoff)];
    values.extend(sv.clone());
    let n = exec(
        &db.conn,
        &format!("DELETE FROM tags WHERE id IN (SELECT x.id FROM tags x WHERE {UNREFERENCED}{sc})"),
        values,
    )
    .await?;
    report.content += n;
    progress(report);
    // Manifests: repeat while deleting lists frees their children.
    loop {
        let mut values = vec![Value::from(cutoff)];
        values.extend(sv.clone());
        let sql = format!(
            "DELETE FROM manifests WHERE id IN (SELECT x.id FROM manifests x WHERE {UNREFERENCED}{sc} \
             AND NOT EXISTS (SELECT 1 FROM manifest_list_manifests l WHERE l.manifest_id = x.id) \
             AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = x.id))"
        );
        let txn = db.begin_write().await?;
        let n = exec(&*txn, &sql, values).await?;
        txn.commit().await?;
        report.content += n;
        progress(report);
        if n == 0 {
            break;
        }
    }
    // Blobs, with their bytes, in batches.
    loop {
        let mut values = vec![Value::from(cutoff)];
        values.extend(sv.clone());
        let sql = format!(
            "SELECT x.id, x.digest FROM blobs x WHERE {UNREFERENCED}{sc} \
             AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_id = x.id) \
             AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.config_blob_id = x.id) LIMIT {BATCH}"
        );
        let t = std::time::Instant::now();
        let rows = all(&db.conn, &sql, values).await?;
        tracing::debug!(
            ms = t.elapsed().as_millis() as u64,
            n = rows.len(),
            "orphan blob batch selected"
        );
        if rows.is_empty() {
            break;
        }
        let batch: Vec<(Uuid, String)> = rows
            .iter()
            .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "digest")?)))
            .collect::<Result<_, sea_orm::DbErr>>()?;
        let (content, bytes) = delete_blobs(db, store, &batch, cutoff).await?;
        report.content += content;
        report.artifacts += bytes;
        progress(report);
        if content == 0 {
            break;
        }
    }
    let rows_done = started.elapsed();
    report.artifacts += sweep_stray_bytes(db, store, cutoff).await?;
    progress(report);
    tracing::info!(
        content = report.content,
        artifacts = report.artifacts,
        units_ms = rows_done.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "orphan cleanup finished"
    );
    Ok(report)
}

/// Deletes the rows still orphaned among `batch` and their bytes, in one transaction.
async fn delete_blobs(
    db: &Db,
    store: &BlobStore,
    batch: &[(Uuid, String)],
    cutoff: DateTime<Utc>,
) -> Result<(u64, u64)> {
    let txn = db.begin_write().await?;
    for (_, digest) in batch {
        content::lock_digest(&*txn, digest).await?;
    }
    let ids: Vec<Value> = batch.iter().map(|(id, _)| Value::from(*id)).collect();
    let mut values = ids.clone();
    values.push(cutoff.into());
    // The orphan conditions are re-checked on each deleted row itself (correlated), so the
    // statement costs O(batch), not a scan of every blob.
    let sql = format!(
        "DELETE FROM blobs WHERE id IN ({}) \
         AND NOT EXISTS (SELECT 1 FROM repository_content rc WHERE rc.content_id = blobs.id) \
         AND NOT EXISTS (SELECT 1 FROM repository_pending pe WHERE pe.content_id = blobs.id) \
         AND touched_at < ? \
         AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_id = blobs.id) \
         AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.config_blob_id = blobs.id) RETURNING digest",
        placeholders(ids.len())
    );
    let gone: Vec<String> = all(&*txn, &sql, values)
        .await?
        .iter()
        .map(|r| r.try_get("", "digest"))
        .collect::<Result<_, _>>()?;
    let keys: Vec<String> = gone
        .iter()
        .filter_map(|d| d.parse::<crate::domain::digest::Digest>().ok())
        .map(|d| d.storage_key())
        .collect();
    let t = std::time::Instant::now();
    let deleted = store.delete_many(keys).await?;
    tracing::debug!(
        ms = t.elapsed().as_millis() as u64,
        n = deleted,
        "orphan bytes deleted"
    );
    txn.commit().await?;
    Ok((gone.len() as u64, deleted))
}

/// Stored blobs with no row (left by a crash between placing bytes and committing), older than
/// the cutoff: found with one query per batch of keys, then each re-checked under its digest
/// lock before deletion.
async fn sweep_stray_bytes(db: &Db, store: &BlobStore, cutoff: DateTime<Utc>) -> Result<u64> {
    let candidates: Vec<(String, String)> = store
        .list_modified("blobs/")
        .await?
        .into_iter()
        .filter(|(_, modified)| *modified < cutoff)
        .filter_map(|(key, _)| {
            let mut parts = key.rsplit('/');
            let (hex, _, alg) = (parts.next()?, parts.next()?, parts.next()?);
            Some((format!("{alg}:{hex}"), key))
        })
        .collect();
    let mut removed = 0;
    for chunk in candidates.chunks(BATCH) {
        let sql = format!(
            "SELECT digest FROM blobs WHERE digest IN ({})",
            placeholders(chunk.len())
        );
        let known: std::collections::HashSet<String> = all(
            &db.conn,
            &sql,
            chunk.iter().map(|(d, _)| Value::from(d.clone())).collect(),
        )
        .await?
        .iter()
        .filter_map(|r| r.try_get("", "digest").ok())
        .collect();
        for (digest, key) in chunk.iter().filter(|(d, _)| !known.contains(d)) {
            let txn = db.begin_write().await?;
            content::lock_digest(&*txn, digest).await?;
            if content::blob_global(&*txn, digest).await?.is_none() {
                store.delete(key).await?;
                removed += 1;
            }
            txn.commit().await?;
        }
    }
    Ok(removed)
}
