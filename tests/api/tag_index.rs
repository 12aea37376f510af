//! The latest version's tag index (`repository_tags`) follows every kind of version change:
//! `/v2/` tags/list and manifest GET by tag always agree with the Pulp content list of the
//! latest version.
use crate::common::oci::bytes;
use crate::common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

async fn registry_tags(app: &TestApp, name: &str) -> Vec<String> {
    let v: Value = app
        .get(&format!("/v2/{name}/tags/list"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut tags: Vec<String> = v["tags"]
        .as_array()
        .map(|a| a.iter().map(|t| t.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    tags.sort();
    tags
}

async fn pulp_tags(app: &TestApp, repo: &Value) -> Vec<String> {
    let latest = app.api_get(repo["pulp_href"].as_str().unwrap()).await["latest_version_href"]
        .as_str()
        .unwrap()
        .to_string();
    let page = app
        .api_get(&format!(
            "/pulp/api/v3/content/container/tags/?repository_version={latest}&limit=1000"
        ))
        .await;
    let mut tags: Vec<String> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    tags.sort();
    tags
}

async fn tag_points_at(app: &TestApp, name: &str, tag: &str) -> Option<String> {
    let res = app
        .get(&format!("/v2/{name}/manifests/{tag}"))
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .await
        .unwrap();
    (res.status() == 200).then(|| {
        res.headers()["docker-content-digest"]
            .to_str()
            .unwrap()
            .into()
    })
}

#[tokio::test]
async fn tag_lists_and_tag_lookups_follow_pushes_retags_untags_removals_and_retention() {
    let app = TestApp::spawn().await;
    let name = "idx/app";
    let (_, d1) = app.push_image(name, "a", &[bytes(1, 64)]).await;
    let (_, d2) = app.push_image(name, "b", &[bytes(2, 64)]).await;
    app.push_image(name, "c", &[bytes(1, 64)]).await; // same content as `a`: same digest
    let repo = app
        .api_one(&format!(
            "/pulp/api/v3/repositories/container/container-push/?name={name}"
        ))
        .await;
    let href = repo["pulp_href"].as_str().unwrap().to_string();
    let check =
        |want: &'static [&'static str]| want.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(registry_tags(&app, name).await, check(&["a", "b", "c"]));
    assert_eq!(pulp_tags(&app, &repo).await, check(&["a", "b", "c"]));

    // Re-pointing a tag by push replaces it.
    app.push_image(name, "a", &[bytes(2, 64)]).await;
    assert_eq!(
        tag_points_at(&app, name, "a").await.as_deref(),
        Some(d2.as_str())
    );
    // Tag and untag through the management API.
    app.api_task(
        Method::POST,
        &format!("{href}tag/"),
        Some(json!({"tag": "d", "digest": d1})),
    )
    .await;
    app.api_task(
        Method::POST,
        &format!("{href}untag/"),
        Some(json!({"tag": "b"})),
    )
    .await;
    assert_eq!(registry_tags(&app, name).await, check(&["a", "c", "d"]));
    assert_eq!(pulp_tags(&app, &repo).await, check(&["a", "c", "d"]));
    // Removing an image takes its tags with it.
    app.api_task(
        Method::POST,
        &format!("{href}remove_image/"),
        Some(json!({"digest": d1})),
    )
    .await;
    assert_eq!(registry_tags(&app, name).await, check(&["a"]));
    assert_eq!(tag_points_at(&app, name, "c").await, None);
    // A tag deleted over /v2/ (by digest of its manifest) goes too.
    let res = app
        .delete(&format!("/v2/{name}/manifests/{d2}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    assert_eq!(registry_tags(&app, name).await, Vec::<String>::new());
    assert_eq!(pulp_tags(&app, &repo).await, Vec::<String>::new());
    // Retention pruning old versions keeps the latest version's tags.
    app.push_image(name, "e", &[bytes(3, 64)]).await;
    app.api_task(
        Method::PATCH,
        &href,
        Some(json!({"retain_repo_versions": 1})),
    )
    .await;
    assert_eq!(registry_tags(&app, name).await, check(&["e"]));
    // The summary's present counts stay exact when computed incrementally.
    let latest = app.api_get(&href).await["latest_version_href"]
        .as_str()
        .unwrap()
        .to_string();
    let v = app.api_get(&latest).await;
    assert_eq!(
        v["content_summary"]["present"]["container.tag"]["count"], 1,
        "{v}"
    );
    assert_eq!(
        v["content_summary"]["present"]["container.manifest"]["count"], 1,
        "{v}"
    );
}
