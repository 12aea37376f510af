//! `POST {push repository}restore/`: a new version equal to an older kept version. It brings
//! back what `remove_image` and `untag` took (the registry serves it whole again), keeps tag
//! names unique, does nothing for the latest version, refuses pruned, foreign and unknown
//! versions in the request (400 on `version`), and needs what `remove_image` needs.
use crate::common::oci::{bytes, sha256};
use crate::common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

const PUSH: &str = "/pulp/api/v3/repositories/container/container-push/";

async fn repo(app: &TestApp, name: &str) -> Value {
    app.api_one(&format!("{PUSH}?name={name}")).await
}

async fn latest(app: &TestApp, name: &str) -> String {
    repo(app, name).await["latest_version_href"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn tags(app: &TestApp, name: &str) -> Vec<String> {
    let v: Value = app
        .get(&format!("/v2/{name}/tags/list"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out: Vec<String> = v["tags"]
        .as_array()
        .map(|a| a.iter().map(|t| t.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// Asserts the registry serves `reference` as `manifest` and every blob of it whole.
async fn serves_whole(app: &TestApp, name: &str, reference: &str, manifest: &[u8]) {
    let res = app
        .get(&format!("/v2/{name}/manifests/{reference}"))
        .header("Accept", crate::common::oci::OCI_MANIFEST)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{name}:{reference}");
    assert_eq!(res.bytes().await.unwrap().as_ref(), manifest);
    let m: Value = serde_json::from_slice(manifest).unwrap();
    let mut blobs = vec![m["config"]["digest"].as_str().unwrap().to_string()];
    for l in m["layers"].as_array().unwrap() {
        blobs.push(l["digest"].as_str().unwrap().to_string());
    }
    for d in blobs {
        let res = app
            .get(&format!("/v2/{name}/blobs/{d}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "blob {d}");
        assert_eq!(sha256(&res.bytes().await.unwrap()), d);
    }
}

async fn restore(app: &TestApp, repo_href: &str, version: &str) -> Value {
    app.api_task(
        Method::POST,
        &format!("{repo_href}restore/"),
        Some(json!({"version": version})),
    )
    .await
}

#[tokio::test]
async fn restore_after_remove_image_brings_back_the_image_and_its_tags_served_whole() {
    let app = TestApp::spawn().await;
    let name = "rs/app";
    let shared = bytes(1, 2000);
    let (ma, da) = app
        .push_image(name, "a", &[shared.clone(), bytes(2, 3000)])
        .await;
    let (mb, _) = app
        .push_image(name, "b", std::slice::from_ref(&shared))
        .await;
    let r = repo(&app, name).await;
    let href = r["pulp_href"].as_str().unwrap().to_string();
    app.api_task(
        Method::POST,
        &format!("{href}tag/"),
        Some(json!({"tag": "a2", "digest": da})),
    )
    .await;
    let before = latest(&app, name).await;
    app.api_task(
        Method::POST,
        &format!("{href}remove_image/"),
        Some(json!({"digest": da})),
    )
    .await;
    assert_eq!(tags(&app, name).await, ["b"]);
    let t = restore(&app, &href, &before).await;
    assert_eq!(t["name"], "berth.app.tasks.restore.restore_version");
    let now = latest(&app, name).await;
    assert_ne!(now, before);
    assert_eq!(t["created_resources"], json!([now]));
    assert_eq!(tags(&app, name).await, ["a", "a2", "b"]);
    for reference in ["a", "a2", da.as_str()] {
        serves_whole(&app, name, reference, &ma).await;
    }
    serves_whole(&app, name, "b", &mb).await;
    // The new version's content equals the restored one's.
    let summary = |v: Value| {
        let p = &v["content_summary"]["present"];
        ["container.blob", "container.manifest", "container.tag"].map(|k| p[k]["count"].clone())
    };
    assert_eq!(
        summary(app.api_get(&now).await),
        summary(app.api_get(&before).await)
    );
}

#[tokio::test]
async fn restore_after_untag_and_a_reused_tag_name_keeps_tag_names_unique() {
    let app = TestApp::spawn().await;
    let name = "rs/tags";
    let (ma, _) = app.push_image(name, "v1", &[bytes(3, 1000)]).await;
    let (mb, db) = app.push_image(name, "v2", &[bytes(4, 1000)]).await;
    let href = repo(&app, name).await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    let before = latest(&app, name).await;
    app.api_task(
        Method::POST,
        &format!("{href}untag/"),
        Some(json!({"tag": "v1"})),
    )
    .await;
    // The name now points at another image.
    app.api_task(
        Method::POST,
        &format!("{href}tag/"),
        Some(json!({"tag": "v1", "digest": db})),
    )
    .await;
    serves_whole(&app, name, "v1", &mb).await;
    restore(&app, &href, &before).await;
    assert_eq!(tags(&app, name).await, ["v1", "v2"]);
    serves_whole(&app, name, "v1", &ma).await;
    serves_whole(&app, name, "v2", &mb).await;
    let tag_units = app
        .api_get(&format!(
            "/pulp/api/v3/content/container/tags/?repository_version={}",
            latest(&app, name).await
        ))
        .await;
    assert_eq!(tag_units["count"], 2, "one unit per tag name: {tag_units}");
}

#[tokio::test]
async fn restoring_the_latest_version_creates_no_version() {
    let app = TestApp::spawn().await;
    let name = "rs/same";
    app.push_image(name, "v1", &[bytes(5, 500)]).await;
    let href = repo(&app, name).await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    let before = latest(&app, name).await;
    let t = restore(&app, &href, &before).await;
    assert_eq!(t["created_resources"], json!([]));
    assert_eq!(latest(&app, name).await, before);
}

#[tokio::test]
async fn a_pruned_foreign_or_unknown_version_is_refused_in_the_request() {
    let app = TestApp::spawn().await;
    let name = "rs/pruned";
    app.push_image(name, "v1", &[bytes(6, 500)]).await;
    app.push_image(name, "v2", &[bytes(7, 500)]).await;
    app.push_image("rs/other", "v1", &[bytes(8, 500)]).await;
    let href = repo(&app, name).await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    let first = format!("{href}versions/1/");
    app.api_task(
        Method::PATCH,
        &href,
        Some(json!({"retain_repo_versions": 1})),
    )
    .await;
    let other = latest(&app, "rs/other").await;
    let ask = |body: Value| {
        let app = &app;
        let path = format!("{href}restore/");
        async move { app.api(Method::POST, &path, Some(body)).await }
    };
    let message = |v: &Value| v["version"][0].as_str().unwrap_or_default().to_string();
    let (s, v) = ask(json!({"version": first})).await;
    assert_eq!(s, 400, "{v}");
    assert!(message(&v).contains("pruned"), "{v}");
    let (s, v) = ask(json!({"version": other})).await;
    assert_eq!(s, 400, "{v}");
    assert!(message(&v).contains("another repository"), "{v}");
    let (s, v) = ask(json!({"version": format!("{href}versions/99/")})).await;
    assert_eq!(s, 400, "{v}");
    assert!(message(&v).contains("does not exist"), "{v}");
    for bad in [json!({"version": "nonsense"}), json!({"version": 3})] {
        let (s, v) = ask(bad).await;
        assert_eq!(s, 400, "{v}");
        assert!(v["version"].is_array(), "{v}");
    }
    let (s, v) = ask(json!({})).await;
    assert_eq!(
        (s.as_u16(), v),
        (400, json!({"version": ["This field is required."]}))
    );
    let (s, v) = ask(json!({"version": first, "x": 1})).await;
    assert_eq!(s, 400, "{v}");
    let (s, _) = app
        .api(
            Method::POST,
            &format!("{PUSH}{}/restore/", uuid::Uuid::now_v7()),
            Some(json!({"version": first})),
        )
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn restore_needs_what_remove_image_needs() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(9, 300)]).await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=team")
        .await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    for (user, role) in [
        ("owner", "container.containernamespace_owner"),
        ("collab", "container.containernamespace_collaborator"),
        ("consumer", "container.containernamespace_consumer"),
        ("other", ""),
    ] {
        app.create_user(user, &format!("pw-{user}")).await;
        if !role.is_empty() {
            app.grant_role(user, role, Some(&ns)).await;
        }
    }
    let href = repo(&app, "team/app").await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    let v1 = format!("{href}versions/1/");
    for (actor, expected) in [
        ("admin", 202),
        ("owner", 202),
        ("collab", 202),
        ("consumer", 403),
        ("other", 403),
        ("", 401),
    ] {
        let (s, v) = app
            .call_as(
                actor,
                Method::POST,
                &format!("{href}restore/"),
                Some(json!({"version": v1})),
            )
            .await;
        assert_eq!(s.as_u16(), expected, "{actor}: {v}");
        if expected == 202 {
            let t = app.task_done(v["task"].as_str().unwrap()).await;
            assert_eq!(t["state"], "completed", "{t}");
        }
        // Same cells as remove_image.
        let (s2, _) = app
            .call_as(
                actor,
                Method::POST,
                &format!("{href}remove_image/"),
                Some(json!({"digest": sha256(b"nothing")})),
            )
            .await;
        let same = match s2.as_u16() {
            400 => 202,
            other => other,
        };
        assert_eq!(same, expected, "{actor}: restore and remove_image agree");
    }
}
