//! `BlobStore`: the narrow face of object storage. Bytes stream in and out; nothing here holds a
//! whole blob in memory. Backends: a local directory (default), any S3 API, or memory (tests).
//!
//! Layout of keys (built and parsed only by [`keys`]; nothing outside `storage` spells one):
//! - `blobs/<alg>/<first 2 hex>/<hex>` ([`keys::blob`]): a stored blob, content-addressed,
//!   written once (placed by `copy` or `concat` of its staged parts, or `put_bytes` if empty).
//! - `uploads/<session id>/<uuid v4>` ([`keys::upload_part`]): one staged part of a chunked or
//!   resumable upload session, one per `PATCH`/`PUT` body; the session's database row lists its
//!   parts in order, and they are concatenated into the blob key when the upload completes.
//! - `uploads/<uuid v7>/<uuid v4>` ([`keys::scratch`]): the staging copy of a monolithic push,
//!   owned by no session; the push deletes it, or upload expiry does (no live session owns it).
//! - `…#<n>` (local directory only): a file object_store is still writing (or was writing when
//!   the process died); listings hide them, `staging_leftovers` finds them.
//! - an S3 multipart upload in progress is not a key: `s3` lists and aborts stale ones.
//!
//! Durability: a local store opened durable (the default) fsyncs a written file and the
//! directories leading to it (up to the root) before `write_stream`, `copy`, `concat` or
//! `put_bytes` returns, so bytes acknowledged to a client survive a power loss. These syncs
//! are done here rather than by object_store's `with_fsync`, so that `write_scratch` (a
//! monolithic push's staging copy, placed by `copy` right after) costs no sync of its own: the
//! `copy` (a hard link) syncs the shared file once. S3 acknowledges a write once durable.
//!
//! This module knows nothing of the database.
mod backend;
pub mod keys;
mod leftovers;
mod local;
mod s3;
mod timed;
pub use timed::set_recorder as set_operation_recorder;

pub use backend::{open, open_with, S3Options};
pub use leftovers::Leftover;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, WriteMultipart};
use std::sync::Arc;

use crate::domain::digest::Hasher;

/// Part size for multipart writes; at most `MAX_IN_FLIGHT` parts are buffered at once.
const PART_SIZE: usize = 8 * 1024 * 1024;
const MAX_IN_FLIGHT: usize = 2;
/// Blocking tasks a bulk local delete is split over.
const LOCAL_DELETE_TASKS: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the request body failed: {0}")]
    Body(String),
    #[error("the body is larger than allowed")]
    TooLarge,
    #[error(transparent)]
    Store(#[from] object_store::Error),
}

#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    description: String,
    /// The directory of a local backend, for bulk deletes without a task per file.
    local_root: Option<std::path::PathBuf>,
    /// The raw S3 client and key prefix, for listing and aborting stale multipart uploads.
    s3: Option<s3::Multipart>,
    /// Whether local writes are fsynced (S3 writes are durable when acknowledged).
    durable: bool,
}

pub type ByteStream = BoxStream<'static, Result<Bytes, object_store::Error>>;

impl BlobStore {
    /// A store over `inner`, whose operations are timed for `/metrics` (`timed`).
    pub fn new(inner: Arc<dyn ObjectStore>, description: impl Into<String>) -> Self {
        let description = description.into();
        let backend = timed::backend_label(&description);
        BlobStore {
            inner: Arc::new(timed::Timed::new(inner, backend)),
            description,
            local_root: None,
            s3: None,
            durable: true,
        }
    }

    /// Marks this store as S3, keeping the raw client for multipart-upload housekeeping.
    pub(crate) fn with_s3(mut self, s3: s3::Multipart) -> Self {
        self.s3 = Some(s3);
        self
    }

    /// `(total, free)` bytes of the file system a local store lives on (`None`: the backend
    /// cannot tell, as S3).
    pub async fn capacity(&self) -> Option<(u64, u64)> {
        let root = self.local_root.clone()?;
        tokio::task::spawn_blocking(move || local::capacity(&root))
            .await
            .ok()
            .flatten()
    }

    /// The local directory this store lives in, if it is a local store.
    pub fn local_root(&self) -> Option<&std::path::Path> {
        self.local_root.as_deref()
    }

