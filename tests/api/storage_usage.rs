//! Storage usage: `stored_bytes` of push repositories and namespaces counts each blob once per
//! repository / namespace (kept versions only); `status/` reports the totals beside Pulp's
//! fields.
use crate::common::oci::bytes;
use crate::common::TestApp;
use crate::reclaim_preview::{config, image, repo_href};
use reqwest::Method;
use serde_json::json;

const PUSH: &str = "/pulp/api/v3/repositories/container/container-push/";

/// `stored_bytes` of the namespace `name` as listed and as read.
async fn namespace_bytes(app: &TestApp, name: &str) -> u64 {
    let listed = app
        .api_one(&format!(
            "/pulp/api/v3/pulp_container/namespaces/?name={name}"
        ))
        .await;
    let read = app.api_get(listed["pulp_href"].as_str().unwrap()).await;
    assert_eq!(listed["stored_bytes"], read["stored_bytes"]);
    listed["stored_bytes"].as_u64().unwrap()
}

async fn repository_bytes(app: &TestApp, name: &str) -> u64 {
    let listed = app.api_one(&format!("{PUSH}?name={name}")).await;
    let read = app.api_get(listed["pulp_href"].as_str().unwrap()).await;
    assert_eq!(listed["stored_bytes"], read["stored_bytes"]);
    listed["stored_bytes"].as_u64().unwrap()
}

#[tokio::test]
async fn stored_bytes_counts_a_shared_blob_once_per_repository_and_once_per_namespace() {
    let app = TestApp::spawn().await;
    let shared = bytes(10, 4000);
    let l2 = bytes(11, 2000);
    let l3 = bytes(12, 1500);
    let (cx, cy, cz, cw) = (config(10), config(11), config(12), config(13));
    image(&app, "ns1/r1", "x", &cx, &[&shared, &l2]).await;
    let y = image(&app, "ns1/r1", "y", &cy, &[&shared, &l3]).await;
    image(&app, "ns1/r2", "z", &cz, &[&shared]).await;
    image(&app, "ns2/r3", "w", &cw, &[&shared]).await;
    let r1 = cx.len() + cy.len() + shared.len() + l2.len() + l3.len();
    let r2 = cz.len() + shared.len();
    assert_eq!(repository_bytes(&app, "ns1/r1").await, r1 as u64);
    assert_eq!(repository_bytes(&app, "ns1/r2").await, r2 as u64);
    assert_eq!(
        namespace_bytes(&app, "ns1").await,
        (r1 + cz.len()) as u64,
        "the shared layer counts once in the namespace"
    );
    assert_eq!(
        namespace_bytes(&app, "ns2").await,
        (cw.len() + shared.len()) as u64
    );
    // Every repository of the page at once.
    let page = app.api_get(&format!("{PUSH}?ordering=name")).await;
    let all: Vec<u64> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stored_bytes"].as_u64().unwrap())
        .collect();
    assert_eq!(
        all,
        [r1 as u64, r2 as u64, (cw.len() + shared.len()) as u64]
    );

    // A removed image still counts while a kept version holds it.
    let repo = repo_href(&app, "ns1/r1").await;
    app.api_task(
        Method::POST,
        &format!("{repo}remove_image/"),
        Some(json!({"digest": y})),
    )
    .await;
    assert_eq!(repository_bytes(&app, "ns1/r1").await, r1 as u64);
    app.api_task(
        Method::PATCH,
        &repo,
        Some(json!({"retain_repo_versions": 1})),
    )
    .await;
    let kept = r1 - cy.len() - l3.len();
    assert_eq!(repository_bytes(&app, "ns1/r1").await, kept as u64);
    assert_eq!(namespace_bytes(&app, "ns1").await, (kept + cz.len()) as u64);
}

#[tokio::test]
async fn status_reports_stored_and_unreferenced_bytes_to_superusers_beside_pulps_fields() {
    let app = TestApp::spawn().await;
    let status = app.api_get("/pulp/api/v3/status/").await;
    assert_eq!(
        status["content_storage"],
        json!({"stored_bytes": 0, "unreferenced_bytes": 0, "blobs": 0})
    );
    for key in [
        "versions",
        "online_workers",
        "online_api_apps",
        "database_connection",
        "storage",
        "content_settings",
        "domain_enabled",
    ] {
        assert!(status.get(key).is_some(), "{key} stays: {status}");
    }
    let layer = bytes(20, 2500);
    let c = config(20);
    image(&app, "st/app", "v1", &c, &[&layer]).await;
    let lone = bytes(21, 700);
    app.push_blob("st/app", &lone).await;
    let status = app.api_get("/pulp/api/v3/status/").await;
    let total = (layer.len() + c.len() + lone.len()) as u64;
    assert_eq!(
        status["content_storage"],
        json!({"stored_bytes": total, "unreferenced_bytes": lone.len(), "blobs": 3})
    );
    assert_eq!(status["storage"]["used"], total);
    // The totals' query grows with the blobs: anonymous callers get the status without it.
    let (code, anon) = app
        .call_as("", reqwest::Method::GET, "/pulp/api/v3/status/", None)
        .await;
    assert_eq!(code, 200, "{anon}");
    assert!(anon["content_storage"].is_null(), "{anon}");
    assert_eq!(anon["storage"]["used"], total);
}
