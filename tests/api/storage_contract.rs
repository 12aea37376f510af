//! One contract for every `BlobStore` backend: local directory, memory, and S3 (a real S3 API
//! server: moto, started by `.ci/run`, at `BERTH_TEST_S3_ENDPOINT`).
use berth::domain::digest::{Algorithm, Digest, Hasher};
use berth::storage::{self, BlobStore, S3Options};
use bytes::Bytes;
use futures::TryStreamExt;

/// The S3 endpoint for tests; in CI its absence is a failure, locally the S3 cases are skipped.
pub fn s3_endpoint() -> Option<String> {
    match std::env::var("BERTH_TEST_S3_ENDPOINT") {
        Ok(e) if !e.is_empty() => Some(e),
        _ if std::env::var("CI").is_ok() => {
            panic!("CI must start an S3 API server and set BERTH_TEST_S3_ENDPOINT")
        }
        _ => {
            eprintln!("BERTH_TEST_S3_ENDPOINT unset: S3 case skipped locally");
            None
        }
    }
}

/// A fresh bucket on the S3 test server, and the options to reach it.
pub async fn s3_bucket(endpoint: &str) -> (String, S3Options) {
    std::env::set_var("AWS_ACCESS_KEY_ID", "test");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    std::env::set_var("AWS_REGION", "us-east-1");
    let bucket = format!("berth-{}", uuid::Uuid::new_v4().simple());
    let res = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "create bucket: {}", res.status());
    let opts = S3Options {
        endpoint: Some(endpoint.to_string()),
        allow_http: true,
        region: Some("us-east-1".into()),
    };
    (bucket, opts)
}

fn data(len: usize) -> Vec<u8> {
    crate::common::oci::bytes(len as u64, len)
}

async fn read_all(store: &BlobStore, key: &str, range: Option<std::ops::Range<u64>>) -> Vec<u8> {
    let chunks: Vec<Bytes> = store
        .read(key, range)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    chunks.concat()
}

async fn contract(store: BlobStore) {
    // A multi-part streamed write (over the 8 MiB part size) reads back whole and by range.
    let big = data(17 * 1024 * 1024 + 123);
    let stream = futures::stream::iter(
        big.chunks(1024 * 1024)
            .map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let mut h = Hasher::new(Algorithm::Sha256);
    let n = store
        .write_stream("blobs/sha256/aa/big", stream, &mut h, None)
        .await
        .unwrap();
    assert_eq!(n, big.len() as u64);
    assert_eq!(h.finish(), Digest::of(Algorithm::Sha256, &big));
    assert_eq!(
        store.size("blobs/sha256/aa/big").await.unwrap(),
        Some(big.len() as u64)
    );
    assert_eq!(read_all(&store, "blobs/sha256/aa/big", None).await, big);
    assert_eq!(
        read_all(&store, "blobs/sha256/aa/big", Some(100..5000)).await,
        &big[100..5000]
    );

    // A body that fails midway leaves nothing at the key.
    let failing = futures::stream::iter(vec![
        Ok(Bytes::from(vec![1u8; 1024])),
        Err(std::io::Error::other("client went away")),
    ]);
    let mut h = Hasher::new(Algorithm::Sha256);
    assert!(store
        .write_stream("uploads/x/failed", failing, &mut h, None)
        .await
        .is_err());
    assert_eq!(store.size("uploads/x/failed").await.unwrap(), None);

    // A limit refuses oversized bodies.
    let small = futures::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from(vec![0u8; 10]))]);
    assert!(store
        .write_stream(
            "uploads/x/limited",
            small,
            &mut Hasher::new(Algorithm::Sha256),
            Some(5)
        )
        .await
        .is_err());

    // Missing keys: size None, delete Ok.
    assert_eq!(store.size("nope/nothing").await.unwrap(), None);
    store.delete("nope/nothing").await.unwrap();

    // Rename moves; concat joins parts in order; list and list_modified see a prefix.
    store
        .put_bytes("uploads/u/p1", Bytes::from_static(b"hello "))
        .await
        .unwrap();
    store
        .put_bytes("uploads/u/p2", Bytes::from_static(b"world"))
        .await
        .unwrap();
    let n = store
        .concat(
            &["uploads/u/p1".into(), "uploads/u/p2".into()],
            "blobs/sha256/bb/joined",
        )
        .await
        .unwrap();
    assert_eq!(n, 11);
    assert_eq!(
        read_all(&store, "blobs/sha256/bb/joined", None).await,
        b"hello world"
    );
    store
        .rename("uploads/u/p1", "uploads/u/moved")
        .await
        .unwrap();
    assert_eq!(store.size("uploads/u/p1").await.unwrap(), None);
    assert_eq!(read_all(&store, "uploads/u/moved", None).await, b"hello ");
    let listed: Vec<String> = store
        .list("uploads/u")
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        listed,
        vec!["uploads/u/moved".to_string(), "uploads/u/p2".to_string()]
    );
    assert_eq!(store.list_modified("uploads/u").await.unwrap().len(), 2);
    store.delete("uploads/u/moved").await.unwrap();
    assert_eq!(store.size("uploads/u/moved").await.unwrap(), None);
}

#[tokio::test]
async fn the_local_directory_backend_keeps_the_storage_contract() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    contract(storage::open(&url, &S3Options::default()).unwrap()).await;
}

#[tokio::test]
async fn the_memory_backend_keeps_the_storage_contract() {
    contract(BlobStore::memory()).await;
}

#[tokio::test]
async fn the_s3_backend_keeps_the_storage_contract() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let (bucket, opts) = s3_bucket(&endpoint).await;
    contract(storage::open(&format!("s3://{bucket}/some/prefix"), &opts).unwrap()).await;
}

#[tokio::test]
async fn a_registry_on_s3_storage_pushes_and_pulls() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let (bucket, opts) = s3_bucket(&endpoint).await;
    let app = crate::common::TestApp::spawn_with(|s| {
        s.storage_url = format!("s3://{bucket}/registry");
        s.s3 = opts.clone();
    })
    .await;
    let layer = data(3 * 1024 * 1024);
    let (manifest, d) = app
        .push_image("s3/app", "v1", std::slice::from_ref(&layer))
        .await;
    let got = app
        .get("/v2/s3/app/manifests/v1")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.as_ref(), &manifest[..]);
    let blob = app
        .get(&format!(
            "/v2/s3/app/blobs/{}",
            crate::common::oci::sha256(&layer)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(blob.bytes().await.unwrap().as_ref(), &layer[..]);
    assert_eq!(
        app.get(&format!("/v2/s3/app/manifests/{d}"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