    /// Marks this store as a local directory rooted at `root`, fsyncing writes when `durable`.
    pub fn with_local_root(mut self, root: std::path::PathBuf, durable: bool) -> Self {
        self.local_root = Some(root);
        self.durable = durable;
        self
    }

    /// Deletes many keys (missing ones are fine); returns how many existed. Local directories
    /// unlink in one blocking task; object stores use their bulk delete (S3: 1,000 a request).
    pub async fn delete_many(&self, keys: Vec<String>) -> Result<u64, object_store::Error> {
        if let Some(root) = self.local_root.clone() {
            // Unlinks in a few blocking tasks at once: file-system metadata work parallelises.
            let per = keys.len().div_ceil(LOCAL_DELETE_TASKS).max(1);
            let mut tasks = Vec::new();
            for chunk in keys.chunks(per) {
                let (root, chunk) = (root.clone(), chunk.to_vec());
                tasks.push(tokio::task::spawn_blocking(move || {
                    let mut n = 0u64;
                    for k in chunk {
                        match std::fs::remove_file(root.join(&k)) {
                            Ok(()) => n += 1,
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                            Err(e) => return Err(e),
                        }
                    }
                    Ok(n)
                }));
            }
            let mut total = 0;
            for t in tasks {
                let generic =
                    |e: Box<dyn std::error::Error + Send + Sync>| object_store::Error::Generic {
                        store: "LocalFileSystem",
                        source: e,
                    };
                total += t
                    .await
                    .map_err(|e| generic(Box::new(e)))?
                    .map_err(|e| generic(Box::new(e)))?;
            }
            return Ok(total);
        }
        let paths = futures::stream::iter(keys.into_iter().map(|k| Ok(Path::from(k)))).boxed();
        let mut n = 0;
        let mut results = self.inner.delete_stream(paths);
        while let Some(r) = results.next().await {
            match r {
                Ok(_) => n += 1,
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    pub fn memory() -> Self {
        Self::new(Arc::new(object_store::memory::InMemory::new()), "memory")
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// Streams `body` to `key`, feeding every byte through `hasher`. Returns the byte count.
    /// On any failure the partial object is aborted, so nothing half-written remains at `key`.
    /// More than `limit` bytes fail with `WriteError::TooLarge` as soon as the limit is passed.
    pub async fn write_stream<S, E>(
        &self,
        key: &str,
        body: S,
        hasher: &mut Hasher,
        limit: Option<u64>,
    ) -> Result<u64, WriteError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let n = self.write(key, body, Some(hasher), limit).await?;
        self.sync(key).await?;
        Ok(n)
    }

    /// Like `write_stream` but never synced: for a staging copy that is durable only once
    /// placed with `copy` (which syncs it).
    pub async fn write_scratch<S, E>(
        &self,
        key: &str,
        body: S,
        hasher: &mut Hasher,
        limit: Option<u64>,
    ) -> Result<u64, WriteError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        self.write(key, body, Some(hasher), limit).await
    }

    /// On a durable local store, syncs the file at `key` and its directories up to the root.
    async fn sync(&self, key: &str) -> Result<(), object_store::Error> {
        match &self.local_root {
            Some(root) if self.durable => local::sync_key(root.clone(), key.to_string()).await,
            _ => Ok(()),
        }
    }

    async fn write<S, E>(
        &self,
        key: &str,
        body: S,
        mut hasher: Option<&mut Hasher>,
        limit: Option<u64>,
    ) -> Result<u64, WriteError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let upload = self.inner.put_multipart(&Path::from(key)).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut body = body;
        let mut written: u64 = 0;
        let outcome: Result<(), WriteError> = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| WriteError::Body(e.to_string()))?;
                written += chunk.len() as u64;
                if limit.is_some_and(|l| written > l) {
                    return Err(WriteError::TooLarge);
                }
                if let Some(h) = hasher.as_deref_mut() {
                    h.update(&chunk);
                }
                writer.wait_for_capacity(MAX_IN_FLIGHT).await?;
                writer.put(chunk);
            }
            Ok(())
        }
        .await;
        match outcome {
            Ok(()) => {
                writer.finish().await?;
                Ok(written)
            }
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }

    /// Writes a small object in one request.
    pub async fn put_bytes(&self, key: &str, bytes: Bytes) -> Result<(), object_store::Error> {
        self.inner.put(&Path::from(key), bytes.into()).await?;
        self.sync(key).await
    }

    /// Streams the object at `key`, optionally only `range` (inclusive start, exclusive end).
    pub async fn read(
        &self,
        key: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> Result<ByteStream, object_store::Error> {
        let opts = GetOptions {
            range: range.map(GetRange::Bounded),
            ..Default::default()
        };
        let res = self.inner.get_opts(&Path::from(key), opts).await?;
        match res.payload {
            // object_store reads local files 8 KiB per blocking task; read in large chunks instead.
            object_store::GetResultPayload::File(file, _) => {
                Ok(local::file_stream(file, res.range))
            }
            object_store::GetResultPayload::Stream(s) => Ok(s),
        }
    }

    /// Reads a whole small object (configs, never layers).
    pub async fn read_small(
        &self,
        key: &str,
        max: u64,
    ) -> Result<Option<Bytes>, object_store::Error> {
        let meta = self.inner.head(&Path::from(key)).await?;
        if meta.size > max {
            return Ok(None);
        }
        let bytes = self.inner.get(&Path::from(key)).await?.bytes().await?;
        Ok(Some(bytes))
    }

    /// The object's size, or `None` when it does not exist.
    pub async fn size(&self, key: &str) -> Result<Option<u64>, object_store::Error> {
        match self.inner.head(&Path::from(key)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Deletes `key`; a missing object is not an error. On a local directory, deleting an
    /// upload part also removes its `uploads/<id>/` directory once empty.
    pub async fn delete(&self, key: &str) -> Result<(), object_store::Error> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        if let Some(root) = &self.local_root {
            local::remove_upload_dir(root, key);
        }
        Ok(())
    }

    /// Moves an object (a rename on local disk, copy + delete on S3).
    pub async fn rename(&self, from: &str, to: &str) -> Result<(), object_store::Error> {
        self.inner.rename(&Path::from(from), &Path::from(to)).await
    }

    /// Copies an object, keeping the source (a hard link on local disk, a server-side copy on
    /// S3); an existing `to` is replaced atomically.
    pub async fn copy(&self, from: &str, to: &str) -> Result<(), object_store::Error> {
        self.inner.copy(&Path::from(from), &Path::from(to)).await?;
        self.sync(to).await
    }

    /// The largest object `copy` can copy: S3's CopyObject stops at 5 GiB (bigger objects are
    /// copied by streaming them: `concat` of one part).
    pub fn copy_limit(&self) -> Option<u64> {
        self.s3.as_ref().map(|_| 5 * 1024 * 1024 * 1024)
    }

    /// Whether writes to a local directory are synced (see the module doc).
    pub fn durable(&self) -> bool {
        self.durable
    }

    /// Keys under `prefix`, sorted, with their sizes.
    pub async fn list(&self, prefix: &str) -> Result<Vec<(String, u64)>, object_store::Error> {
        let mut out: Vec<(String, u64)> = self
            .inner
            .list(Some(&Path::from(prefix)))
            .map_ok(|m| (m.location.to_string(), m.size))
            .try_collect()
            .await?;
        out.sort();
        Ok(out)
    }

    /// Keys under `prefix` with their sizes and last-modified times.
    pub async fn list_meta(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, u64, chrono::DateTime<chrono::Utc>)>, object_store::Error> {
        self.inner
            .list(Some(&Path::from(prefix)))
            .map_ok(|m| (m.location.to_string(), m.size, m.last_modified))
            .try_collect()
            .await
    }

    /// Keys under `prefix` with their last-modified times.
    pub async fn list_modified(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>, object_store::Error> {
        self.inner
            .list(Some(&Path::from(prefix)))
            .map_ok(|m| (m.location.to_string(), m.last_modified))
            .try_collect()
            .await
    }

    /// Concatenates the objects at `parts`, in order, into `to`, streaming. Nothing is hashed:
    /// the caller verified the digest from the running hash of the upload.
    pub async fn concat(&self, parts: &[String], to: &str) -> Result<u64, WriteError> {
        if let Some(root) = &self.local_root {
            let (parts, to) = (parts.to_vec(), to.to_string());
            return Ok(local::concat(root.clone(), parts, to, self.durable).await?);
        }
        let store = self.clone();
        let keys = parts.to_vec();
        let stream = futures::stream::iter(keys)
            .then(move |k| {
                let store = store.clone();
                async move { store.read(&k, None).await }
            })
            .try_flatten()
            .boxed();
        self.write(to, stream, None, None).await
    }
}
