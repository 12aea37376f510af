//! Namespace storage quotas: the `namespace_quotas` rows, the bytes a namespace is charged
//! (each blob once: blobs any kept version of its repositories holds, and blobs pushed to
//! them but not yet in a version), and the per-namespace lock that serialises quota checks
//! with the commits they guard.
use super::{all, exec, now, one, placeholders};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// `(namespace_id, blob_id)` of every blob a namespace is charged for, possibly repeated.
const CHARGED: &str = "SELECT r.namespace_id AS owner_id, rc.content_id AS blob_id \
     FROM repository_content rc JOIN repositories r ON r.id = rc.repository_id \
     WHERE rc.content_type = 'blob' \
     UNION ALL SELECT r.namespace_id AS owner_id, p.content_id AS blob_id \
     FROM repository_pending p JOIN repositories r ON r.id = p.repository_id \
     WHERE p.content_type = 'blob'";

/// The quota of each namespace among `ids` that has one.
pub async fn quotas(c: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashMap<Uuid, i64>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT namespace_id, quota_bytes FROM namespace_quotas WHERE namespace_id IN ({})",
        placeholders(ids.len())
    );
    let values: Vec<Value> = ids.iter().map(|id| Value::from(*id)).collect();
    all(c, &sql, values)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("", "namespace_id")?,
                r.try_get("", "quota_bytes")?,
            ))
        })
        .collect()
}

/// The quota of the namespace of repository `repo`: `(namespace_id, quota_bytes)`, `None`
/// when it has none.
pub async fn of_repository(
    c: &impl ConnectionTrait,
    repo: Uuid,
) -> Result<Option<(Uuid, i64)>, DbErr> {
    let r = one(
        c,
        "SELECT q.namespace_id, q.quota_bytes FROM namespace_quotas q \
         JOIN repositories r ON r.namespace_id = q.namespace_id WHERE r.id = ?",
        vec![repo.into()],
    )
    .await?;
    r.map(|r| {
        Ok((
            r.try_get("", "namespace_id")?,
            r.try_get("", "quota_bytes")?,
        ))
    })
    .transpose()
}

/// Sets (`Some`) or removes (`None`) a namespace's quota.
pub async fn set(c: &impl ConnectionTrait, ns: Uuid, quota: Option<i64>) -> Result<(), DbErr> {
    match quota {
        Some(q) => {
            exec(
                c,
                "INSERT INTO namespace_quotas (namespace_id, quota_bytes, updated_at) \
                 VALUES (?, ?, ?) ON CONFLICT (namespace_id) \
                 DO UPDATE SET quota_bytes = excluded.quota_bytes, updated_at = excluded.updated_at",
                vec![ns.into(), q.into(), now().into()],
            )
            .await?;
        }
        None => {
            exec(
                c,
                "DELETE FROM namespace_quotas WHERE namespace_id = ?",
                vec![ns.into()],
            )
            .await?;
        }
    }
    Ok(())
}

/// Bytes each namespace among `ids` is charged (absent: none).
pub async fn charged(c: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashMap<Uuid, i64>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT d.owner_id, CAST(COALESCE(SUM(b.size), 0) AS BIGINT) AS n \
         FROM (SELECT DISTINCT owner_id, blob_id FROM ({CHARGED}) p WHERE owner_id IN ({})) d \
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

/// Whether namespace `ns` is already charged for the blob `digest`.
pub async fn charges_blob(c: &impl ConnectionTrait, ns: Uuid, digest: &str) -> Result<bool, DbErr> {
    let sql = format!(
        "SELECT 1 AS x FROM ({CHARGED}) p JOIN blobs b ON b.id = p.blob_id \
         WHERE p.owner_id = ? AND b.digest = ? LIMIT 1"
    );
    Ok(one(c, &sql, vec![ns.into(), digest.into()])
        .await?
        .is_some())
}

/// Serialises, until the transaction ends, the quota checks and commits of namespace `ns`
/// across replicas (a PostgreSQL advisory lock in its own two-key space, so it never meets a
/// digest lock; SQLite write transactions are already serialised). Taken after any digest
/// locks, never before.
pub async fn lock(c: &impl ConnectionTrait, ns: Uuid) -> Result<(), DbErr> {
    if c.get_database_backend() == DbBackend::Postgres {
        one(
            c,
            "SELECT 1 AS x FROM (SELECT pg_advisory_xact_lock(1651667572, hashtext(?))) AS l",
            vec![ns.to_string().into()],
        )
        .await?;
    }
    Ok(())
}
