//! What the retention engine reads: the repositories a policy may cover (push repositories,
//! and plain container repositories for policies of every namespace), and one
//! repository's latest version (tags, manifests, their blobs, list children, pulls) in six
//! statements whatever its size; plus which blobs something outside the covered repositories
//! still holds. "Pushed" is when the version that added the unit to the repository was created
//! (the unit's own creation time if that version was pruned since).
use super::{all, placeholders};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Largest `IN (…)` list sent in one statement.
const CHUNK: usize = 500;

/// A repository a policy may cover.
#[derive(Debug, Clone)]
pub struct RepoRef {
    pub id: Uuid,
    pub name: String,
    /// The namespace of a push repository; `None` for a plain container repository.
    pub namespace: Option<String>,
}

impl RepoRef {
    /// Whether this is a plain container repository (no namespace).
    pub fn is_container(&self) -> bool {
        self.namespace.is_none()
    }
}

/// The push repositories of `namespace`, or (`None`) every repository of either kind, by
/// name. A plain repository belongs to no namespace, so a namespace's list never holds one.
pub async fn repositories(
    c: &impl ConnectionTrait,
    namespace: Option<Uuid>,
) -> Result<Vec<RepoRef>, DbErr> {
    let (filter, values): (&str, Vec<Value>) = match namespace {
        Some(ns) => ("WHERE r.namespace_id = ?", vec![ns.into()]),
        None => ("", vec![]),
    };
    let sql = format!(
        "SELECT r.id, r.name, n.name AS namespace FROM repositories r \
         LEFT JOIN namespaces n ON n.id = r.namespace_id {filter} ORDER BY r.name"
    );
    all(c, &sql, values)
        .await?
        .iter()
        .map(|r| {
            Ok(RepoRef {
                id: r.try_get("", "id")?,
                name: r.try_get("", "name")?,
                namespace: r.try_get("", "namespace")?,
            })
        })
        .collect()
}

pub struct TagRow {
    pub id: Uuid,
    pub name: String,
    pub manifest_id: Uuid,
    pub pushed: DateTime<Utc>,
}

pub struct ManifestRow {
    pub id: Uuid,
    pub digest: String,
    pub media_type: String,
    pub subject_digest: Option<String>,
    pub pushed: DateTime<Utc>,
    /// Pushed by digest and never tagged: in no version, only pending in the repository.
    pub pending: bool,
}

/// The latest version of one repository.
#[derive(Default)]
pub struct RepoContent {
    pub tags: Vec<TagRow>,
    pub manifests: Vec<ManifestRow>,
    /// (manifest, blob, size)
    pub blobs: Vec<(Uuid, Uuid, i64)>,
    /// (list, child)
    pub children: Vec<(Uuid, Uuid)>,
    /// (tag or manifest id, last pulled)
    pub pulls: Vec<(Uuid, DateTime<Utc>)>,
}

