//! Reclaiming unused uploads never breaks a push: cleanups at protection time 0 race pushes
//! whose blobs are uploaded just before their manifest. Each manifest PUT either commits with
//! every blob kept, or fails with `MANIFEST_BLOB_UNKNOWN` — never a 5xx, never a listed tag
//! with a missing blob.
use crate::common::oci::{bytes, descriptor, LAYER, OCI_CONFIG, OCI_MANIFEST};
use crate::common::{error_code, TestApp};
use crate::reclaim_delete::pulls_whole;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::Arc;

/// Uploads the blobs, then PUTs the manifest; returns whether the tag was pushed.
async fn try_push(app: &TestApp, name: &str, tag: &str, seed: u64) -> bool {
    let config = json!({"architecture": "amd64", "os": "linux", "seed": seed})
        .to_string()
        .into_bytes();
    let layer = bytes(seed, 2048);
    let shared = b"a layer every push shares".to_vec();
    for b in [&config, &layer, &shared] {
        app.push_blob(name, b).await;
    }
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, &config),
        "layers": [descriptor(LAYER, &shared), descriptor(LAYER, &layer)]})
    .to_string()
    .into_bytes();
    let res = app.put_manifest(name, tag, OCI_MANIFEST, &manifest).await;
    match res.status().as_u16() {
        201 => true,
        400 => {
            assert_eq!(error_code(res).await, "MANIFEST_BLOB_UNKNOWN");
            false
        }
        s => panic!("manifest PUT answered {s}: {:?}", res.text().await),
    }
}

/// `TestApp::push_image`, retried while a racing cleanup at protection time 0 reclaims the
/// just-uploaded blobs first (the manifest PUT then fails with `MANIFEST_BLOB_UNKNOWN`, as a
/// client's would; it uploads them again). Returns the manifest digest.
pub async fn push_image_retrying(
    app: &TestApp,
    name: &str,
    tag: &str,
    layers: &[Vec<u8>],
) -> String {
    let config = json!({"architecture": "amd64", "os": "linux", "layers": layers.len(),
        "seed": crate::common::oci::sha256(&layers.concat())})
    .to_string()
    .into_bytes();
    let descs: Vec<Value> = layers.iter().map(|l| descriptor(LAYER, l)).collect();
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, &config), "layers": descs})
    .to_string()
    .into_bytes();
    for _ in 0..50 {
        app.push_blob(name, &config).await;
        for l in layers {
            app.push_blob(name, l).await;
        }
        let res = app.put_manifest(name, tag, OCI_MANIFEST, &manifest).await;
        match res.status().as_u16() {
            201 => return crate::common::oci::sha256(&manifest),
            400 => assert_eq!(error_code(res).await, "MANIFEST_BLOB_UNKNOWN"),
            s => panic!("manifest PUT answered {s}: {:?}", res.text().await),
        }
    }
    panic!("{name}:{tag} never pushed");
}

#[tokio::test]
async fn cleanups_racing_pushes_never_commit_a_manifest_with_a_missing_blob() {
    let app = Arc::new(TestApp::spawn().await);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut pushers = vec![];
    for i in 0..3u64 {
        let app = app.clone();
        pushers.push(tokio::spawn(async move {
            let mut pushed = vec![];
            for round in 0..6u64 {
                let tag = format!("t{i}-{round}");
                if try_push(&app, "race/gc", &tag, 100 * i + round).await {
                    pushed.push(tag);
                }
            }
            pushed
        }));
    }
    let cleaner = {
        let app = app.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut runs = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) || runs < 2 {
                let (s, v) = app
                    .api(
                        Method::POST,
                        "/pulp/api/v3/orphans/cleanup/",
                        Some(json!({"orphan_protection_time": 0})),
                    )
                    .await;
                assert_eq!(s, 202, "{v}");
                let t = app.task_done(v["task"].as_str().unwrap()).await;
                assert_eq!(t["state"], "completed", "{t}");
                runs += 1;
            }
        })
    };
    let mut pushed = vec![];
    for p in pushers {
        pushed.extend(p.await.unwrap());
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    cleaner.await.unwrap();
    crate::reclaim_delete::cleanup(&app, 0).await;
    let tags: Value = app
        .get("/v2/race/gc/tags/list")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut listed: Vec<String> = tags["tags"]
        .as_array()
        .map(|a| a.iter().map(|t| t.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    listed.sort();
    pushed.sort();
    assert_eq!(listed, pushed, "every accepted push is listed");
    for tag in &listed {
        pulls_whole(&app, "race/gc", tag).await;
    }
}
