//! Push repositories: updates, and Pulp's `tag`, `untag` and `remove_image` actions —
//! validated when requested, applied by tasks through `versions::apply`.
use super::versions::{self, Change, NewVersion};
use crate::domain::content::ContentKind;
use crate::error::{Error, Result};
use crate::repo::push_repos::{self as q, PushRepoRow};
use crate::repo::{manifests, Db};
use serde_json::{Map, Value};
use uuid::Uuid;

pub const FIELDS: &[&str] = &[
    "name",
    "description",
    "pulp_labels",
    "retain_repo_versions",
    "retain_checkpoints",
    "manifest_signing_service",
];

pub async fn get(db: &Db, id: Uuid) -> Result<PushRepoRow> {
    q::get(&db.conn, id)
        .await?
        .ok_or_else(|| Error::NotFound("repository".into()))
}

/// The repository `body` describes over `old` (`partial` = PATCH).
pub fn prepare(old: &PushRepoRow, body: &Map<String, Value>, partial: bool) -> Result<PushRepoRow> {
    let mut r = old.clone();
    match body.get("name") {
        Some(Value::String(s)) if s == &old.name => {}
        Some(Value::String(_)) => {
            return Err(Error::field(
                "name",
                "The name of a push repository is its registry path and cannot change.",
            ))
        }
        Some(_) => return Err(Error::field("name", "Not a valid string.")),
        None if !partial => return Err(Error::field("name", "This field is required.")),
        None => {}
    }
    match body.get("description") {
        Some(Value::String(s)) => r.description = Some(s.clone()),
        Some(Value::Null) => r.description = None,
        Some(_) => return Err(Error::field("description", "Not a valid string.")),
        None if !partial => r.description = None,
        None => {}
    }
    match body.get("retain_repo_versions") {
        Some(Value::Null) => r.retain_repo_versions = None,
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 => r.retain_repo_versions = Some(n),
            _ => {
                return Err(Error::field(
                    "retain_repo_versions",
                    "Ensure this value is greater than or equal to 1.",
                ))
            }
        },
        None if !partial => r.retain_repo_versions = None,
        None => {}
    }
    for key in ["retain_checkpoints", "manifest_signing_service"] {
        if body.get(key).is_some_and(|v| !v.is_null()) {
            return Err(Error::field(key, "Not supported by berth."));
        }
    }
    if body.contains_key("pulp_labels") || !partial {
        r.pulp_labels = super::namespaces::labels(body.get("pulp_labels"))?;
    }
    Ok(r)
}

/// Task body: store the updated repository, then apply `retain_repo_versions`.
pub async fn save(db: &Db, r: &PushRepoRow) -> Result<()> {
    let txn = db.begin_write().await?;
    q::update(&*txn, r).await?;
    txn.commit().await?;
    Ok(())
}

fn version_label(r: &PushRepoRow) -> String {
    format!("<Repository: {}; Version: {}>", r.name, r.latest_version)
}

pub fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

pub fn tag_error() -> Error {
    Error::field(
        "tag",
        "The provided tag is not valid. A tag may contain lowercase and uppercase ASCII alphabetic characters, \
         digits, underscores, periods, and dashes. A tag must not start with a period or a dash.",
    )
}

fn required_string(body: &Map<String, Value>, key: &str) -> Result<String> {
    match body.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(Error::field(key, "This field may not be blank.")),
        Some(_) => Err(Error::field(key, "Not a valid string.")),
        None => Err(Error::field(key, "This field is required.")),
    }
}

/// Validates a `remove_image` or `tag` digest: a manifest in the latest version.
pub async fn manifest_in_latest(
    db: &Db,
    r: &PushRepoRow,
    body: &Map<String, Value>,
) -> Result<String> {
    let digest = required_string(body, "digest")?;
    if manifests::in_latest(&db.conn, r.id, &digest)
        .await?
        .is_none()
    {
        return Err(Error::field(
            "non_field_errors",
            format!("A manifest with the digest '{digest}' does not exist in the latest repository version '{}'", version_label(r)),
        ));
    }
    Ok(digest)
}

pub fn tag_name(body: &Map<String, Value>) -> Result<String> {
    let tag = required_string(body, "tag")?;
    if !valid_tag(&tag) {
        return Err(tag_error());
    }
    Ok(tag)
}

/// Validates an `untag` request: the tag must be in the latest version.
pub async fn existing_tag(db: &Db, r: &PushRepoRow, body: &Map<String, Value>) -> Result<String> {
    let tag = tag_name(body)?;
    let found =
        crate::repo::versions::current_tags_named(&db.conn, r.id, std::slice::from_ref(&tag))
            .await?;
    if found.is_empty() {
        return Err(Error::field(
            "non_field_errors",
            format!(
                "The tag '{tag}' does not exist in the latest repository version '{}'",
                version_label(r)
            ),
        ));
    }
    Ok(tag)
}

/// Task body of `remove_image`: the manifest, its tags and what only it used, in one version.
pub async fn remove_image(db: &Db, repo: Uuid, digest: &str) -> Result<Option<NewVersion>> {
    let txn = db.begin_write().await?;
    let id = manifests::in_latest(&*txn, repo, digest)
        .await?
        .ok_or_else(|| Error::ManifestUnknown(digest.to_string()))?;
    let change = Change {
        remove: vec![(id, ContentKind::Manifest)],
        recursive: true,
        ..Default::default()
    };
    let n = versions::apply(&*txn, repo, change).await?;
    txn.commit().await?;
    Ok(n)
}

/// Task body of `tag`.
pub async fn tag(db: &Db, repo: Uuid, tag: &str, digest: &str) -> Result<Option<NewVersion>> {
    let txn = db.begin_write().await?;
    let manifest = manifests::in_latest(&*txn, repo, digest)
        .await?
        .ok_or_else(|| Error::ManifestUnknown(digest.to_string()))?;
    let tag_id = manifests::upsert_tag(&*txn, tag, manifest).await?;
    let change = Change {
        add: vec![(tag_id, ContentKind::Tag)],
        tag_names: vec![tag.to_string()],
        ..Default::default()
    };
    let n = versions::apply(&*txn, repo, change).await?;
    txn.commit().await?;
    Ok(n)
}

/// Task body of `untag`.
pub async fn untag(db: &Db, repo: Uuid, tag: &str) -> Result<Option<NewVersion>> {
    let txn = db.begin_write().await?;
    let tags = crate::repo::versions::current_tags_named(&*txn, repo, &[tag.to_string()]).await?;
    let change = Change {
        remove: tags.into_iter().map(|t| (t, ContentKind::Tag)).collect(),
        ..Default::default()
    };
    let n = versions::apply(&*txn, repo, change).await?;
    txn.commit().await?;
    Ok(n)
}
