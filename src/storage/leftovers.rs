//! Housekeeping faces of `BlobStore`: what crashed or abandoned writes left behind (local
//! staging files, S3 incomplete multipart uploads) and empty upload directories.
use super::{local, BlobStore};

/// Something a crashed or abandoned write left in storage: a local staging file, or an S3
/// multipart upload that was never completed (`upload_id` set).
#[derive(Debug, Clone)]
pub struct Leftover {
    pub key: String,
    pub size: u64,
    pub modified: chrono::DateTime<chrono::Utc>,
    pub upload_id: Option<String>,
}

impl BlobStore {
    /// Files a crashed write left behind (local `…#<n>` files, S3 incomplete multipart
    /// uploads) that were last touched before `before`.
    pub async fn staging_leftovers(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Leftover>, object_store::Error> {
        if let Some(root) = &self.local_root {
            return local::staging_leftovers(root.clone(), before).await;
        }
        if let Some(s3) = &self.s3 {
            return s3.stale_uploads(before).await;
        }
        Ok(vec![])
    }

    /// Removes leftovers found by `staging_leftovers`; returns how many were removed.
    pub async fn remove_leftovers(&self, found: &[Leftover]) -> Result<u64, object_store::Error> {
        if let Some(root) = &self.local_root {
            return local::remove_files(root.clone(), found).await;
        }
        if let Some(s3) = &self.s3 {
            return s3.abort(found).await;
        }
        Ok(0)
    }

    /// Removes empty directories under `prefix` not modified since `before` (local only),
    /// except those whose first path segment below `prefix` is in `keep`. Returns how many.
    pub async fn remove_empty_dirs(
        &self,
        prefix: &str,
        before: chrono::DateTime<chrono::Utc>,
        keep: std::collections::HashSet<String>,
    ) -> Result<u64, object_store::Error> {
        match &self.local_root {
            Some(root) => local::remove_empty_dirs(root.join(prefix), before, keep).await,
            None => Ok(0),
        }
    }
}
