//! Garbage collection you can see: an orphan cleanup dry run removes nothing and reports what
//! the real cleanup then removes (counted by kind, bytes compared with the files on disk), also
//! when restricted to `content_hrefs`; the figures stay on the finished tasks. (Storage usage:
//! `storage_usage.rs`.)
use crate::common::oci::{bytes, descriptor, sha256, LAYER, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST};
use crate::common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const CLEANUP: &str = "/pulp/api/v3/orphans/cleanup/";
const PUSH: &str = "/pulp/api/v3/repositories/container/container-push/";

/// A config blob unique to `seed`.
pub fn config(seed: u64) -> Vec<u8> {
    json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
        "seed": seed})
    .to_string()
    .into_bytes()
}

/// Pushes an image of `config` and `layers` under `tag`; returns the manifest digest.
pub async fn image(
    app: &TestApp,
    name: &str,
    tag: &str,
    config: &[u8],
    layers: &[&[u8]],
) -> String {
    app.push_blob(name, config).await;
    let mut descs = vec![];
    for l in layers {
        app.push_blob(name, l).await;
        descs.push(descriptor(LAYER, l));
    }
    let m = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, config), "layers": descs})
    .to_string()
    .into_bytes();
    let res = app.put_manifest(name, tag, OCI_MANIFEST, &m).await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    sha256(&m)
}

/// Pushes an index of the images `children` (manifest digests) under `tag`.
async fn index(app: &TestApp, name: &str, tag: &str, children: &[String]) -> String {
    let manifests: Vec<Value> = children
        .iter()
        .map(|d| {
            json!({"mediaType": OCI_MANIFEST, "digest": d, "size": 1,
            "platform": {"architecture": "amd64", "os": "linux"}})
        })
        .collect();
    let body = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests})
        .to_string()
        .into_bytes();
    let res = app.put_manifest(name, tag, OCI_INDEX, &body).await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    sha256(&body)
}

/// Every blob file of the local store: digest hex → size.
pub fn files(app: &TestApp) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let root = std::path::PathBuf::from(
        app.settings
            .storage_url
            .strip_prefix("file://")
            .expect("a local store"),
    )
    .join("blobs/sha256");
    for dir in std::fs::read_dir(root).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let f = f.unwrap();
            out.insert(
                f.file_name().to_string_lossy().to_string(),
                f.metadata().unwrap().len(),
            );
        }
    }
    out
}

async fn count(app: &TestApp, kind: &str) -> u64 {
    app.api_get(&format!("/pulp/api/v3/content/container/{kind}/?limit=1"))
        .await["count"]
        .as_u64()
        .unwrap()
}

async fn counts(app: &TestApp) -> [u64; 3] {
    [
        count(app, "manifests").await,
        count(app, "tags").await,
        count(app, "blobs").await,
    ]
}

