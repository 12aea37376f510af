//! Blobs and a repository's visible content: what its latest version holds plus its pending
//! (pushed but not yet versioned) units, or what one of its versions holds (a [`Snapshot`]).
//! Content rows are global and shared.
use super::{exec, new_id, now, one};
use crate::domain::content::ContentKind;
use sea_orm::{ConnectionTrait, DbErr, Value};
use uuid::Uuid;

/// The table holding the units of `kind` (the `content_type` column stores `kind.as_str()`).
pub fn table(kind: ContentKind) -> &'static str {
    match kind {
        ContentKind::Blob => "blobs",
        ContentKind::Manifest => "manifests",
        ContentKind::Tag => "tags",
    }
}

#[derive(Debug, Clone)]
pub struct BlobRow {
    pub id: Uuid,
    pub size: i64,
}

/// The SQL condition "content `<alias>.id` is visible in repository `?`" (takes two values).
pub const VISIBLE: &str = "(EXISTS (SELECT 1 FROM repository_content rc WHERE rc.repository_id = ? \
     AND rc.content_id = {a}.id AND rc.version_removed IS NULL) \
     OR EXISTS (SELECT 1 FROM repository_pending p WHERE p.repository_id = ? AND p.content_id = {a}.id))";

pub fn visible(alias: &str) -> String {
    VISIBLE.replace("{a}", alias)
}

/// Membership rows `rc` of version `?` of repository `?` (takes [`version_values`]).
pub(crate) const IN_VERSION: &str =
    "rc.repository_id = ? AND rc.version_added <= ? AND (rc.version_removed IS NULL OR rc.version_removed > ?)";

pub(crate) fn version_values(repo: Uuid, number: i64) -> Vec<Value> {
    vec![repo.into(), number.into(), number.into()]
}

/// What a registry read of a repository sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snapshot {
    /// The latest version, plus the content pushed to the repository by digest (pending).
    Latest,
    /// Version `n` alone (a distribution's `repository_version`).
    Version(i64),
}

impl Snapshot {
    /// `None`: the latest version.
    pub fn of(version: Option<i64>) -> Snapshot {
        version.map_or(Snapshot::Latest, Snapshot::Version)
    }
}

/// The condition "content `<alias>.id` is in `snap` of `repo`", with its values: the one
/// membership test every registry read by digest uses.
pub(crate) fn holds(alias: &str, repo: Uuid, snap: Snapshot) -> (String, Vec<Value>) {
    match snap {
        Snapshot::Latest => (visible(alias), vec![repo.into(), repo.into()]),
        Snapshot::Version(n) => (
            format!(
                "EXISTS (SELECT 1 FROM repository_content rc WHERE {IN_VERSION} \
                 AND rc.content_id = {alias}.id)"
            ),
            version_values(repo, n),
        ),
    }
}

/// The tags of `snap` of `repo` as a FROM item `rt (repository_id, name, tag_id, manifest_id)`,
/// with its values: the latest version's is the `repository_tags` index (migration 000004), a
/// version's is read from its membership rows.
pub(crate) fn tag_rows(repo: Uuid, snap: Snapshot) -> (String, Vec<Value>) {
    match snap {
        Snapshot::Latest => ("repository_tags rt".into(), vec![]),
        Snapshot::Version(n) => {
            let mut values = version_values(repo, n);
            values.push(ContentKind::Tag.as_str().into());
            (
                format!(
                    "(SELECT rc.repository_id, t.name, t.id AS tag_id, t.manifest_id \
                     FROM repository_content rc JOIN tags t ON t.id = rc.content_id \
                     WHERE {IN_VERSION} AND rc.content_type = ?) rt"
                ),
                values,
            )
        }
    }
}

/// A blob with `digest` that repository `repo` can serve (latest version or pending).
pub async fn blob_in_repo(
    c: &impl ConnectionTrait,
    repo: Uuid,
    digest: &str,
) -> Result<Option<BlobRow>, DbErr> {
    blob_in(c, repo, Snapshot::Latest, digest).await
}

