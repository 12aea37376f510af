//! Deleting gives the space back: an OCI manifest delete by digest drops what only that image
//! used, and blobs uploaded but never used by a manifest become orphans once older than the
//! protection time — without breaking a push in progress.
use crate::common::oci::{bytes, descriptor, sha256, LAYER, OCI_CONFIG, OCI_MANIFEST};
use crate::common::{error_code, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Where the local store keeps the bytes of `digest`.
pub fn blob_file(app: &TestApp, digest: &str) -> PathBuf {
    let root = app
        .settings
        .storage_url
        .strip_prefix("file://")
        .expect("a local store");
    let (alg, hex) = digest.split_once(':').unwrap();
    PathBuf::from(root)
        .join("blobs")
        .join(alg)
        .join(&hex[..2])
        .join(hex)
}

/// Runs an orphan cleanup with `minutes` of protection and waits for it.
pub async fn cleanup(app: &TestApp, minutes: i64) {
    app.api_task(
        Method::POST,
        "/pulp/api/v3/orphans/cleanup/",
        Some(json!({"orphan_protection_time": minutes})),
    )
    .await;
}

/// The config and layer digests of an image manifest.
pub fn blobs_of(manifest: &[u8]) -> Vec<String> {
    let m: Value = serde_json::from_slice(manifest).unwrap();
    let mut out = vec![m["config"]["digest"].as_str().unwrap().to_string()];
    for l in m["layers"].as_array().unwrap() {
        out.push(l["digest"].as_str().unwrap().to_string());
    }
    out
}

/// Pulls `name:tag` and every blob it names, checking the bytes.
pub async fn pulls_whole(app: &TestApp, name: &str, tag: &str) {
    let res = app
        .get(&format!("/v2/{name}/manifests/{tag}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{name}:{tag}");
    let manifest = res.bytes().await.unwrap();
    for d in blobs_of(&manifest) {
        let res = app
            .get(&format!("/v2/{name}/blobs/{d}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{name}:{tag} blob {d}");
        assert_eq!(sha256(&res.bytes().await.unwrap()), d, "{name}:{tag} {d}");
    }
}

/// Digests of the blobs in the latest version of repository `name`.
async fn latest_blobs(app: &TestApp, name: &str) -> Vec<String> {
    let repo = app
        .api_one(&format!(
            "/pulp/api/v3/repositories/container/container-push/?name={name}"
        ))
        .await;
    let version = repo["latest_version_href"].as_str().unwrap();
    let list = app
        .api_get(&format!(
            "/pulp/api/v3/content/container/blobs/?repository_version={version}&limit=1000"
        ))
        .await;
    list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["digest"].as_str().unwrap().to_string())
        .collect()
}

async fn blob_status(app: &TestApp, name: &str, digest: &str) -> u16 {
    app.head(&format!("/v2/{name}/blobs/{digest}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn deleting_a_manifest_by_digest_drops_the_blobs_only_it_used_from_the_repository() {
    let app = TestApp::spawn().await;
    let shared = bytes(1, 3000);
    let (ma, da) = app
        .push_image("gc/app", "a", &[shared.clone(), bytes(2, 2000)])
        .await;
    let (mb, _) = app
        .push_image("gc/app", "b", &[shared.clone(), bytes(3, 2000)])
        .await;
    let res = app
        .delete(&format!("/v2/gc/app/manifests/{da}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let present = latest_blobs(&app, "gc/app").await;
    let only_a: Vec<String> = blobs_of(&ma)
        .into_iter()
        .filter(|d| !blobs_of(&mb).contains(d))
        .collect();
    assert_eq!(only_a.len(), 2, "config and own layer");
    for d in &only_a {
        assert!(!present.contains(d), "{d} left the version: {present:?}");
    }
    for d in blobs_of(&mb) {
        assert!(present.contains(&d), "{d} of the remaining image stays");
    }
    pulls_whole(&app, "gc/app", "b").await;
    // Deleting by tag still removes only the tag.
    let res = app.delete("/v2/gc/app/manifests/b").send().await.unwrap();
    assert_eq!(res.status(), 202);
    let present = latest_blobs(&app, "gc/app").await;
    for d in blobs_of(&mb) {
        assert!(present.contains(&d), "{d} stays when only the tag goes");
    }
}

#[tokio::test]
async fn a_blob_uploaded_but_never_used_is_reclaimed_once_older_than_the_protection_time() {
    let app = TestApp::spawn().await;
    let d = app.push_blob("gc/lonely", &bytes(7, 5000)).await;
    let listed = |minutes: i64| {
        let app = &app;
        let d = d.clone();
        async move {
            app.api_get(&format!(
                "/pulp/api/v3/content/container/blobs/?orphaned_for={minutes}&digest={d}"
            ))
            .await["count"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(listed(60).await, 0, "still within an hour's protection");
    cleanup(&app, 60).await;
    assert_eq!(blob_status(&app, "gc/lonely", &d).await, 200);
    assert!(blob_file(&app, &d).exists());

    assert_eq!(
        listed(0).await,
        1,
        "an orphan once the protection time is 0"
    );
    cleanup(&app, 0).await;
    assert_eq!(blob_status(&app, "gc/lonely", &d).await, 404);
    assert!(!blob_file(&app, &d).exists(), "the bytes are gone");
    assert_eq!(listed(0).await, 0);
}

#[tokio::test]
async fn a_manifest_put_after_its_blobs_were_reclaimed_fails_with_manifest_blob_unknown() {
    let app = TestApp::spawn().await;
    let config = br#"{"architecture":"amd64","os":"linux"}"#.to_vec();
    let layer = bytes(9, 4000);
    app.push_blob("gc/late", &config).await;
    app.push_blob("gc/late", &layer).await;
    cleanup(&app, 0).await;
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, &config), "layers": [descriptor(LAYER, &layer)]})
    .to_string()
    .into_bytes();
    let res = app
        .put_manifest("gc/late", "v1", OCI_MANIFEST, &manifest)
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(error_code(res).await, "MANIFEST_BLOB_UNKNOWN");
    // Uploading them again makes the push work (and restarts their protection time).
    app.push_blob("gc/late", &config).await;
    app.push_blob("gc/late", &layer).await;
    let res = app
        .put_manifest("gc/late", "v1", OCI_MANIFEST, &manifest)
        .await;
    assert_eq!(res.status(), 201);
    cleanup(&app, 0).await;
    pulls_whole(&app, "gc/late", "v1").await;
}

#[tokio::test]
async fn blobs_of_a_manifest_pushed_by_digest_survive_cleanup() {
    let app = TestApp::spawn().await;
    let config = br#"{"architecture":"arm64","os":"linux"}"#.to_vec();
    let layer = bytes(11, 4000);
    app.push_blob("gc/bydigest", &config).await;
    app.push_blob("gc/bydigest", &layer).await;
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, &config), "layers": [descriptor(LAYER, &layer)]})
    .to_string()
    .into_bytes();
    let d = sha256(&manifest);
    let res = app
        .put_manifest("gc/bydigest", &d, OCI_MANIFEST, &manifest)
        .await;
    assert_eq!(res.status(), 201);
    cleanup(&app, 0).await;
    pulls_whole(&app, "gc/bydigest", &d).await;
}

#[tokio::test]
async fn deleting_an_image_keeps_the_blobs_a_manifest_pushed_by_digest_still_uses() {
    let app = TestApp::spawn().await;
    let shared = bytes(13, 3000);
    let (_, da) = app
        .push_image("gc/mixed", "a", &[shared.clone(), bytes(14, 1000)])
        .await;
    let config = br#"{"architecture":"s390x","os":"linux"}"#.to_vec();
    app.push_blob("gc/mixed", &config).await;
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, &config), "layers": [descriptor(LAYER, &shared)]})
    .to_string()
    .into_bytes();
    let dy = sha256(&manifest);
    let res = app
        .put_manifest("gc/mixed", &dy, OCI_MANIFEST, &manifest)
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .delete(&format!("/v2/gc/mixed/manifests/{da}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    pulls_whole(&app, "gc/mixed", &dy).await;
}
