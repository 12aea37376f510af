//! Push repositories: updates, and Pulp's `tag`, `untag` and `remove_image` actions —
//! validated when requested, applied by tasks through `versions::apply`.
use super::versions::{self, Change, NewVersion};
use crate::domain::content::ContentKind;
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::repo::push_repos as q;
use crate::repo::{manifests, Db};
use crate::service::namespaces::Labels;
use uuid::Uuid;

pub use crate::repo::push_repos::{PushRepoRow, VersionRow};

/// What an update asks for; `None`: not given (PATCH keeps the old value, PUT resets it).
#[derive(Default)]
pub struct PushRepoInput {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    /// At least 1 (`Some(None)`: keep every version).
    pub retain_repo_versions: Option<Option<i64>>,
    /// Given labels (`null` is none).
    pub pulp_labels: Option<Labels>,
}

pub async fn get(db: &Db, id: Uuid) -> Result<PushRepoRow> {
    q::get(&db.conn, id)
        .await?
        .filter(|r| !r.container)
        .ok_or_else(|| Error::NotFound("repository".into()))
}

/// The repository `input` describes over `old` (`partial` = PATCH).
pub fn prepare(old: &PushRepoRow, input: PushRepoInput, partial: bool) -> Result<PushRepoRow> {
    let mut r = old.clone();
    check_name(old, input.name.as_deref(), partial)?;
    if input.description.is_some() || !partial {
        r.description = input.description.flatten();
    }
    if input.retain_repo_versions.is_some() || !partial {
        r.retain_repo_versions = input.retain_repo_versions.flatten();
    }
    if input.pulp_labels.is_some() || !partial {
        r.pulp_labels = super::namespaces::labels_text(input.pulp_labels.as_ref());
    }
    Ok(r)
}

/// The name of a push repository is its registry path: an update may only repeat it (and a
/// full update must).
pub fn check_name(old: &PushRepoRow, name: Option<&str>, partial: bool) -> Result<()> {
    match name {
        Some(s) if s == old.name => Ok(()),
        Some(_) => Err(fe::field(
            "name",
            "The name of a push repository is its registry path and cannot change.",
        )),
        None if !partial => Err(fe::field("name", fe::REQUIRED)),
        None => Ok(()),
    }
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
    fe::field(
        "tag",
        "The provided tag is not valid. A tag may contain lowercase and uppercase ASCII alphabetic characters, \
         digits, underscores, periods, and dashes. A tag must not start with a period or a dash.",
    )
}

/// Validates a `remove_image` or `tag` digest: a manifest in the latest version.
pub async fn manifest_in_latest(db: &Db, r: &PushRepoRow, digest: &str) -> Result<()> {
    if manifests::in_latest(&db.conn, r.id, digest)
        .await?
        .is_none()
    {
        return Err(fe::non_field(
            format!("A manifest with the digest '{digest}' does not exist in the latest repository version '{}'", version_label(r)),
        ));
    }
    Ok(())
}

/// A tag name as a `tag`/`untag` request may give it.
pub fn check_tag(tag: &str) -> Result<()> {
    if !valid_tag(tag) {
        return Err(tag_error());
    }
    Ok(())
}

/// Validates an `untag` request: the tag must be in the latest version.
pub async fn existing_tag(db: &Db, r: &PushRepoRow, tag: &str) -> Result<()> {
    let found =
        crate::repo::versions::current_tags_named(&db.conn, r.id, &[tag.to_string()]).await?;
    if found.is_empty() {
        return Err(fe::non_field(format!(
            "The tag '{tag}' does not exist in the latest repository version '{}'",
            version_label(r)
        )));
    }
    Ok(())
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

/// The most tags one `untag_images` task removes.
pub const UNTAG_MANY_MAX: usize = 10_000;

/// Validates a request to untag many tags at once: 1 to [`UNTAG_MANY_MAX`] valid names, each
/// in the latest version (one query for all of them).
pub async fn existing_tags(db: &Db, r: &PushRepoRow, tags: &[String]) -> Result<()> {
    if tags.is_empty() {
        return Err(Error::Validation(vec![(
            "tag".into(),
            "Select at least one tag.".into(),
        )]));
    }
    if tags.len() > UNTAG_MANY_MAX {
        return Err(Error::Validation(vec![(
            "tag".into(),
            format!(
                "At most {UNTAG_MANY_MAX} tags can be untagged at once; {} were selected.",
                tags.len()
            ),
        )]));
    }
    for t in tags {
        check_tag(t)?;
    }
    let mut names = tags.to_vec();
    names.sort();
    names.dedup();
    let mut found = 0;
    for chunk in names.chunks(1000) {
        found += crate::repo::versions::current_tags_named(&db.conn, r.id, chunk)
            .await?
            .len();
    }
    if found != names.len() {
        return Err(fe::non_field(format!(
            "{} of the selected tags do not exist in the latest repository version '{}'",
            names.len() - found,
            version_label(r)
        )));
    }
    Ok(())
}

/// Task body of `untag_images`: every named tag still in the latest version goes, in one
/// new version.
pub async fn untag_many(db: &Db, repo: Uuid, tags: &[String]) -> Result<Option<NewVersion>> {
    let txn = db.begin_write().await?;
    let mut ids = Vec::new();
    for chunk in tags.chunks(1000) {
        ids.extend(crate::repo::versions::current_tags_named(&*txn, repo, chunk).await?);
    }
    let change = Change {
        remove: ids.into_iter().map(|t| (t, ContentKind::Tag)).collect(),
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
