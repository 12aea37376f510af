//! One contract for every `BlobStore` backend: local directory, memory, and S3 (a real S3 API
//! server: moto, started by `.ci/run`, at `BERTH_TEST_S3_ENDPOINT`).
use berth::domain::digest::{Algorithm, Digest, Hasher};
use berth::storage::{self, BlobStore, S3Options, WriteError};
use bytes::Bytes;
use futures::TryStreamExt;

const MIB: usize = 1024 * 1024;

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
    // `storage::open` reads keys from the environment (AmazonS3Builder::from_env); moto accepts
    // any. Set once, before the first S3 store is built.
    static ENV: std::sync::Once = std::sync::Once::new();
    ENV.call_once(|| {
        std::env::set_var("AWS_ACCESS_KEY_ID", "test");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
        std::env::set_var("AWS_REGION", "us-east-1");
    });
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

/// `data` as a stream of 1 MiB chunks, optionally failing after them.
fn chunked(
    data: &[u8],
    fail: bool,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
    let mut items: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(MIB)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    if fail {
        items.push(Err(std::io::Error::other("client went away")));
    }
    futures::stream::iter(items)
}

async fn keys(store: &BlobStore, prefix: &str) -> Vec<String> {
    store
        .list(prefix)
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

async fn contract(store: BlobStore) {
    // A multi-part streamed write (three 8 MiB parts) reads back whole and by range.
    let big = data(17 * MIB + 123);
    let mut h = Hasher::new(Algorithm::Sha256);
    let n = store
        .write_stream("blobs/sha256/aa/big", chunked(&big, false), &mut h, None)
        .await
        .unwrap();
    assert_eq!(n, big.len() as u64);
    assert_eq!(h.finish(), Digest::of(Algorithm::Sha256, &big));
    assert_eq!(
        store.size("blobs/sha256/aa/big").await.unwrap(),
        Some(big.len() as u64)
    );
    let whole = read_all(&store, "blobs/sha256/aa/big", None).await;
    assert_eq!(
        Digest::of(Algorithm::Sha256, &whole),
        Digest::of(Algorithm::Sha256, &big)
    );
    assert!(whole == big, "the whole object reads back");
    for range in [
        0..1,
        100..5000,
        8 * MIB - 10..8 * MIB + 10,
        16 * MIB..big.len(),
    ] {
        let got = read_all(
            &store,
            "blobs/sha256/aa/big",
            Some(range.start as u64..range.end as u64),
        )
        .await;
        assert!(got == big[range.clone()], "range {range:?} reads back");
    }

    // A body that fails midway (small, or after whole parts went out) leaves nothing behind.
    for (key, len) in [("uploads/x/small", 1024), ("uploads/x/parts", 9 * MIB)] {
        let mut h = Hasher::new(Algorithm::Sha256);
        let res = store
            .write_stream(key, chunked(&data(len), true), &mut h, None)
            .await;
        assert!(
            matches!(res, Err(WriteError::Body(_))),
            "a failing body is a body error: {res:?}"
        );
        assert_eq!(store.size(key).await.unwrap(), None, "nothing at {key}");
    }

    // A limit refuses oversized bodies and leaves nothing either.
    let res = store
        .write_stream(
            "uploads/x/limited",
            chunked(&data(3 * MIB), false),
            &mut Hasher::new(Algorithm::Sha256),
            Some(2 * MIB as u64),
        )
        .await;
    assert!(matches!(res, Err(WriteError::TooLarge)), "{res:?}");
    assert_eq!(store.size("uploads/x/limited").await.unwrap(), None);
    assert_eq!(
        keys(&store, "uploads/x").await,
        Vec::<String>::new(),
        "no staging leftovers"
    );

    // Missing keys: size None, delete Ok, read NotFound.
    assert_eq!(store.size("nope/nothing").await.unwrap(), None);
    store.delete("nope/nothing").await.unwrap();
    assert!(matches!(
        store.read("nope/nothing", None).await.err(),
        Some(object_store::Error::NotFound { .. })
    ));

    // Concat joins parts in order; rename moves.
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
    // Concat of parts larger than one multipart part, too.
    let (a, b) = (data(5 * MIB + 1), data(6 * MIB + 3));
    store
        .put_bytes("uploads/v/a", Bytes::from(a.clone()))
        .await
        .unwrap();
    store
        .put_bytes("uploads/v/b", Bytes::from(b.clone()))
        .await
        .unwrap();
    let n = store
        .concat(
            &["uploads/v/a".into(), "uploads/v/b".into()],
            "blobs/sha256/cc/big",
        )
        .await
        .unwrap();
    assert_eq!(n, (a.len() + b.len()) as u64);
    assert!(read_all(&store, "blobs/sha256/cc/big", None).await == [a, b].concat());

    store
        .rename("uploads/u/p1", "uploads/u/moved")
        .await
        .unwrap();
    assert_eq!(store.size("uploads/u/p1").await.unwrap(), None);
    assert_eq!(read_all(&store, "uploads/u/moved", None).await, b"hello ");

    // list and list_modified see exactly the keys under a prefix (not a sibling like `u2`).
    store
        .put_bytes("uploads/u2/other", Bytes::from_static(b"x"))
        .await
        .unwrap();
    assert_eq!(
        store.list("uploads/u").await.unwrap(),
        vec![
            ("uploads/u/moved".to_string(), 6),
            ("uploads/u/p2".to_string(), 5)
        ]
    );
    let mut modified = store.list_modified("uploads/u").await.unwrap();
    modified.sort();
    let now = chrono::Utc::now();
    assert_eq!(
        modified.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["uploads/u/moved", "uploads/u/p2"]
    );
    for (k, t) in &modified {
        assert!(
            (now - *t).num_minutes().abs() < 5,
            "{k} was modified just now, not {t}"
        );
    }
    assert_eq!(
        keys(&store, "blobs").await,
        [
            "blobs/sha256/aa/big",
            "blobs/sha256/bb/joined",
            "blobs/sha256/cc/big"
        ]
    );

    // delete_many removes what exists; missing keys are fine. Its doc promises "how many
    // existed", which the local backend counts; memory and S3 (bulk delete reports success for
    // missing keys) count every key asked for, so only the bounds are part of the contract.
    let n = store
        .delete_many(vec![
            "uploads/u/moved".into(),
            "uploads/u/p2".into(),
            "uploads/u/never".into(),
        ])
        .await
        .unwrap();
    assert!((2..=3).contains(&n), "delete_many counted {n}");
    store.delete("uploads/u2/other").await.unwrap();
    assert_eq!(store.size("uploads/u/moved").await.unwrap(), None);
    assert_eq!(keys(&store, "uploads/u").await, Vec::<String>::new());
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
    let bucket_store = storage::open(&format!("s3://{bucket}/registry"), &opts).unwrap();
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
    // The blobs live in the bucket under the prefix, not in the data directory.
    let stored: Vec<(String, u64)> = bucket_store.list("blobs").await.unwrap();
    let layer_hex = &crate::common::oci::sha256(&layer)[7..];
    assert!(
        stored
            .iter()
            .any(|(k, n)| k.ends_with(layer_hex) && *n == layer.len() as u64),
        "the layer is in the bucket: {stored:?}"
    );
}
