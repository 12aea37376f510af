//! An `ObjectStore` that times every operation of the store it wraps and counts its failures
//! (`berth_storage_operation_*`, by backend and action). A missing object is an answer, not a
//! failure. Listing and bulk deletes are timed per yielded item; a streamed write as its opening
//! (`put_multipart`), each part written (`put_part`) and its completion (`put_complete`), so
//! the time a client takes to send its bytes is never counted as storage time.
use async_trait::async_trait;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result, UploadPart,
};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;

#[derive(Debug)]
pub struct Timed {
    inner: Arc<dyn ObjectStore>,
    backend: &'static str,
}

impl Timed {
    /// Wraps `inner`; `backend` labels its operations (`local`, `s3`, `memory`).
    pub fn new(inner: Arc<dyn ObjectStore>, backend: &'static str) -> Self {
        Timed { inner, backend }
    }

    fn record<T>(&self, action: &'static str, start: Instant, r: &Result<T>) {
        record(self.backend, action, start, r);
    }

    fn stream<T: Send + 'static>(
        &self,
        action: &'static str,
        inner: BoxStream<'static, Result<T>>,
    ) -> BoxStream<'static, Result<T>> {
        TimedStream {
            inner,
            backend: self.backend,
            action,
            start: Instant::now(),
        }
        .boxed()
    }
}

/// Receives each operation: backend, action, seconds, whether it succeeded.
pub type Recorder = fn(&'static str, &'static str, f64, bool);

static RECORDER: OnceLock<Recorder> = OnceLock::new();

/// Where operations are reported (start-up sets the metrics; storage imports no telemetry).
/// The first call wins; until then operations are not recorded.
pub fn set_recorder(f: Recorder) {
    let _ = RECORDER.set(f);
}

fn record<T>(backend: &'static str, action: &'static str, start: Instant, r: &Result<T>) {
    let Some(f) = RECORDER.get() else { return };
    let ok = !matches!(r, Err(e) if !matches!(e, object_store::Error::NotFound { .. }));
    f(backend, action, start.elapsed().as_secs_f64(), ok);
}

/// The label of the backend a storage description (`file://…`, `s3://…`, `memory`) names.
pub fn backend_label(description: &str) -> &'static str {
    if description.starts_with("s3://") {
        "s3"
    } else if description.starts_with("file://") {
        "local"
    } else if description == "memory" {
        "memory"
    } else {
        "other"
    }
}

impl std::fmt::Display for Timed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

#[async_trait]
impl ObjectStore for Timed {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        let start = Instant::now();
        let r = self.inner.put_opts(location, payload, opts).await;
        self.record("put", start, &r);
        r
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        let start = Instant::now();
        let r = self.inner.put_multipart_opts(location, opts).await;
        self.record("put_multipart", start, &r);
        let backend = self.backend;
        r.map(|inner| Box::new(TimedUpload { inner, backend }) as Box<dyn MultipartUpload>)
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let action = if options.head { "stat" } else { "get" };
        let start = Instant::now();
        let r = self.inner.get_opts(location, options).await;
        self.record(action, start, &r);
        r
    }

    async fn get_ranges(
        &self,
        location: &Path,
        ranges: &[std::ops::Range<u64>],
    ) -> Result<Vec<bytes::Bytes>> {
        let start = Instant::now();
        let r = self.inner.get_ranges(location, ranges).await;
        self.record("get", start, &r);
        r
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.stream("delete", self.inner.delete_stream(locations))
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.stream("list", self.inner.list(prefix))
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        self.stream("list", self.inner.list_with_offset(prefix, offset))
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let start = Instant::now();
        let r = self.inner.list_with_delimiter(prefix).await;
        self.record("list", start, &r);
        r
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        let start = Instant::now();
        let r = self.inner.copy_opts(from, to, options).await;
        self.record("copy", start, &r);
        r
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        let start = Instant::now();
        let r = self.inner.rename_opts(from, to, options).await;
        self.record("rename", start, &r);
        r
    }
}

/// A multipart upload whose parts (`put_part`) and completion (`put_complete`) are timed.
#[derive(Debug)]
struct TimedUpload {
    inner: Box<dyn MultipartUpload>,
    backend: &'static str,
}

#[async_trait]
impl MultipartUpload for TimedUpload {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        let part = self.inner.put_part(data);
        let backend = self.backend;
        Box::pin(async move {
            let start = Instant::now();
            let r = part.await;
            record(backend, "put_part", start, &r);
            r
        })
    }

    async fn complete(&mut self) -> Result<PutResult> {
        let start = Instant::now();
        let r = self.inner.complete().await;
        record(self.backend, "put_complete", start, &r);
        r
    }

    async fn abort(&mut self) -> Result<()> {
        self.inner.abort().await
    }
}

/// A stream whose items are each recorded as one operation (timed since the previous item).
struct TimedStream<T> {
    inner: BoxStream<'static, Result<T>>,
    backend: &'static str,
    action: &'static str,
    start: Instant,
}

impl<T> Stream for TimedStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.inner.poll_next_unpin(cx);
        if let Poll::Ready(Some(r)) = &polled {
            record(self.backend, self.action, self.start, r);
            self.start = Instant::now();
        }
        polled
    }
}