pub async fn repo_href(app: &TestApp, name: &str) -> String {
    app.api_one(&format!("{PUSH}?name={name}")).await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn cleanup(app: &TestApp, dry_run: bool) -> Value {
    let body = json!({"orphan_protection_time": 0, "dry_run": dry_run});
    app.api_task(Method::POST, CLEANUP, Some(body)).await
}

/// The figures of a finished cleanup task, from its progress reports, by code.
fn reports(t: &Value) -> BTreeMap<String, (u64, String)> {
    t["progress_reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_string(),
                (
                    r["done"].as_u64().unwrap(),
                    r["message"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_dry_run_changes_nothing_and_reports_exactly_what_the_real_cleanup_then_removes() {
    let app = TestApp::spawn().await;
    let name = "gc/app";
    let shared = bytes(1, 3000);
    let only_a = bytes(2, 5000);
    let only_b = bytes(3, 7000);
    let a = image(&app, name, "a", &config(1), &[&shared, &only_a]).await;
    image(&app, name, "b", &config(2), &[&shared, &only_b]).await;
    // A second tag on b's manifest, then untagged: only the tag unit goes.
    let b = image(&app, name, "b2", &config(2), &[&shared, &only_b]).await;
    let c1 = image(&app, name, "c1", &config(3), &[&bytes(4, 1000)]).await;
    let c2 = image(&app, name, "c2", &config(4), &[&bytes(5, 1100), &shared]).await;
    let list = index(&app, name, "multi", &[c1.clone(), c2.clone()]).await;
    // The children's own tags go, so removing the index removes them too.
    let repo = repo_href(&app, name).await;
    for tag in ["c1", "c2", "b2"] {
        app.api_task(
            Method::POST,
            &format!("{repo}untag/"),
            Some(json!({"tag": tag})),
        )
        .await;
    }
    for digest in [&a, &list] {
        app.api_task(
            Method::POST,
            &format!("{repo}remove_image/"),
            Some(json!({"digest": digest})),
        )
        .await;
    }
    // A blob uploaded and never used by a manifest.
    let lone = bytes(6, 900);
    app.push_blob(name, &lone).await;
    // Only the latest version is kept: what the removals took is in no version any more.
    app.api_task(
        Method::PATCH,
        &repo,
        Some(json!({"retain_repo_versions": 1})),
    )
    .await;

    let before_files = files(&app);
    let before_counts = counts(&app).await;
    let status = app.api_get("/pulp/api/v3/status/").await;
    let dry = cleanup(&app, true).await;
    assert_eq!(files(&app), before_files, "a dry run deletes no file");
    assert_eq!(
        counts(&app).await,
        before_counts,
        "a dry run deletes no content"
    );
    let r = &dry["result"];
    // Manifests: a, the index and its two children. Tags: a, multi, c1, c2, b2. Blobs: a's
    // config and own layer, each child's config and own layer, the lone blob.
    assert_eq!(
        r["content"],
        json!({"manifests": 4, "tags": 5, "blobs": 7}),
        "{dry}"
    );
    assert_eq!(r["dry_run"], true);
    let expected_bytes: usize = [
        config(1).len(),
        only_a.len(),
        config(3).len(),
        1000,
        config(4).len(),
        1100,
        lone.len(),
    ]
    .iter()
    .sum();
    assert_eq!(r["bytes"], expected_bytes as u64);
    assert_eq!(r["artifacts"], 7);
    let rep = reports(&dry);
    assert_eq!(rep["clean-up.content"].0, 16);
    assert_eq!(rep["clean-up.artifacts"].0, 7);
    assert_eq!(rep["clean-up.bytes"].0, expected_bytes as u64);
    assert!(
        rep.values().all(|(_, m)| m.starts_with("Would")),
        "a dry run's messages say 'would': {rep:?}"
    );
    assert_eq!(
        status["content_storage"]["unreferenced_bytes"], r["bytes"],
        "status reports what the cleanup can free: {status}"
    );

    let real = cleanup(&app, false).await;
    let after_files = files(&app);
    let gone: Vec<(&String, &u64)> = before_files
        .iter()
        .filter(|(k, _)| !after_files.contains_key(*k))
        .collect();
    let freed: u64 = gone.iter().map(|(_, n)| **n).sum();
    let mut expected = r.clone();
    expected["dry_run"] = json!(false);
    assert_eq!(
        real["result"], expected,
        "the real run removed what was previewed"
    );
    assert_eq!(freed, expected_bytes as u64, "bytes compared with the disk");
    assert_eq!(gone.len(), 7);
    let after_counts = counts(&app).await;
    assert_eq!(
        [
            before_counts[0] - after_counts[0],
            before_counts[1] - after_counts[1],
            before_counts[2] - after_counts[2],
        ],
        [4, 5, 7]
    );
    let rep = reports(&real);
    assert_eq!(rep["clean-up.bytes"].0, expected_bytes as u64);
    assert!(rep.values().all(|(_, m)| !m.starts_with("Would")));
    // What b still uses is served whole.
    for blob in [&shared, &only_b, &config(2)] {
        let res = app
            .get(&format!("/v2/{name}/blobs/{}", sha256(blob)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.bytes().await.unwrap().as_ref(), blob.as_slice());
    }
    let res = app
        .get(&format!("/v2/{name}/manifests/{b}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Nothing is left to free; the status agrees.
    let again = cleanup(&app, true).await;
    assert_eq!(again["result"]["bytes"], 0);
    let status = app.api_get("/pulp/api/v3/status/").await;
    assert_eq!(status["content_storage"]["unreferenced_bytes"], 0);

    // GC history: the task list filtered by name keeps every run's figures.
    let history = app
        .api_get("/pulp/api/v3/tasks/?name=pulpcore.app.tasks.orphan.orphan_cleanup")
        .await;
    assert_eq!(history["count"], 3, "{history}");
    for t in history["results"].as_array().unwrap() {
        assert_eq!(t["name"], "pulpcore.app.tasks.orphan.orphan_cleanup");
        assert!(t["result"]["bytes"].is_u64(), "{t}");
        assert!(t["result"]["dry_run"].is_boolean(), "{t}");
    }
    let other = app
        .api_get("/pulp/api/v3/tasks/?name=pulp_container.app.tasks.untag.untag_image")
        .await;
    assert_eq!(other["count"], 3);
}

#[tokio::test]
async fn a_waiting_dry_run_and_a_waiting_real_cleanup_are_two_tasks() {
    let app = TestApp::spawn_with(|s| s.workers = 0).await;
    app.expect_unsettled_tasks();
    let ask = |body: Value| {
        let app = &app;
        async move {
            let (s, v) = app.api(Method::POST, CLEANUP, Some(body)).await;
            assert_eq!(s, 202, "{v}");
            v["task"].as_str().unwrap().to_string()
        }
    };
    let dry = ask(json!({"dry_run": true})).await;
    assert_eq!(
        ask(json!({"dry_run": true})).await,
        dry,
        "dry runs coalesce"
    );
    let real = ask(json!({})).await;
    assert_ne!(
        real, dry,
        "a real cleanup is not answered by a waiting dry run"
    );
    assert_eq!(ask(json!({"dry_run": false})).await, real);
    let (s, v) = app
        .api(Method::POST, CLEANUP, Some(json!({"dry_run": "yes"})))
        .await;
    assert_eq!(s, 400);
    assert_eq!(v, json!({"dry_run": ["Must be a valid boolean."]}));
}

#[tokio::test]
async fn a_dry_run_restricted_to_content_hrefs_matches_the_restricted_cleanup() {
    let app = TestApp::spawn().await;
    let name = "gc/scoped";
    let digest = image(&app, name, "a", &config(30), &[&bytes(30, 800)]).await;
    image(&app, name, "b", &config(31), &[&bytes(31, 800)]).await;
    let repo = repo_href(&app, name).await;
    app.api_task(
        Method::POST,
        &format!("{repo}remove_image/"),
        Some(json!({"digest": digest})),
    )
    .await;
    app.api_task(
        Method::PATCH,
        &repo,
        Some(json!({"retain_repo_versions": 1})),
    )
    .await;
    let manifest = app
        .api_one(&format!(
            "/pulp/api/v3/content/container/manifests/?digest={digest}"
        ))
        .await["pulp_href"]
        .clone();
    let tag = app
        .api_one("/pulp/api/v3/content/container/tags/?name=a")
        .await["pulp_href"]
        .clone();
    let run = |hrefs: Value, dry_run: bool| {
        let app = &app;
        async move {
            let body = json!({"orphan_protection_time": 0, "dry_run": dry_run,
                "content_hrefs": hrefs});
            app.api_task(Method::POST, CLEANUP, Some(body)).await["result"]["content"].clone()
        }
    };
    // The orphaned tag still names the manifest: neither goes while the tag is out of scope.
    let none = json!({"manifests": 0, "tags": 0, "blobs": 0});
    assert_eq!(run(json!([manifest]), true).await, none);
    assert_eq!(run(json!([manifest]), false).await, none);
    let both = json!({"manifests": 1, "tags": 1, "blobs": 0});
    assert_eq!(run(json!([manifest, tag]), true).await, both);
    assert_eq!(run(json!([manifest, tag]), false).await, both);
    // The blobs were out of scope; now nothing uses them.
    let all = cleanup(&app, true).await;
    assert_eq!(
        all["result"]["content"],
        json!({"manifests": 0, "tags": 0, "blobs": 2})
    );
}
