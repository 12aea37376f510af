//! Serving and deleting blobs through a repository.
use super::repositories::require;
use super::versions::{self, Change};
use crate::domain::content::ContentKind;
use crate::domain::digest::Digest;
use crate::domain::name::RepoName;
use crate::error::{Error, Result};
use crate::repo::{content, Db};
use crate::storage::{keys, BlobStore, ByteStream};

/// The size of blob `digest` as repository `name` serves it (from the version its distribution
/// pins, if it pins one).
pub async fn stat(db: &Db, name: &RepoName, digest: &Digest) -> Result<u64> {
    let repo = require(db, name).await?;
    let blob = content::blob_in(&db.conn, repo.id, repo.snapshot(), &digest.to_string())
        .await?
        .ok_or_else(|| Error::BlobUnknown(digest.clone()))?;
    Ok(blob.size as u64)
}

/// Streams the blob's bytes, or the half-open `range` of them.
pub async fn open(
    store: &BlobStore,
    digest: &Digest,
    range: Option<std::ops::Range<u64>>,
) -> Result<ByteStream> {
    match store.read(&keys::blob(digest), range).await {
        Ok(s) => Ok(s),
        Err(object_store::Error::NotFound { .. }) => Err(Error::BlobUnknown(digest.clone())),
        Err(e) => Err(e.into()),
    }
}

/// Removes the blob from the repository: a new version when its latest version holds it, or
/// from the pending set. The content unit and its bytes stay until orphan cleanup.
pub async fn delete(db: &Db, name: &RepoName, digest: &Digest) -> Result<()> {
    let repo = super::repositories::require_push(db, name).await?;
    let blob = content::blob_in_repo(&db.conn, repo.id, &digest.to_string())
        .await?
        .ok_or_else(|| Error::BlobUnknown(digest.clone()))?;
    let txn = db.begin_write().await?;
    content::remove_pending(&*txn, repo.id, blob.id).await?;
    if content::in_latest(&*txn, repo.id, blob.id).await? {
        let change = Change {
            remove: vec![(blob.id, ContentKind::Blob)],
            ..Default::default()
        };
        versions::apply(&*txn, repo.id, change).await?;
    }
    txn.commit().await?;
    Ok(())
}
