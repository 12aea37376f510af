//! What the database says storage should hold, for `berth admin fsck`: every blob row's digest
//! and size, and the open upload sessions with their staged parts.
use super::all;
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Rows fetched per query while reading every blob (keyset pagination by digest).
const PAGE: u64 = 10_000;

/// Every blob row as digest → size.
pub async fn blob_sizes(c: &impl ConnectionTrait) -> Result<HashMap<String, i64>, DbErr> {
    let mut out = HashMap::new();
    let mut after = String::new();
    loop {
        // `collate` makes PostgreSQL compare bytes, as SQLite does, so the keyset walk agrees
        // with the order.
        let sql = format!(
            "SELECT digest, size FROM blobs WHERE digest{c} > ? ORDER BY digest{c} LIMIT {PAGE}",
            c = super::collate(c)
        );
        let rows = all(c, &sql, vec![after.clone().into()]).await?;
        let n = rows.len() as u64;
        for r in rows {
            let digest: String = r.try_get("", "digest")?;
            let size: i64 = r.try_get("", "size")?;
            after.clone_from(&digest);
            out.insert(digest, size);
        }
        if n < PAGE {
            return Ok(out);
        }
    }
}

/// Open upload sessions: their ids and the storage keys of their staged parts.
pub async fn upload_sessions(
    c: &impl ConnectionTrait,
) -> Result<(HashSet<Uuid>, HashSet<String>), DbErr> {
    let rows = all(c, "SELECT id, parts FROM uploads", vec![]).await?;
    let mut ids = HashSet::new();
    let mut parts = HashSet::new();
    for r in rows {
        ids.insert(r.try_get::<Uuid>("", "id")?);
        let list: Vec<String> = serde_json::from_str(&r.try_get::<String>("", "parts")?)
            .map_err(|e| DbErr::Custom(format!("upload parts: {e}")))?;
        parts.extend(list);
    }
    Ok((ids, parts))
}

/// The bytes of every blob row, summed (what the status endpoint reports as used storage).
/// PostgreSQL sums a BIGINT as NUMERIC: cast back so it reads as i64.
pub async fn stored_bytes(c: &impl ConnectionTrait) -> Result<Option<i64>, DbErr> {
    let sql = "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM blobs";
    let row = super::one(c, sql, vec![]).await?;
    row.map(|r| r.try_get::<i64>("", "n")).transpose()
}
