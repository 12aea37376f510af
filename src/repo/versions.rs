//! Version membership queries: `repository_content` rows carry `version_added` and
//! `version_removed`, so the latest version is `version_removed IS NULL` and a new version
//! writes only its difference.
pub use super::version_tags::{current_tags_named, current_tags_of, sync_tags, tagged_among};
use super::{all, exec, for_update, new_id, now, one, placeholders};
use crate::domain::content::ContentKind;
use sea_orm::{ConnectionTrait, DbErr, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Largest `IN (…)` list sent in one statement.
pub(crate) const CHUNK: usize = 500;

/// "Present" written so that no index serves it: statements that look ids up among a
/// repository's present rows then probe the membership key (repository, content) once per id.
/// With `version_removed IS NULL`, PostgreSQL (statistics not yet gathered after a bulk load,
/// generic plans from a prepared statement's sixth execution) scanned every present row of the
/// repository and searched the id list for each: 116 ms per 500 ids against 16,000 rows.
const PRESENT: &str = "COALESCE(version_removed, -1) = -1";

/// Locks the repository row for the rest of the transaction; returns its `next_version`. The
/// transaction's statements are planned for their values from here on ([`super::custom_plans`]):
/// a version change sends lists of up to 500 ids per statement, tens of them.
pub async fn lock(c: &impl ConnectionTrait, repo: Uuid) -> Result<i64, DbErr> {
    super::custom_plans(c).await?;
    let sql = format!(
        "SELECT next_version FROM repositories WHERE id = ?{}",
        for_update(c)
    );
    let row = one(c, &sql, vec![repo.into()])
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("repository {repo}")))?;
    row.try_get("", "next_version")
}

/// Runs `sql_with_in` (which has `{in}` for the list and `?` for `prefix` values) over `ids` in
/// chunks, collecting the first column as ids.
pub(crate) async fn ids_query(
    c: &impl ConnectionTrait,
    sql_with_in: &str,
    prefix: Vec<Value>,
    ids: &[Uuid],
    suffix: Vec<Value>,
) -> Result<Vec<Uuid>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = sql_with_in.replace("{in}", &placeholders(chunk.len()));
        let mut values = prefix.clone();
        values.extend(chunk.iter().map(|u| Value::from(*u)));
        values.extend(suffix.iter().cloned());
        for r in all(c, &sql, values).await? {
            out.push(r.try_get_by_index::<Uuid>(0)?);
        }
    }
    Ok(out)
}

/// Which of `ids` are in the latest version.
pub async fn present_among(
    c: &impl ConnectionTrait,
    repo: Uuid,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, DbErr> {
    ids_query(
        c,
        &format!(
            "SELECT content_id FROM repository_content WHERE repository_id = ? \
             AND {PRESENT} AND content_id IN ({{in}})"
        ),
        vec![repo.into()],
        ids,
        vec![],
    )
    .await
}

/// Manifests listed by any of `lists`.
pub async fn children_of(c: &impl ConnectionTrait, lists: &[Uuid]) -> Result<Vec<Uuid>, DbErr> {
    ids_query(
        c,
        "SELECT DISTINCT manifest_id FROM manifest_list_manifests WHERE list_id IN ({in})",
        vec![],
        lists,
        vec![],
    )
    .await
}

/// Blobs (layers and config) of any of `manifests`.
pub async fn blobs_of(c: &impl ConnectionTrait, manifests: &[Uuid]) -> Result<Vec<Uuid>, DbErr> {
    ids_query(
        c,
        "SELECT DISTINCT blob_id FROM manifest_blobs WHERE manifest_id IN ({in})",
        vec![],
        manifests,
        vec![],
    )
    .await
}

/// The content ids of the latest version of `repo` of one type.
pub async fn current_of_type(
    c: &impl ConnectionTrait,
    repo: Uuid,
    kind: ContentKind,
) -> Result<Vec<Uuid>, DbErr> {
    all(
        c,
        "SELECT content_id FROM repository_content WHERE repository_id = ? \
         AND version_removed IS NULL AND content_type = ?",
        vec![repo.into(), kind.as_str().into()],
    )
    .await?
    .iter()
    .map(|r| r.try_get_by_index(0))
    .collect()
}

/// Of `children`, those still listed by a manifest list in the latest version that is not in
/// `excluded` (lists being removed in the same version).
pub async fn still_listed(
    c: &impl ConnectionTrait,
    repo: Uuid,
    children: &[Uuid],
    excluded: &[Uuid],
) -> Result<Vec<Uuid>, DbErr> {
    let mut out = Vec::new();
    for chunk in children.chunks(CHUNK) {
        let sql = format!(
            "SELECT mlm.manifest_id, mlm.list_id FROM manifest_list_manifests mlm \
             JOIN repository_content rc ON rc.content_id = mlm.list_id AND rc.repository_id = ? \
             AND rc.version_removed IS NULL WHERE mlm.manifest_id IN ({})",
            placeholders(chunk.len())
        );
        let mut values: Vec<Value> = vec![repo.into()];
        values.extend(chunk.iter().map(|u| Value::from(*u)));
        for r in all(c, &sql, values).await? {
            let child: Uuid = r.try_get_by_index(0)?;
            let list: Uuid = r.try_get_by_index(1)?;
            if !excluded.contains(&list) {
                out.push(child);
            }
        }
    }
    Ok(out)
}

/// Of `blobs`, those used by a manifest in the latest version (or pending in the repository:
/// pushed by digest, pullable here) that is not in `excluded`.
pub async fn blobs_still_used(
    c: &impl ConnectionTrait,
    repo: Uuid,
    blobs: &[Uuid],
    excluded: &[Uuid],
) -> Result<Vec<Uuid>, DbErr> {
    let mut out = Vec::new();
    for chunk in blobs.chunks(CHUNK) {
        let sql = format!(
            "SELECT mb.blob_id, mb.manifest_id FROM manifest_blobs mb WHERE mb.blob_id IN ({}) \
             AND (EXISTS (SELECT 1 FROM repository_content rc WHERE rc.content_id = mb.manifest_id \
             AND rc.repository_id = ? AND rc.version_removed IS NULL) \
             OR EXISTS (SELECT 1 FROM repository_pending p WHERE p.content_id = mb.manifest_id \
             AND p.repository_id = ?))",
            placeholders(chunk.len())
        );
        let mut values: Vec<Value> = vec![];
        values.extend(chunk.iter().map(|u| Value::from(*u)));
        values.extend([Value::from(repo), Value::from(repo)]);
        for r in all(c, &sql, values).await? {
            let blob: Uuid = r.try_get_by_index(0)?;
            let manifest: Uuid = r.try_get_by_index(1)?;
            if !excluded.contains(&manifest) {
                out.push(blob);
            }
        }
    }
    Ok(out)
}

/// Adds `items` to the latest version (number `number`), in multi-row statements.
pub async fn insert_added(
    c: &impl ConnectionTrait,
    repo: Uuid,
    number: i64,
    items: &[(Uuid, ContentKind)],
) -> Result<(), DbErr> {
    // 4 values a row: 250 rows stay far below every backend's limit on bound values.
    for chunk in items.chunks(250) {
        let sql = format!(
            "INSERT INTO repository_content (repository_id, content_id, content_type, version_added, \
             version_removed) VALUES {}",
            vec!["(?, ?, ?, ?, NULL)"; chunk.len()].join(", ")
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
        for (id, kind) in chunk {
            values.extend([
                repo.into(),
                (*id).into(),
                kind.as_str().into(),
                number.into(),
            ]);
        }
        exec(c, &sql, values).await?;
    }
    Ok(())
}

pub async fn mark_removed(
    c: &impl ConnectionTrait,
    repo: Uuid,
    number: i64,
    ids: &[Uuid],
) -> Result<(), DbErr> {
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "UPDATE repository_content SET version_removed = ? WHERE repository_id = ? \
             AND {PRESENT} AND content_id IN ({})",
            placeholders(chunk.len())
        );
        let mut values: Vec<Value> = vec![number.into(), repo.into()];
        values.extend(chunk.iter().map(|u| Value::from(*u)));
        exec(c, &sql, values).await?;
    }
    Ok(())
}

