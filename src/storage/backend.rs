//! Opening a `BlobStore` from a storage URL: `file:///path`, `s3://bucket/prefix` or `memory:`.
use super::BlobStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::prefix::PrefixStore;
use std::sync::Arc;

/// S3 options beyond the URL; keys and region come from the usual `AWS_*` variables.
#[derive(Clone, Debug, Default)]
pub struct S3Options {
    pub endpoint: Option<String>,
    pub allow_http: bool,
    pub region: Option<String>,
}

/// Opens a durable store (local writes are fsynced with their directory before they return).
pub fn open(url: &str, s3: &S3Options) -> Result<BlobStore, String> {
    open_with(url, s3, true)
}

/// Opens a store; `durable: false` skips the fsyncs of a local directory (a cache that may lose
/// its newest blobs on a power loss). S3 is always durable once it acknowledges a write.
/// Local syncs are `BlobStore`'s (object_store's `with_fsync` would also sync staging copies).
pub fn open_with(url: &str, s3: &S3Options, durable: bool) -> Result<BlobStore, String> {
    if url == "memory:" || url == "memory://" {
        return Ok(BlobStore::memory());
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("storage URL '{url}': {e}"))?;
    match parsed.scheme() {
        "file" => {
            let path = parsed
                .to_file_path()
                .map_err(|_| format!("storage URL '{url}' is not a local path"))?;
            std::fs::create_dir_all(&path)
                .map_err(|e| format!("cannot create storage directory {}: {e}", path.display()))?;
            let fs = LocalFileSystem::new_with_prefix(&path)
                .map_err(|e| format!("storage directory {}: {e}", path.display()))?
                // Not object_store's cleanup: it removes every empty parent up to the root
                // (`uploads/`, `blobs/sha256/ab/`), racing a concurrent write that is creating
                // those directories (ENOENT). `BlobStore::delete` removes only an upload's own
                // directory.
                .with_automatic_cleanup(false);
            let desc = format!("file://{}", path.display());
            Ok(BlobStore::new(Arc::new(fs), desc).with_local_root(path, durable))
        }
        "s3" => {
            let bucket = parsed
                .host_str()
                .filter(|b| !b.is_empty())
                .ok_or_else(|| format!("storage URL '{url}' names no bucket"))?;
            let mut builder = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .with_allow_http(s3.allow_http);
            if let Some(endpoint) = &s3.endpoint {
                builder = builder
                    .with_endpoint(endpoint)
                    .with_virtual_hosted_style_request(false);
            }
            if let Some(region) = &s3.region {
                builder = builder.with_region(region);
            }
            let store = Arc::new(builder.build().map_err(|e| format!("S3 storage: {e}"))?);
            let prefix = parsed.path().trim_matches('/').to_string();
            let desc = format!("s3://{bucket}/{prefix}");
            let multipart = super::s3::Multipart::new(store.clone(), prefix.clone());
            let blobs = if prefix.is_empty() {
                BlobStore::new(store, desc)
            } else {
                BlobStore::new(Arc::new(PrefixStore::new((*store).clone(), prefix)), desc)
            };
            Ok(blobs.with_s3(multipart))
        }
        other => Err(format!(
            "storage URL scheme '{other}' is not supported (use file://, s3:// or memory:)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_store_syncs_its_writes_unless_durability_is_relaxed() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().display());
        assert!(open(&url, &S3Options::default()).unwrap().durable());
        assert!(!open_with(&url, &S3Options::default(), false)
            .unwrap()
            .durable());
    }
}
