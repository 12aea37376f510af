//! Manifests and tags: inserting a pushed manifest with its blob and child links, and the
//! registry's lookups (by tag, by digest, tag lists, referrers), each a single query.
use super::content::{holds, tag_rows, Snapshot};
use super::{all, collate, exec, new_id, now, one};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ManifestRow {
    pub id: Uuid,
    pub digest: String,
    pub media_type: String,
    pub size: i64,
    pub data: Vec<u8>,
}

fn manifest_row(r: &QueryResult) -> Result<ManifestRow, DbErr> {
    Ok(ManifestRow {
        id: r.try_get("", "id")?,
        digest: r.try_get("", "digest")?,
        media_type: r.try_get("", "media_type")?,
        size: r.try_get("", "size")?,
        data: r.try_get("", "data")?,
    })
}

/// The manifest tagged `tag` in the latest version of the repository named `repo_name`, with
/// the repository's id and the tag's.
pub async fn by_tag(
    c: &impl ConnectionTrait,
    repo_name: &str,
    tag: &str,
) -> Result<Option<(ManifestRow, Uuid, Uuid)>, DbErr> {
    // The latest version's tag index takes no values (nor the repository's id).
    tagged(
        c,
        tag_rows(Uuid::nil(), Snapshot::Latest),
        "r.name = ? AND r.namespace_id IS NOT NULL",
        repo_name.into(),
        tag,
    )
    .await
}

/// As [`by_tag`], in `snap` of the repository of id `repo` (a plain container repository a
/// distribution serves, or the version it pins).
pub async fn by_tag_in(
    c: &impl ConnectionTrait,
    repo: Uuid,
    snap: Snapshot,
    tag: &str,
) -> Result<Option<(ManifestRow, Uuid, Uuid)>, DbErr> {
    tagged(c, tag_rows(repo, snap), "r.id = ?", repo.into(), tag).await
}

/// The manifest tagged `tag` among the tag rows `rt` of the repository `which` selects.
async fn tagged(
    c: &impl ConnectionTrait,
    (rows, mut values): (String, Vec<sea_orm::Value>),
    which: &str,
    repo: sea_orm::Value,
    tag: &str,
) -> Result<Option<(ManifestRow, Uuid, Uuid)>, DbErr> {
    values.extend([repo, tag.into()]);
    let row = one(
        c,
        &format!(
            "SELECT m.id, m.digest, m.media_type, m.size, m.data, r.id AS repository_id, rt.tag_id \
             FROM repositories r \
             JOIN {rows} ON rt.repository_id = r.id \
             JOIN manifests m ON m.id = rt.manifest_id \
             WHERE {which} AND rt.name = ?"
        ),
        values,
    )
    .await?;
    row.as_ref()
        .map(|r| {
            Ok((
                manifest_row(r)?,
                r.try_get("", "repository_id")?,
                r.try_get("", "tag_id")?,
            ))
        })
        .transpose()
}

/// The manifest `digest` if repository `repo` can serve it (latest version or pending).
pub async fn by_digest(
    c: &impl ConnectionTrait,
    repo: Uuid,
    digest: &str,
) -> Result<Option<ManifestRow>, DbErr> {
    manifest_in(c, repo, Snapshot::Latest, digest).await
}

/// The manifest `digest` if `snap` of repository `repo` holds it.
pub async fn manifest_in(
    c: &impl ConnectionTrait,
    repo: Uuid,
    snap: Snapshot,
    digest: &str,
) -> Result<Option<ManifestRow>, DbErr> {
    let (held, v) = holds("m", repo, snap);
    let sql = format!(
        "SELECT m.id, m.digest, m.media_type, m.size, m.data FROM manifests m \
         WHERE m.digest = ? AND {held}"
    );
    let mut values = vec![digest.into()];
    values.extend(v);
    let row = one(c, &sql, values).await?;
    row.as_ref().map(manifest_row).transpose()
}

/// The id of manifest `digest` anywhere in the registry.
pub async fn id_global(c: &impl ConnectionTrait, digest: &str) -> Result<Option<Uuid>, DbErr> {
    let row = one(
        c,
        "SELECT id FROM manifests WHERE digest = ?",
        vec![digest.into()],
    )
    .await?;
    row.map(|r| r.try_get("", "id")).transpose()
}

pub struct NewManifest<'a> {
    pub digest: &'a str,
    pub media_type: &'a str,
    pub data: &'a [u8],
    pub config_blob: Option<Uuid>,
    pub artifact_type: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub annotations: String,
    pub labels: String,
    pub kind: &'a str,
    pub os: Option<&'a str>,
    pub architecture: Option<&'a str>,
    pub compressed_size: u64,
    pub blobs: &'a [Uuid],
    pub children: &'a [Uuid],
}

