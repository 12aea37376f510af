//! Nothing left behind: staging files of a killed write, incomplete S3 multipart uploads and
//! empty upload directories are found and removed by housekeeping after the upload expiry.
use crate::common::oci::{bytes, sha256};
use crate::common::TestApp;
use berth::service::housekeeping::upload_expiry;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const EXPIRY: Duration = Duration::from_secs(72 * 3600);

/// The local storage directory of a test app.
pub fn storage_root(app: &TestApp) -> PathBuf {
    app.dir.path().join("blobs")
}

/// The app's database and storage, opened beside the server (as `berth worker` would).
pub async fn open(app: &TestApp) -> (berth::repo::Db, berth::storage::BlobStore) {
    let db = berth::repo::Db::connect(&app.settings.database_url)
        .await
        .unwrap();
    let store = berth::storage::open(&app.settings.storage_url, &app.settings.s3).unwrap();
    (db, store)
}

/// Writes `len` bytes at `rel` under `root`, last modified `age` ago.
pub fn write_aged(root: &Path, rel: &str, len: usize, age: Duration) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes(len as u64, len)).unwrap();
    set_age(&path, age);
    path
}

pub fn set_age(path: &Path, age: Duration) {
    let f = std::fs::File::open(path).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
}

fn subdirs(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => vec![],
    }
}

#[tokio::test]
async fn staging_files_of_a_killed_write_are_removed_by_housekeeping_after_the_expiry() {
    // The server's own housekeeping keeps a year, so only the call below (72 h) removes files.
    let app = TestApp::spawn_with(|s| s.upload_expiry_hours = 24 * 365).await;
    app.push_blob("lib/leftovers", &bytes(7, 5000)).await;
    let root = storage_root(&app);
    let old = EXPIRY + Duration::from_secs(3600);
    let hex = &sha256(b"never finished")[7..];
    // What `kill -9` leaves: a PATCH's staging file and a final concatenation's.
    let patch = write_aged(
        &root,
        "uploads/0193a0aa-0000-7000-8000-000000000001/p#1",
        4096,
        old,
    );
    let join = write_aged(
        &root,
        &format!("blobs/sha256/{}/{hex}#1", &hex[..2]),
        4096,
        old,
    );
    // A write in progress (recent) is left alone.
    let live = write_aged(
        &root,
        "uploads/0193a0aa-0000-7000-8000-000000000002/p#1",
        10,
        Duration::from_secs(60),
    );
    let (db, store) = open(&app).await;
    let (_, removed) = upload_expiry::expire_uploads(&db, &store, EXPIRY)
        .await
        .unwrap();
    assert!(!patch.exists(), "the PATCH staging file is removed");
    assert!(!join.exists(), "the concatenation staging file is removed");
    assert!(live.exists(), "a recent staging file is kept");
    assert_eq!(removed, 2);
    assert!(
        !root
            .join("uploads/0193a0aa-0000-7000-8000-000000000001")
            .exists(),
        "its directory goes with it"
    );
    // The blob pushed before still reads back.
    let d = sha256(&bytes(7, 5000));
    let res = app
        .get(&format!("/v2/lib/leftovers/blobs/{d}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn pushes_leave_no_empty_upload_directories_and_housekeeping_prunes_old_ones() {
    let app = TestApp::spawn().await;
    let root = storage_root(&app);
    for seed in 0..3 {
        app.push_blob("lib/dirs", &bytes(seed, 3000)).await;
    }
    // A chunked upload of one chunk too.
    let res = app
        .post("/v2/lib/dirs/blobs/uploads/")
        .send()
        .await
        .unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    let data = bytes(9, 2000);
    let res = app
        .put(&format!("{loc}?digest={}", sha256(&data)))
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(
        subdirs(&root.join("uploads")),
        Vec::<String>::new(),
        "finished uploads leave no directory"
    );
    // Directories left by older versions (or a crash) are pruned once older than the expiry.
    let stale = root.join("uploads/0193a0aa-0000-7000-8000-00000000000a");
    std::fs::create_dir_all(&stale).unwrap();
    set_age(&stale, EXPIRY + Duration::from_secs(60));
    let fresh = root.join("uploads/0193a0aa-0000-7000-8000-00000000000b");
    std::fs::create_dir_all(&fresh).unwrap();
    let (db, store) = open(&app).await;
    upload_expiry::expire_uploads(&db, &store, EXPIRY)
        .await
        .unwrap();
    assert!(!stale.exists(), "an old empty upload directory is removed");
    assert!(fresh.exists(), "a new one may be about to receive a part");
}

#[tokio::test]
async fn incomplete_s3_multipart_uploads_are_aborted_by_housekeeping() {
    let Some(endpoint) = crate::storage_contract::s3_endpoint() else {
        return;
    };
    let (bucket, opts) = crate::storage_contract::s3_bucket(&endpoint).await;
    let app = TestApp::spawn_with(|s| {
        s.storage_url = format!("s3://{bucket}/registry");
        s.s3 = opts.clone();
    })
    .await;
    let (db, _) = open(&app).await;
    // Its own prefix, so the server's background housekeeping does not race this test (moto
    // reports every multipart upload as started in 2010).
    let store = berth::storage::open(&format!("s3://{bucket}/isolated"), &opts).unwrap();
    // A write that never completes: a multipart upload started and then abandoned.
    let raw = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(&bucket)
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .with_virtual_hosted_style_request(false)
        .with_region("us-east-1")
        .build()
        .unwrap();
    use object_store::multipart::MultipartStore;
    let key = object_store::path::Path::from("isolated/uploads/x/part");
    raw.create_multipart(&key).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let now = chrono::Utc::now() + chrono::Duration::seconds(5);
    let found = store.staging_leftovers(now).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].key, "uploads/x/part");
    // Housekeeping with the expiry passed aborts it.
    upload_expiry::expire_uploads(&db, &store, Duration::ZERO)
        .await
        .unwrap();
    assert!(store.staging_leftovers(now).await.unwrap().is_empty());
}

#[tokio::test]
async fn concurrent_pushes_never_fail_on_an_upload_directory_removed_under_them() {
    // Removing a finished upload's directory used to remove `uploads/` too when it became
    // empty, racing another push creating `uploads/<id>/` (ENOENT, a 500).
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let mut tasks = vec![];
    for w in 0..8u64 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut failures = 0;
            for i in 0..40u64 {
                let body = bytes(1000 + w * 100 + i, 512);
                let res = app
                    .post(&format!(
                        "/v2/lib/race{w}/blobs/uploads/?digest={}",
                        sha256(&body)
                    ))
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                if res.status() != 201 {
                    failures += 1;
                }
            }
            failures
        }));
    }
    let mut failures = 0;
    for t in tasks {
        failures += t.await.unwrap();
    }
    assert_eq!(failures, 0, "every push succeeds");
    assert!(storage_root(&app).join("uploads").is_dir());
}