pub async fn clear_pending(
    c: &impl ConnectionTrait,
    repo: Uuid,
    ids: &[Uuid],
) -> Result<(), DbErr> {
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "DELETE FROM repository_pending WHERE repository_id = ? AND content_id IN ({})",
            placeholders(chunk.len())
        );
        let mut values: Vec<Value> = vec![repo.into()];
        values.extend(chunk.iter().map(|u| Value::from(*u)));
        exec(c, &sql, values).await?;
    }
    Ok(())
}

/// Counts of the latest version's content per kind.
pub async fn present_counts(
    c: &impl ConnectionTrait,
    repo: Uuid,
) -> Result<BTreeMap<ContentKind, i64>, DbErr> {
    let rows = all(
        c,
        "SELECT content_type, COUNT(*) AS n FROM repository_content WHERE repository_id = ? \
         AND version_removed IS NULL GROUP BY content_type",
        vec![repo.into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let name: String = r.try_get("", "content_type")?;
            let kind = ContentKind::parse(&name)
                .ok_or_else(|| DbErr::Type(format!("unknown content type '{name}'")))?;
            Ok((kind, r.try_get("", "n")?))
        })
        .collect()
}

/// The `present` counts recorded with the newest version, if it recorded them.
pub async fn latest_present(
    c: &impl ConnectionTrait,
    repo: Uuid,
) -> Result<Option<BTreeMap<ContentKind, i64>>, DbErr> {
    let row = one(
        c,
        "SELECT content_summary FROM repository_versions WHERE repository_id = ? \
         ORDER BY number DESC LIMIT 1",
        vec![repo.into()],
    )
    .await?;
    let Some(row) = row else { return Ok(None) };
    let summary: String = row.try_get("", "content_summary")?;
    let parsed: serde_json::Value = serde_json::from_str(&summary).unwrap_or_default();
    Ok(parsed
        .get("present")
        .and_then(|p| serde_json::from_value(p.clone()).ok()))
}

/// Records version `number` of `repo` and moves the repository's next number on; returns the
/// version's id.
pub async fn insert_version(
    c: &impl ConnectionTrait,
    repo: Uuid,
    number: i64,
    summary: &str,
) -> Result<Uuid, DbErr> {
    let t = now();
    let id = new_id();
    exec(
        c,
        "INSERT INTO repository_versions (id, repository_id, number, content_summary, created_at) \
         VALUES (?, ?, ?, ?, ?)",
        vec![
            id.into(),
            repo.into(),
            number.into(),
            summary.into(),
            t.into(),
        ],
    )
    .await?;
    exec(
        c,
        "UPDATE repositories SET next_version = ?, updated_at = ? WHERE id = ?",
        vec![(number + 1).into(), t.into(), repo.into()],
    )
    .await?;
    Ok(id)
}
