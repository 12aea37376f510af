//! Orphan cleanup runs safely while pushes continue: repeated cleanups (protection 0) and
//! `remove_image` race pushes of images sharing layers; afterwards every listed tag pulls whole.
//! (At protection 0 blobs uploaded but not yet used by a manifest are reclaimable, so a push may
//! be refused with `MANIFEST_BLOB_UNKNOWN` and is retried.)
use crate::common::oci::sha256;
use crate::common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::Arc;

async fn pull_all(app: &TestApp, repo: &str) -> usize {
    let tags: Value = app
        .get(&format!("/v2/{repo}/tags/list"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut pulled = 0;
    for tag in tags["tags"].as_array().unwrap() {
        let tag = tag.as_str().unwrap();
        let res = app
            .get(&format!("/v2/{repo}/manifests/{tag}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{repo}:{tag}");
        let manifest: Value = res.json().await.unwrap();
        let mut descs = vec![manifest["config"].clone()];
        descs.extend(manifest["layers"].as_array().unwrap().iter().cloned());
        for d in descs {
            let digest = d["digest"].as_str().unwrap();
            let body = app
                .get(&format!("/v2/{repo}/blobs/{digest}"))
                .send()
                .await
                .unwrap();
            assert_eq!(body.status(), 200, "{repo}:{tag} blob {digest}");
            assert_eq!(
                sha256(&body.bytes().await.unwrap()),
                digest,
                "{repo}:{tag} blob {digest} bytes"
            );
        }
        pulled += 1;
    }
    pulled
}

#[tokio::test]
async fn orphan_cleanup_racing_pushes_and_remove_image_never_breaks_a_listed_tag() {
    let app = Arc::new(TestApp::spawn().await);
    let shared = b"the layer every image shares".to_vec();
    for r in 0..2 {
        let repo = format!("race/r{r}");
        app.push_image(&repo, "seed", std::slice::from_ref(&shared))
            .await;
        let found = app
            .api_one(&format!(
                "/pulp/api/v3/repositories/container/container-push/?name={repo}"
            ))
            .await;
        app.api_task(
            Method::PATCH,
            found["pulp_href"].as_str().unwrap(),
            Some(json!({"retain_repo_versions": 1})),
        )
        .await;
    }
    let mut pushers = vec![];
    for i in 0..4u64 {
        let app = app.clone();
        let shared = shared.clone();
        pushers.push(tokio::spawn(async move {
            for round in 0..5u64 {
                let repo = format!("race/r{}", i % 2);
                let own = format!("own layer {i} {round}").into_bytes();
                // At protection time 0 a cleanup may reclaim the blobs just uploaded before
                // the manifest names them; the push is then refused and retried.
                let digest = crate::reclaim_race::push_image_retrying(
                    &app,
                    &repo,
                    &format!("t{i}-{round}"),
                    &[shared.clone(), own],
                )
                .await;
                if round % 2 == 1 {
                    let found = app
                        .api_one(&format!(
                            "/pulp/api/v3/repositories/container/container-push/?name={repo}"
                        ))
                        .await;
                    let href = found["pulp_href"].as_str().unwrap().to_string();
                    let (s, v) = app
                        .api(
                            Method::POST,
                            &format!("{href}remove_image/"),
                            Some(json!({"digest": digest})),
                        )
                        .await;
                    assert_eq!(s, 202, "{v}");
                    let t = app.task_done(v["task"].as_str().unwrap()).await;
                    assert_eq!(t["state"], "completed", "{t}");
                }
            }
        }));
    }
    let cleaner = {
        let app = app.clone();
        tokio::spawn(async move {
            for _ in 0..6 {
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
            }
        })
    };
    for p in pushers {
        p.await.unwrap();
    }
    cleaner.await.unwrap();
    let t = app
        .api_task(
            Method::POST,
            "/pulp/api/v3/orphans/cleanup/",
            Some(json!({"orphan_protection_time": 0})),
        )
        .await;
    assert_eq!(t["state"], "completed");
    let pulled = pull_all(&app, "race/r0").await + pull_all(&app, "race/r1").await;
    assert_eq!(
        pulled, 14,
        "seed + 3 kept tags of each of 2 pushers, in both repositories"
    );
}