/// Inserts the manifest and its links unless a manifest with that digest exists; returns its id.
pub async fn upsert(c: &impl ConnectionTrait, m: &NewManifest<'_>) -> Result<Uuid, DbErr> {
    let t = now();
    if let Some(id) = id_global(c, m.digest).await? {
        exec(
            c,
            "UPDATE manifests SET touched_at = ? WHERE id = ?",
            vec![t.into(), id.into()],
        )
        .await?;
        return Ok(id);
    }
    let id = new_id();
    let inserted = exec(
        c,
        "INSERT INTO manifests (id, digest, media_type, size, data, schema_version, config_blob_id, \
         artifact_type, subject_digest, annotations, labels, kind, os, architecture, compressed_size, \
         created_at, touched_at) VALUES (?, ?, ?, ?, ?, 2, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (digest) DO NOTHING",
        vec![
            id.into(),
            m.digest.into(),
            m.media_type.into(),
            (m.data.len() as i64).into(),
            m.data.to_vec().into(),
            m.config_blob.into(),
            m.artifact_type.map(str::to_string).into(),
            m.subject.map(str::to_string).into(),
            m.annotations.clone().into(),
            m.labels.clone().into(),
            m.kind.into(),
            m.os.map(str::to_string).into(),
            m.architecture.map(str::to_string).into(),
            (m.compressed_size as i64).into(),
            t.into(),
            t.into(),
        ],
    )
    .await?;
    if inserted == 0 {
        // A concurrent push inserted it first; its links are written by that push.
        return id_global(c, m.digest)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(m.digest.to_string()));
    }
    for blob in m.blobs {
        exec(
            c,
            "INSERT INTO manifest_blobs (manifest_id, blob_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            vec![id.into(), (*blob).into()],
        )
        .await?;
    }
    for child in m.children {
        exec(
            c,
            "INSERT INTO manifest_list_manifests (list_id, manifest_id) VALUES (?, ?) \
             ON CONFLICT DO NOTHING",
            vec![id.into(), (*child).into()],
        )
        .await?;
    }
    Ok(id)
}

/// Fetches or creates tag `name` → `manifest`; returns its id.
pub async fn upsert_tag(
    c: &impl ConnectionTrait,
    name: &str,
    manifest: Uuid,
) -> Result<Uuid, DbErr> {
    let t = now();
    exec(
        c,
        "INSERT INTO tags (id, name, manifest_id, created_at, touched_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (name, manifest_id) DO UPDATE SET touched_at = excluded.touched_at",
        vec![
            new_id().into(),
            name.into(),
            manifest.into(),
            t.into(),
            t.into(),
        ],
    )
    .await?;
    let row = one(
        c,
        "SELECT id FROM tags WHERE name = ? AND manifest_id = ?",
        vec![name.into(), manifest.into()],
    )
    .await?
    .ok_or_else(|| DbErr::RecordNotFound(format!("tag {name}")))?;
    row.try_get("", "id")
}

/// Tag names in `snap` of `repo`, sorted, after `last`, at most `n`.
///
/// The page comes back as one comma-joined value (tag names cannot hold a comma): SQLite's
/// driver hands rows one at a time across threads, and a row per tag made a 1,000-tag page
/// cost a thousand wake-ups. Sorted again here; Rust's string order is the byte order both
/// databases sort by.
pub async fn tag_names(
    c: &impl ConnectionTrait,
    repo: Uuid,
    snap: Snapshot,
    last: Option<&str>,
    n: u64,
) -> Result<Vec<String>, DbErr> {
    let co = collate(c);
    let agg = if c.get_database_backend() == sea_orm::DbBackend::Postgres {
        "string_agg(name, ',')"
    } else {
        "group_concat(name, ',')"
    };
    let (rows, mut values) = tag_rows(repo, snap);
    let sql = format!(
        "SELECT {agg} AS names FROM (SELECT rt.name FROM {rows} WHERE rt.repository_id = ? \
         AND rt.name{co} > ? ORDER BY rt.name{co} LIMIT ?) page"
    );
    values.extend([repo.into(), last.unwrap_or("").into(), (n as i64).into()]);
    let row = one(c, &sql, values).await?;
    let joined: Option<String> = match row {
        Some(r) => r.try_get("", "names")?,
        None => None,
    };
    let mut names: Vec<String> = joined
        .map(|j| j.split(',').map(String::from).collect())
        .unwrap_or_default();
    names.sort_unstable();
    Ok(names)
}

#[derive(Debug, Clone)]
pub struct Referrer {
    pub digest: String,
    pub media_type: String,
    pub size: i64,
    pub artifact_type: Option<String>,
    pub annotations: String,
}

/// Manifests in `snap` of `repo` whose `subject` is `digest`, sorted by digest.
pub async fn referrers(
    c: &impl ConnectionTrait,
    repo: Uuid,
    snap: Snapshot,
    digest: &str,
) -> Result<Vec<Referrer>, DbErr> {
    let (held, v) = holds("m", repo, snap);
    let sql = format!(
        "SELECT m.digest, m.media_type, m.size, m.artifact_type, m.annotations FROM manifests m \
         WHERE m.subject_digest = ? AND {held} ORDER BY m.digest"
    );
    let mut values = vec![digest.into()];
    values.extend(v);
    let rows = all(c, &sql, values).await?;
    rows.iter()
        .map(|r| {
            Ok(Referrer {
                digest: r.try_get("", "digest")?,
                media_type: r.try_get("", "media_type")?,
                size: r.try_get("", "size")?,
                artifact_type: r.try_get("", "artifact_type")?,
                annotations: r.try_get("", "annotations")?,
            })
        })
        .collect()
}

/// The id of manifest `digest` if the latest version of `repo` holds it.
pub async fn in_latest(
    c: &impl ConnectionTrait,
    repo: Uuid,
    digest: &str,
) -> Result<Option<Uuid>, DbErr> {
    let row = one(
        c,
        "SELECT m.id FROM manifests m JOIN repository_content rc ON rc.content_id = m.id \
         AND rc.repository_id = ? AND rc.version_removed IS NULL WHERE m.digest = ?",
        vec![repo.into(), digest.into()],
    )
    .await?;
    row.map(|r| r.try_get("", "id")).transpose()
}
