//! Changing what a distribution pins: PATCH switching between `repository` and
//! `repository_version` (Pulp's rules), a version's PRN, PUT; orphan cleanup, version pruning
//! and repository deletion around a pinned version. Serving and refusals:
//! `container_repos_pin.rs`.
use crate::common::oci::sha256;
use crate::common::{error_code, TestApp};
use crate::container_repos::create;
use crate::container_repos_content::{created, push_href};
use crate::container_repos_pin::{body, copy_tags, json_of, pin};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn patching_switches_between_repository_and_repository_version_as_in_pulp() {
    let app = TestApp::spawn().await;
    app.push_image("dev/app", "1.0", &[b"one".to_vec()]).await;
    app.push_image("dev/app", "2.0", &[b"two".to_vec()]).await;
    let source = push_href(&app, "dev/app").await;
    let prod = create(&app, "prod-app").await;
    let href = prod["pulp_href"].as_str().unwrap().to_string();
    let v1 = copy_tags(&app, &href, &source, &["1.0"]).await;
    copy_tags(&app, &href, &source, &["2.0"]).await;
    let dist = pin(&app, "prod/app", &v1).await;
    let tags = |app| async move { json_of(app, "/v2/prod/app/tags/list").await["tags"].clone() };
    assert_eq!(tags(&app).await, json!(["1.0"]));

    // Pulp counts the value a partial update keeps: naming the other field alone is refused.
    let both = json!({"non_field_errors": ["Only one of the attributes 'repository' and 'repository_version' may be used simultaneously."]});
    let (s, v) = app
        .api(Method::PATCH, &dist, Some(json!({"repository": href})))
        .await;
    assert_eq!((s, v), (StatusCode::BAD_REQUEST, both.clone()));

    app.api_task(
        Method::PATCH,
        &dist,
        Some(json!({"repository": href, "repository_version": null})),
    )
    .await;
    let d = app.api_get(&dist).await;
    assert_eq!(d["repository"], href);
    assert_eq!(d["repository_version"], Value::Null, "the pin is cleared");
    assert_eq!(d["no_content_change_since"], Value::Null);
    assert_eq!(tags(&app).await, json!(["1.0", "2.0"]));

    let (s, v) = app
        .api(
            Method::PATCH,
            &dist,
            Some(json!({"repository_version": v1})),
        )
        .await;
    assert_eq!((s, v), (StatusCode::BAD_REQUEST, both));
    // pulp-cli unsets a field with "" (DRF reads it as null for a related field).
    app.api_task(
        Method::PATCH,
        &dist,
        Some(json!({"repository_version": v1, "repository": ""})),
    )
    .await;
    let d = app.api_get(&dist).await;
    assert_eq!(d["repository"], Value::Null, "the repository is cleared");
    assert_eq!(d["repository_version"], v1);
    assert_eq!(tags(&app).await, json!(["1.0"]));
    let (s, _) = app
        .api(
            Method::PATCH,
            &dist,
            Some(json!({"repository_version": v1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "unchanged: no task");

    // A version's PRN names it too; PUT resets what it does not give.
    let prn = app.api_get(&format!("{href}versions/2/")).await["prn"].clone();
    app.api_task(
        Method::PATCH,
        &dist,
        Some(json!({"repository_version": prn})),
    )
    .await;
    assert_eq!(
        app.api_get(&dist).await["repository_version"],
        format!("{href}versions/2/")
    );
    app.api_task(
        Method::PUT,
        &dist,
        Some(json!({"name": "prod/app", "base_path": "prod/app", "repository": href})),
    )
    .await;
    let d = app.api_get(&dist).await;
    assert_eq!(
        (d["repository"].clone(), d["repository_version"].clone()),
        (json!(href), Value::Null)
    );
    app.api_task(Method::PATCH, &dist, Some(json!({"repository": null})))
        .await;
    let res = app.get("/v2/prod/app/tags/list").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "serves nothing");
    assert_eq!(error_code(res).await, "NAME_UNKNOWN");
}

#[tokio::test]
async fn orphan_cleanup_and_version_pruning_keep_a_pinned_version_until_its_repository_goes() {
    let app = TestApp::spawn().await;
    let (m1, d1) = app
        .push_image("dev/app", "1.0", &[b"only-pinned".to_vec()])
        .await;
    app.push_image("dev/app", "2.0", &[b"newer".to_vec()]).await;
    let source = push_href(&app, "dev/app").await;
    app.api_task(
        Method::PATCH,
        &source,
        Some(json!({"retain_repo_versions": 1})),
    )
    .await;
    let prod = create(&app, "prod-app").await;
    let href = prod["pulp_href"].as_str().unwrap();
    app.api_task(
        Method::PATCH,
        href,
        Some(json!({"retain_repo_versions": 1})),
    )
    .await;
    let t = app
        .api_task(
            Method::POST,
            &format!("{href}copy_tags/"),
            Some(json!({"source_repository": source, "names": ["1.0"]})),
        )
        .await;
    let v1 = created(&t);
    let dist = pin(&app, "pinned/app", &v1).await;
    app.api_task(
        Method::POST,
        &format!("{href}remove/"),
        Some(json!({"content_units": ["*"]})),
    )
    .await;
    app.api_task(
        Method::POST,
        &format!("{href}copy_tags/"),
        Some(json!({"source_repository": source, "names": ["2.0"]})),
    )
    .await;
    app.api_task(
        Method::POST,
        &format!("{source}remove_image/"),
        Some(json!({"digest": d1})),
    )
    .await;

    let versions = app.api_get(&format!("{href}versions/")).await;
    let numbers: Vec<i64> = versions["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(
        numbers,
        [3, 1],
        "retain_repo_versions: 1 keeps the pinned version too"
    );

    crate::reclaim_delete::cleanup(&app, 0).await;
    let layer = sha256(b"only-pinned");
    assert_eq!(
        body(&app, &format!("/v2/pinned/app/blobs/{layer}")).await,
        b"only-pinned",
        "only the pinned version holds it"
    );
    assert_eq!(body(&app, "/v2/pinned/app/manifests/1.0").await, m1);

    // Deleting the repository unsets the pin (Pulp's SET_NULL); the content becomes orphaned.
    app.api_task(Method::DELETE, href, None).await;
    let d = app.api_get(&dist).await;
    assert_eq!(
        (d["repository"].clone(), d["repository_version"].clone()),
        (Value::Null, Value::Null)
    );
    let res = app
        .get("/v2/pinned/app/manifests/1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res).await, "NAME_UNKNOWN");
    crate::reclaim_delete::cleanup(&app, 0).await;
    let blobs = app
        .api_get(&format!(
            "/pulp/api/v3/content/container/blobs/?digest={layer}"
        ))
        .await;
    assert_eq!(blobs["count"], 0, "orphaned once no version holds it");
}
