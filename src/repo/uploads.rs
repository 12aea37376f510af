//! Upload sessions: offset and serialised hash state live here so any replica can continue one.
use super::{all, exec, now, one};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct UploadRow {
    pub id: Uuid,
    pub repository_id: Uuid,
    pub offset: i64,
    pub hash_state: Vec<u8>,
    /// Storage keys of the staged chunks, in order.
    pub parts: Vec<String>,
}

/// Opens a session for `owner` unless they already have `cap` open (0: no cap); returns
/// whether it was created. One statement, so concurrent starts cannot both pass the cap.
pub async fn create(
    c: &impl ConnectionTrait,
    id: Uuid,
    repo: Uuid,
    hash_state: Vec<u8>,
    owner: Option<Uuid>,
    cap: u64,
) -> Result<bool, DbErr> {
    let t = now();
    let mut values: Vec<sea_orm::Value> = vec![
        id.into(),
        repo.into(),
        hash_state.into(),
        t.into(),
        t.into(),
        owner.into(),
    ];
    let mut sql = "INSERT INTO uploads (id, repository_id, \"offset\", hash_state, parts, \
                   created_at, updated_at, owner_id) SELECT ?, ?, 0, ?, '[]', ?, ?, ?"
        .to_string();
    if let (Some(o), 1..) = (owner, cap) {
        sql.push_str(" WHERE (SELECT COUNT(*) FROM uploads WHERE owner_id = ?) < ?");
        values.push(o.into());
        values.push(i64::try_from(cap).unwrap_or(i64::MAX).into());
    }
    Ok(exec(c, &sql, values).await? == 1)
}

pub async fn get(
    c: &impl ConnectionTrait,
    id: Uuid,
    repo: Uuid,
) -> Result<Option<UploadRow>, DbErr> {
    let row = one(
        c,
        "SELECT id, repository_id, \"offset\", hash_state, parts FROM uploads WHERE id = ? AND repository_id = ?",
        vec![id.into(), repo.into()],
    )
    .await?;
    row.map(|r| {
        Ok(UploadRow {
            id: r.try_get("", "id")?,
            repository_id: r.try_get("", "repository_id")?,
            offset: r.try_get("", "offset")?,
            hash_state: r.try_get("", "hash_state")?,
            parts: serde_json::from_str(&r.try_get::<String>("", "parts")?)
                .map_err(|e| DbErr::Custom(format!("upload parts: {e}")))?,
        })
    })
    .transpose()
}

/// Moves the session from `from` to `to` with a new hash state and part list, only if it is
/// still at `from` (a racing writer loses). Returns whether this call won.
pub async fn advance(
    c: &impl ConnectionTrait,
    id: Uuid,
    from: i64,
    to: i64,
    hash_state: Vec<u8>,
    parts: &[String],
) -> Result<bool, DbErr> {
    let parts = serde_json::to_string(parts).map_err(|e| DbErr::Custom(e.to_string()))?;
    let n = exec(
        c,
        "UPDATE uploads SET \"offset\" = ?, hash_state = ?, parts = ?, updated_at = ? \
         WHERE id = ? AND \"offset\" = ?",
        vec![
            to.into(),
            hash_state.into(),
            parts.into(),
            now().into(),
            id.into(),
            from.into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

pub async fn delete(c: &impl ConnectionTrait, id: Uuid) -> Result<u64, DbErr> {
    exec(c, "DELETE FROM uploads WHERE id = ?", vec![id.into()]).await
}

/// Sessions idle since before `cutoff`: `(id, staged part keys)`.
pub async fn idle_since(
    c: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
) -> Result<Vec<(Uuid, Vec<String>)>, DbErr> {
    all(
        c,
        "SELECT id, parts FROM uploads WHERE updated_at < ?",
        vec![cutoff.into()],
    )
    .await?
    .iter()
    .map(|r| {
        let parts: Vec<String> =
            serde_json::from_str(&r.try_get::<String>("", "parts")?).unwrap_or_default();
        Ok((r.try_get("", "id")?, parts))
    })
    .collect()
}

/// The ids of every open session.
pub async fn ids(c: &impl ConnectionTrait) -> Result<Vec<Uuid>, DbErr> {
    all(c, "SELECT id FROM uploads", vec![])
        .await?
        .iter()
        .map(|r| r.try_get("", "id"))
        .collect()
}