/// Reads the latest version of `repo`.
pub async fn content(c: &impl ConnectionTrait, repo: Uuid) -> Result<RepoContent, DbErr> {
    let v = || vec![Value::from(repo)];
    let vv = || vec![Value::from(repo), Value::from(repo)];
    // Tags and when their present membership began, in two statements joined here: in one,
    // SQLite starts from every present row of the repository and scans the tags for each
    // (quadratic; a minute for 10,000 tags).
    let added: HashMap<Uuid, DateTime<Utc>> = all(
        c,
        "SELECT rc.content_id, v.created_at FROM repository_content rc \
         JOIN repository_versions v ON v.repository_id = rc.repository_id \
         AND v.number = rc.version_added \
         WHERE rc.repository_id = ? AND rc.version_removed IS NULL AND rc.content_type = 'tag'",
        v(),
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
    .collect::<Result<_, DbErr>>()?;
    let tags = all(
        c,
        "SELECT rt.tag_id, rt.name, rt.manifest_id, t.created_at FROM repository_tags rt \
         JOIN tags t ON t.id = rt.tag_id WHERE rt.repository_id = ?",
        v(),
    )
    .await?
    .iter()
    .map(|r| {
        let id: Uuid = r.try_get("", "tag_id")?;
        let created: DateTime<Utc> = r.try_get("", "created_at")?;
        Ok(TagRow {
            id,
            name: r.try_get("", "name")?,
            manifest_id: r.try_get("", "manifest_id")?,
            pushed: added.get(&id).copied().unwrap_or(created),
        })
    })
    .collect::<Result<_, DbErr>>()?;
    // Manifests in the version, then those pushed by digest and never tagged (pending: served,
    // in no version). Counted first so each row knows which half it came from.
    let versioned: usize = super::one(
        c,
        "SELECT COUNT(*) AS n FROM repository_content WHERE repository_id = ? \
         AND version_removed IS NULL AND content_type = 'manifest'",
        v(),
    )
    .await?
    .map(|r| r.try_get::<i64>("", "n"))
    .transpose()?
    .unwrap_or(0) as usize;
    let manifests: Vec<ManifestRow> = all(
        c,
        "SELECT m.id, m.digest, m.media_type, m.subject_digest, \
         COALESCE(v.created_at, m.created_at) AS pushed FROM repository_content rc \
         JOIN manifests m ON m.id = rc.content_id \
         LEFT JOIN repository_versions v ON v.repository_id = rc.repository_id \
         AND v.number = rc.version_added \
         WHERE rc.repository_id = ? AND rc.version_removed IS NULL AND rc.content_type = 'manifest' \
         UNION ALL SELECT m.id, m.digest, m.media_type, m.subject_digest, pe.created_at AS pushed \
         FROM repository_pending pe JOIN manifests m ON m.id = pe.content_id \
         WHERE pe.repository_id = ? AND pe.content_type = 'manifest'",
        vv(),
    )
    .await?
    .iter()
    .enumerate()
    .map(|(i, r)| {
        Ok(ManifestRow {
            id: r.try_get_by_index(0)?,
            digest: r.try_get_by_index(1)?,
            media_type: r.try_get_by_index(2)?,
            subject_digest: r.try_get_by_index(3)?,
            pushed: r.try_get_by_index(4)?,
            pending: i >= versioned,
        })
    })
    .collect::<Result<_, DbErr>>()?;
    let blobs = all(
        c,
        "SELECT mb.manifest_id, mb.blob_id, b.size FROM repository_content rc \
         JOIN manifest_blobs mb ON mb.manifest_id = rc.content_id JOIN blobs b ON b.id = mb.blob_id \
         WHERE rc.repository_id = ? AND rc.version_removed IS NULL AND rc.content_type = 'manifest' \
         UNION ALL SELECT mb.manifest_id, mb.blob_id, b.size FROM repository_pending pe \
         JOIN manifest_blobs mb ON mb.manifest_id = pe.content_id JOIN blobs b ON b.id = mb.blob_id \
         WHERE pe.repository_id = ? AND pe.content_type = 'manifest'",
        vv(),
    )
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get_by_index(0)?,
            r.try_get_by_index(1)?,
            r.try_get_by_index(2)?,
        ))
    })
    .collect::<Result<_, DbErr>>()?;
    let children = all(
        c,
        "SELECT mlm.list_id, mlm.manifest_id FROM repository_content rc \
         JOIN manifest_list_manifests mlm ON mlm.list_id = rc.content_id \
         WHERE rc.repository_id = ? AND rc.version_removed IS NULL AND rc.content_type = 'manifest' \
         UNION ALL SELECT mlm.list_id, mlm.manifest_id FROM repository_pending pe \
         JOIN manifest_list_manifests mlm ON mlm.list_id = pe.content_id \
         WHERE pe.repository_id = ? AND pe.content_type = 'manifest'",
        vv(),
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
    .collect::<Result<_, DbErr>>()?;
    let pulls = all(
        c,
        "SELECT content_id, last_pulled_at FROM repository_pulls WHERE repository_id = ?",
        v(),
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
    .collect::<Result<_, DbErr>>()?;
    Ok(RepoContent {
        tags,
        manifests,
        blobs,
        children,
        pulls,
    })
}

/// Of `blobs`, those something outside `covered` keeps: a manifest or blob row of another
/// repository (any version it still has, or pending there), or of a version a distribution
/// serves.
pub async fn held_elsewhere(
    c: &impl ConnectionTrait,
    blobs: &[Uuid],
    covered: &HashSet<Uuid>,
) -> Result<HashSet<Uuid>, DbErr> {
    let mut out = HashSet::new();
    // Versions of covered repositories that distributions serve (few; other repositories'
    // rows count whatever their version).
    let served: Vec<(Uuid, i64)> = all(
        c,
        "SELECT v.repository_id, v.number FROM distributions d \
         JOIN repository_versions v ON v.id = d.repository_version_id",
        vec![],
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
    .collect::<Result<Vec<_>, DbErr>>()?
    .into_iter()
    .filter(|(repo, _)| covered.contains(repo))
    .collect();
    for chunk in blobs.chunks(CHUNK) {
        let ids = || chunk.iter().map(|u| Value::from(*u));
        let inl = placeholders(chunk.len());
        // Any row of a repository: a manifest using the blob (in a version or pending), or the
        // blob itself.
        let sql = format!(
            "SELECT mb.blob_id, rc.repository_id FROM manifest_blobs mb \
             JOIN repository_content rc ON rc.content_id = mb.manifest_id WHERE mb.blob_id IN ({inl}) \
             UNION SELECT mb.blob_id, pe.repository_id FROM manifest_blobs mb \
             JOIN repository_pending pe ON pe.content_id = mb.manifest_id WHERE mb.blob_id IN ({inl}) \
             UNION SELECT rc.content_id, rc.repository_id FROM repository_content rc \
             WHERE rc.content_id IN ({inl})"
        );
        for r in all(c, &sql, ids().chain(ids()).chain(ids()).collect()).await? {
            let blob: Uuid = r.try_get_by_index(0)?;
            let repo: Uuid = r.try_get_by_index(1)?;
            if !covered.contains(&repo) {
                out.insert(blob);
            }
        }
        for (repo, number) in &served {
            let within = "rc.repository_id = ? AND rc.version_added <= ? \
                 AND (rc.version_removed IS NULL OR rc.version_removed > ?)";
            let sql = format!(
                "SELECT mb.blob_id FROM manifest_blobs mb \
                 JOIN repository_content rc ON rc.content_id = mb.manifest_id \
                 WHERE mb.blob_id IN ({inl}) AND {within} \
                 UNION SELECT rc.content_id FROM repository_content rc \
                 WHERE rc.content_id IN ({inl}) AND {within}"
            );
            let at = || {
                [
                    Value::from(*repo),
                    Value::from(*number),
                    Value::from(*number),
                ]
            };
            let values = ids().chain(at()).chain(ids()).chain(at()).collect();
            for r in all(c, &sql, values).await? {
                out.insert(r.try_get_by_index(0)?);
            }
        }
    }
    Ok(out)
}

/// Drops the pending references of `manifests` in `repo` (manifests pushed by digest that a
/// run removes; they are in no version, so this is not undone by restoring one).
pub async fn drop_pending(
    c: &impl ConnectionTrait,
    repo: Uuid,
    manifests: &[Uuid],
) -> Result<(), DbErr> {
    for chunk in manifests.chunks(CHUNK) {
        let sql = format!(
            "DELETE FROM repository_pending WHERE repository_id = ? AND content_id IN ({})",
            placeholders(chunk.len())
        );
        let mut values: Vec<Value> = vec![repo.into()];
        values.extend(chunk.iter().map(|u| Value::from(*u)));
        super::exec(c, &sql, values).await?;
    }
    Ok(())
}
