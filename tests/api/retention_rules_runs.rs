//! Retention rules end to end, beside `retention_runs.rs`: a kept index keeps its children and
//! a removed one takes them along, a policy that would leave no tags skips the repository
//! unless `allow_empty`, and the pulled rules read recorded pulls (referrers follow their
//! subject).
use crate::common::oci::{bytes, OCI_INDEX, OCI_MANIFEST};
use crate::common::TestApp;
use crate::reclaim_delete::pulls_whole;
use crate::retention_runs::create_policy;
use crate::retention_runs::helpers::{five, image, latest, preview, run, sql, tags, uuid_of};
use chrono::{Duration, Utc};
use serde_json::json;

#[tokio::test]
async fn a_kept_index_keeps_its_children_whole_and_a_removed_one_takes_them_along() {
    let app = TestApp::spawn().await;
    let (_, amd) = image(&app, "multi/app", None, &[bytes(201, 1500)]).await;
    let (_, arm) = image(&app, "multi/app", None, &[bytes(202, 1500)]).await;
    let (_, old_child) = image(&app, "multi/app", None, &[bytes(203, 1500)]).await;
    let desc = |app: &TestApp, d: String| {
        let app_url = app.url(&format!("/v2/multi/app/manifests/{d}"));
        async move {
            let body = reqwest::Client::new()
                .get(app_url)
                .basic_auth("admin", Some("admin-password"))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            json!({"mediaType": OCI_MANIFEST, "digest": d, "size": body.len(),
                   "platform": {"architecture": "amd64", "os": "linux"}})
        }
    };
    let keep_index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [desc(&app, amd.clone()).await, desc(&app, arm.clone()).await]})
    .to_string();
    let res = app
        .put_manifest("multi/app", "latest", OCI_INDEX, keep_index.as_bytes())
        .await;
    assert_eq!(res.status(), 201);
    let old_index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [desc(&app, old_child.clone()).await]})
    .to_string();
    let res = app
        .put_manifest("multi/app", "old", OCI_INDEX, old_index.as_bytes())
        .await;
    assert_eq!(res.status(), 201);
    let policy = create_policy(
        &app,
        json!({"name": "multi", "rules": [{"tags": "latest", "always": true}], "delay": "0s"}),
    )
    .await;
    let p = preview(&app, &policy).await;
    let r = &p["repositories"][0];
    let kept: Vec<&str> = r["kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["digest"].as_str().unwrap())
        .collect();
    assert!(
        kept.contains(&amd.as_str()) && kept.contains(&arm.as_str()),
        "{r}"
    );
    let by_child = r["kept"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["digest"] == amd)
        .unwrap();
    assert!(by_child["kept_by"][0]
        .as_str()
        .unwrap()
        .starts_with("child of sha256:"));
    assert_eq!(
        p["totals"]["manifests_removed"], 2,
        "the old index and its child: {p}"
    );
    run(&app, &policy, false).await;
    assert_eq!(tags(&app, "multi/app").await, ["latest"]);
    for d in [&amd, &arm] {
        let res = app
            .get(&format!("/v2/multi/app/manifests/{d}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "child {d} stays");
        pulls_whole(&app, "multi/app", d).await;
    }
    let res = app
        .get(&format!("/v2/multi/app/manifests/{old_child}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "the removed index's child went with it");
}

#[tokio::test]
async fn a_policy_that_would_leave_no_tags_skips_the_repository_unless_allow_empty() {
    let app = TestApp::spawn().await;
    five(&app, "empty/app").await;
    let strict = create_policy(
        &app,
        json!({"name": "strict", "rules": [{"tags": "nothing", "always": true}], "delay": "0s"}),
    )
    .await;
    let p = preview(&app, &strict).await;
    assert_eq!(p["repositories"][0]["skipped"], "would leave no tags");
    assert_eq!(p["repositories"][0]["removed"], json!([]));
    assert_eq!(p["totals"]["tags_removed"], 0);
    assert_eq!(p["totals"]["bytes_freed"], 0);
    let before = latest(&app, "empty/app").await;
    let t = run(&app, &strict, false).await;
    assert_eq!(t["created_resources"], json!([]));
    assert_eq!(t["result"]["skipped"][0]["name"], "empty/app");
    assert_eq!(latest(&app, "empty/app").await, before);
    let lax = create_policy(
        &app,
        json!({"name": "lax", "rules": [{"tags": "nothing", "always": true}], "delay": "0s",
               "allow_empty": true}),
    )
    .await;
    assert_eq!(preview(&app, &lax).await["totals"]["tags_removed"], 5);
    run(&app, &lax, false).await;
    assert!(tags(&app, "empty/app").await.is_empty());
}

#[tokio::test]
async fn pulled_rules_read_recorded_pulls_and_referrers_follow_their_subject() {
    let app = TestApp::spawn().await;
    let (m1, d1) = image(&app, "pull/app", Some("v1"), &[bytes(301, 700)]).await;
    image(&app, "pull/app", Some("v2"), &[bytes(302, 700)]).await;
    image(&app, "pull/app", Some("v3"), &[bytes(303, 700)]).await;
    let empty = app.push_blob("pull/app", b"{}").await;
    let sig = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "artifactType": "application/vnd.example.sig",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2},
        "layers": [], "subject": {"mediaType": OCI_MANIFEST, "digest": d1, "size": m1.len()}})
    .to_string();
    let sig_digest = crate::common::oci::sha256(sig.as_bytes());
    let res = app
        .put_manifest("pull/app", &sig_digest, OCI_MANIFEST, sig.as_bytes())
        .await;
    assert_eq!(res.status(), 201);
    // v1 was pulled an hour ago (as the pull tracker records it).
    let repo = app
        .api_one("/pulp/api/v3/repositories/container/container-push/?name=pull/app")
        .await;
    let tag = app
        .api_one("/pulp/api/v3/content/container/tags/?name=v1")
        .await;
    sql(
        &app,
        "INSERT INTO repository_pulls (repository_id, content_id, last_pulled_at, pull_count) \
         VALUES (?, ?, ?, 3)",
        vec![
            uuid_of(repo["pulp_href"].as_str().unwrap()).into(),
            uuid_of(tag["pulp_href"].as_str().unwrap()).into(),
            (Utc::now() - Duration::hours(1)).into(),
        ],
    )
    .await;
    let pulled = create_policy(
        &app,
        json!({"name": "pulled", "rules": [{"pulled_within": "1d"}, {"latest_pushed": 1}],
               "delay": "0s"}),
    )
    .await;
    let p = preview(&app, &pulled).await;
    let r = &p["repositories"][0];
    let removed: Vec<&str> = r["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["tags"][0].as_str().unwrap())
        .collect();
    assert_eq!(removed, ["v2"], "{r}");
    let v1 = r["kept"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["digest"] == d1)
        .unwrap();
    assert_eq!(v1["kept_by"], json!(["rule 0"]));
    let s = r["kept"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["digest"] == sig_digest.as_str())
        .unwrap_or_else(|| panic!("{sig_digest} kept: {r}"));
    assert_eq!(s["kept_by"], json!([format!("referrer of {d1}")]));
    // Without the pulled rule v1 goes, and its signature with it.
    let latest_only = create_policy(
        &app,
        json!({"name": "latest", "rules": [{"latest_pushed": 1}], "delay": "0s"}),
    )
    .await;
    let p = preview(&app, &latest_only).await;
    assert_eq!(
        p["totals"]["manifests_removed"], 3,
        "v1, v2 and the signature: {p}"
    );
    run(&app, &latest_only, false).await;
    for d in [&d1, &sig_digest] {
        let res = app
            .get(&format!("/v2/pull/app/manifests/{d}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{d}");
    }
    pulls_whole(&app, "pull/app", "v3").await;
}