/// A blob with `digest` in `snap` of repository `repo`.
pub async fn blob_in(
    c: &impl ConnectionTrait,
    repo: Uuid,
    snap: Snapshot,
    digest: &str,
) -> Result<Option<BlobRow>, DbErr> {
    let (held, v) = holds("b", repo, snap);
    let sql = format!("SELECT b.id, b.size FROM blobs b WHERE b.digest = ? AND {held}");
    let mut values = vec![digest.into()];
    values.extend(v);
    let row = one(c, &sql, values).await?;
    row.map(|r| {
        Ok(BlobRow {
            id: r.try_get("", "id")?,
            size: r.try_get("", "size")?,
        })
    })
    .transpose()
}

/// A blob row anywhere in the registry.
pub async fn blob_global(c: &impl ConnectionTrait, digest: &str) -> Result<Option<BlobRow>, DbErr> {
    let row = one(
        c,
        "SELECT id, size FROM blobs WHERE digest = ?",
        vec![digest.into()],
    )
    .await?;
    row.map(|r| {
        Ok(BlobRow {
            id: r.try_get("", "id")?,
            size: r.try_get("", "size")?,
        })
    })
    .transpose()
}

/// Inserts the blob row if absent and refreshes its `touched_at`; returns its id.
pub async fn upsert_blob(c: &impl ConnectionTrait, digest: &str, size: u64) -> Result<Uuid, DbErr> {
    let t = now();
    exec(
        c,
        "INSERT INTO blobs (id, digest, size, created_at, touched_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (digest) DO UPDATE SET touched_at = excluded.touched_at",
        vec![
            new_id().into(),
            digest.into(),
            (size as i64).into(),
            t.into(),
            t.into(),
        ],
    )
    .await?;
    let row = one(
        c,
        "SELECT id FROM blobs WHERE digest = ?",
        vec![digest.into()],
    )
    .await?
    .ok_or_else(|| DbErr::RecordNotFound(format!("blob {digest}")))?;
    row.try_get("", "id")
}

/// Records `content` as pending in `repo`, or refreshes the time of its pending reference (a
/// blob pending longer than the orphan protection time is reclaimable, so a new upload of it
/// must restart that time).
pub async fn add_pending(
    c: &impl ConnectionTrait,
    repo: Uuid,
    content: Uuid,
    kind: ContentKind,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO repository_pending (repository_id, content_id, content_type, created_at) \
         VALUES (?, ?, ?, ?) ON CONFLICT (repository_id, content_id) \
         DO UPDATE SET created_at = excluded.created_at",
        vec![
            repo.into(),
            content.into(),
            kind.as_str().into(),
            now().into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn remove_pending(
    c: &impl ConnectionTrait,
    repo: Uuid,
    content: Uuid,
) -> Result<u64, DbErr> {
    exec(
        c,
        "DELETE FROM repository_pending WHERE repository_id = ? AND content_id = ?",
        vec![repo.into(), content.into()],
    )
    .await
}

/// Whether `content` is in the latest version of `repo`.
pub async fn in_latest(c: &impl ConnectionTrait, repo: Uuid, content: Uuid) -> Result<bool, DbErr> {
    Ok(one(
        c,
        "SELECT 1 AS x FROM repository_content WHERE repository_id = ? AND content_id = ? \
         AND version_removed IS NULL",
        vec![repo.into(), content.into()],
    )
    .await?
    .is_some())
}

/// Serialises, until the transaction ends, everything that writes or deletes the stored bytes
/// of `digest` (uploads placing bytes, orphan cleanup removing them). PostgreSQL uses a
/// transaction-scoped advisory lock; SQLite write transactions are already serialised.
pub async fn lock_digest(c: &impl ConnectionTrait, digest: &str) -> Result<(), DbErr> {
    if c.get_database_backend() == sea_orm::DbBackend::Postgres {
        one(
            c,
            "SELECT 1 AS x FROM (SELECT pg_advisory_xact_lock(hashtext(?))) AS l",
            vec![digest.into()],
        )
        .await?;
    }
    Ok(())
}
