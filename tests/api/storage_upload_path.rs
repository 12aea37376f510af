//! The upload path: parts are joined outside the database write transaction (a long join must
//! not stall other pushes), and `BERTH_MAX_BLOB_SIZE` is enforced while streaming.
use crate::common::oci::{bytes, sha256};
use crate::common::{error_code, pulp::ADMIN, TestApp};
use berth::storage::BlobStore;
use futures::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result,
};
use reqwest::StatusCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// An in-memory store whose next streamed write to `blobs/` (the join of a chunked upload)
/// stops until the test releases it.
#[derive(Debug)]
struct Gated {
    inner: object_store::memory::InMemory,
    armed: AtomicBool,
    reached: Notify,
    release: Semaphore,
}

impl std::fmt::Display for Gated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gated")
    }
}

#[async_trait::async_trait]
impl ObjectStore for Gated {
    async fn put_opts(&self, l: &Path, p: PutPayload, o: PutOptions) -> Result<PutResult> {
        self.inner.put_opts(l, p, o).await
    }
    async fn put_multipart_opts(
        &self,
        l: &Path,
        o: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        if l.as_ref().starts_with("blobs/") && self.armed.swap(false, Ordering::SeqCst) {
            self.reached.notify_one();
            let _permit = self.release.acquire().await;
        }
        self.inner.put_multipart_opts(l, o).await
    }
    async fn get_opts(&self, l: &Path, o: GetOptions) -> Result<GetResult> {
        self.inner.get_opts(l, o).await
    }
    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }
    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }
    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }
    async fn copy_opts(&self, from: &Path, to: &Path, o: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, o).await
    }
    async fn rename_opts(&self, from: &Path, to: &Path, o: RenameOptions) -> Result<()> {
        self.inner.rename_opts(from, to, o).await
    }
}

#[tokio::test]
async fn joining_the_parts_of_a_chunked_upload_does_not_stall_other_pushes() {
    let app = TestApp::spawn().await;
    // A second server on the same database whose storage can hold a join mid-way.
    let gated = Arc::new(Gated {
        inner: object_store::memory::InMemory::new(),
        armed: AtomicBool::new(false),
        reached: Notify::new(),
        release: Semaphore::new(0),
    });
    let mut state = berth::startup::state(app.settings.clone()).await.unwrap();
    state.store = BlobStore::new(gated.clone(), "gated memory");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = berth::startup::server(state, listener).unwrap();
    tokio::spawn(server);
    let client = reqwest::Client::new();
    let req = |m: reqwest::Method, path: &str| {
        client
            .request(m, format!("{base}{path}"))
            .basic_auth(ADMIN.0, Some(ADMIN.1))
    };
    let res = req(reqwest::Method::POST, "/v2/lib/join/blobs/uploads/")
        .send()
        .await
        .unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    let data = bytes(11, 300_000);
    for (i, chunk) in data.chunks(100_000).enumerate() {
        let start = i * 100_000;
        let res = req(reqwest::Method::PATCH, &loc)
            .header(
                "Content-Range",
                format!("{start}-{}", start + chunk.len() - 1),
            )
            .body(chunk.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
    gated.armed.store(true, Ordering::SeqCst);
    let d = sha256(&data);
    let finish = tokio::spawn(req(reqwest::Method::PUT, &format!("{loc}?digest={d}")).send());
    tokio::time::timeout(Duration::from_secs(30), gated.reached.notified())
        .await
        .expect("the join starts");
    // While the join is held, another client pushes a blob and its commit goes through.
    let other = bytes(12, 5000);
    let push = req(
        reqwest::Method::POST,
        &format!("/v2/lib/other/blobs/uploads/?digest={}", sha256(&other)),
    )
    .body(other.clone())
    .send();
    let res = tokio::time::timeout(Duration::from_secs(30), push)
        .await
        .expect("a push during a join is not blocked by it")
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    gated.release.add_permits(1);
    let res = finish.await.unwrap().unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let got = req(reqwest::Method::GET, &format!("/v2/lib/join/blobs/{d}"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), &data[..]);
    // The staged parts are gone; only the two blobs remain.
    let store = BlobStore::new(gated.clone(), "gated memory");
    assert!(store.list("uploads/").await.unwrap().is_empty());
    assert_eq!(store.list("blobs/").await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_blob_over_the_maximum_blob_size_is_refused_with_size_invalid_across_chunks() {
    let app = TestApp::spawn_with(|s| s.max_blob_size = 10_000).await;
    let big = bytes(21, 12_000);
    let res = app
        .post(&format!(
            "/v2/lib/cap/blobs/uploads/?digest={}",
            sha256(&big)
        ))
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "SIZE_INVALID");
    assert!(
        body.to_string()
            .contains("maximum blob size of 10000 bytes"),
        "{body}"
    );
    let exact = bytes(22, 10_000);
    app.push_blob("lib/cap", &exact).await;
    // Chunks count together: 6000 + 6000 is over, the session stays at 6000.
    let res = app.post("/v2/lib/cap/blobs/uploads/").send().await.unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    let data = bytes(23, 10_000);
    let patch = |start: usize, chunk: &[u8]| {
        app.patch(&loc)
            .header(
                "Content-Range",
                format!("{start}-{}", start + chunk.len() - 1),
            )
            .body(chunk.to_vec())
            .send()
    };
    assert_eq!(
        patch(0, &data[..6000]).await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    let res = patch(6000, &bytes(24, 6000)).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "SIZE_INVALID");
    let res = app.get(&loc).send().await.unwrap();
    assert_eq!(res.headers()["range"], "0-5999");
    let res = app
        .put(&format!("{loc}?digest={}", sha256(&data)))
        .header("Content-Range", "6000-9999")
        .body(data[6000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}
