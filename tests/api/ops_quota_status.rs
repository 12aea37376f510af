//! Usage: `status/` reports the size and free space of the file system holding a local blob
//! directory (as `df` does), beside the bytes berth's blobs use.
use crate::common::oci::bytes;
use crate::common::TestApp;

/// `(size, avail)` in bytes of the file system holding `path`, from `df`.
fn df(path: &std::path::Path) -> (u64, u64) {
    let out = std::process::Command::new("df")
        .args(["-B1", "--output=size,avail"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let nums: Vec<u64> = text
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    (nums[0], nums[1])
}

#[tokio::test]
async fn status_reports_the_size_and_free_space_of_the_blob_file_system() {
    let app = TestApp::spawn().await;
    app.push_blob("disk/app", &bytes(50, 1234)).await;
    let status = app.api_get("/pulp/api/v3/status/").await;
    let storage = &status["storage"];
    let (size, avail) = df(&app.dir.path().join("blobs"));
    assert_eq!(storage["total"].as_u64(), Some(size), "{storage}");
    let free = storage["free"].as_u64().unwrap();
    // Other processes write to the same disk meanwhile: within 1 %.
    assert!(free.abs_diff(avail) <= size / 100, "{free} vs df {avail}");
    assert!(free <= size);
    assert_eq!(
        storage["used"].as_u64(),
        Some(1234),
        "berth's blobs: {storage}"
    );
    // Anonymous callers see the same (as in Pulp).
    let anon: serde_json::Value = app
        .anon(reqwest::Method::GET, "/pulp/api/v3/status/")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(anon["storage"]["total"], storage["total"]);
}
