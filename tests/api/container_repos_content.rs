//! What plain container repositories hold: promotion (`copy_tags` from a push repository,
//! served read-only through `/v2/` by a distribution), `copy_manifests` of a manifest list
//! (which brings its children and their blobs). Changes by href, tags, orphan cleanup and the
//! UI: `container_repos_modify.rs`.
use crate::common::oci::{sha256, OCI_INDEX, OCI_MANIFEST};
use crate::common::{error_code, TestApp};
use crate::container_repos::{create, distribute};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PUSH: &str = "/pulp/api/v3/repositories/container/container-push/";

pub async fn push_href(app: &TestApp, name: &str) -> String {
    let r = app.api_one(&format!("{PUSH}?name={name}")).await;
    r["pulp_href"].as_str().unwrap().to_string()
}

/// The `present` counts of a version's content summary, by type.
pub async fn present(app: &TestApp, version: &str) -> (i64, i64, i64) {
    let v = app.api_get(version).await;
    let n = |t: &str| {
        v["content_summary"]["present"][t]["count"]
            .as_i64()
            .unwrap_or(0)
    };
    (
        n("container.tag"),
        n("container.manifest"),
        n("container.blob"),
    )
}

/// The one version href a finished task created.
pub fn created(task: &Value) -> String {
    let c = task["created_resources"].as_array().unwrap();
    assert_eq!(c.len(), 1, "{task}");
    c[0].as_str().unwrap().to_string()
}

pub async fn tag_names(app: &TestApp, version: &str) -> Vec<String> {
    let v = app
        .api_get(&format!(
            "/pulp/api/v3/content/container/tags/?repository_version={version}"
        ))
        .await;
    let mut names: Vec<String> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn promoted_tags_are_served_read_only_through_a_distribution() {
    let app = TestApp::spawn().await;
    let (m1, d1) = app.push_image("dev/app", "1.0", &[b"one".to_vec()]).await;
    app.push_image("dev/app", "1.1", &[b"eleven".to_vec()])
        .await;
    app.push_image("dev/app", "2.0-rc", &[b"candidate".to_vec()])
        .await;
    let source = push_href(&app, "dev/app").await;
    let prod = create(&app, "prod-app").await;
    let href = prod["pulp_href"].as_str().unwrap();

    let t = app
        .api_task(
            Method::POST,
            &format!("{href}copy_tags/"),
            Some(json!({"source_repository": source, "names": ["1.0", "1.1"]})),
        )
        .await;
    let v1 = created(&t);
    assert_eq!(v1, format!("{href}versions/1/"));
    assert_eq!(
        present(&app, &v1).await,
        (2, 2, 4),
        "two tags, images, configs and layers"
    );
    assert_eq!(tag_names(&app, &v1).await, ["1.0", "1.1"]);
    assert_eq!(app.api_get(href).await["latest_version_href"], v1);

    let dist = distribute(&app, "prod/app", href).await;
    assert_eq!(app.api_get(&dist).await["repository"], href);
    let res = app
        .get("/v2/prod/app/manifests/1.0")
        .header("Accept", OCI_MANIFEST)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), m1);
    let res = app
        .get(&format!("/v2/prod/app/manifests/{d1}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let layer = sha256(b"one");
    let res = app
        .get(&format!("/v2/prod/app/blobs/{layer}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"one");
    let tags: Value = app
        .get("/v2/prod/app/tags/list")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tags["tags"], json!(["1.0", "1.1"]));
    let res = app
        .get("/v2/prod/app/manifests/2.0-rc")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "not promoted");
    let catalog: Value = app
        .get("/v2/_catalog")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["repositories"], json!(["dev/app", "prod/app"]));

    // Read-only: a push, an upload or a delete through the registry is refused as Pulp does.
    let res = app
        .put_manifest("prod/app", "hotfix", OCI_MANIFEST, &m1)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "NAME_INVALID", "{body}");
    assert_eq!(body["errors"][0]["message"], "Repository is read-only.");
    let res = app
        .post("/v2/prod/app/blobs/uploads/")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "NAME_INVALID");
    let res = app
        .delete(&format!("/v2/prod/app/manifests/{d1}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.api_get(href).await["latest_version_href"],
        v1,
        "nothing changed"
    );

    // A copy from a given version, and a copy that brings nothing new makes no version.
    let t = app
        .api_task(
            Method::POST,
            &format!("{href}copy_tags/"),
            Some(json!({"source_repository_version": format!("{source}versions/1/")})),
        )
        .await;
    assert_eq!(t["created_resources"], json!([]), "1.0 is already there");
    let (s, v) = app
        .api(Method::POST, &format!("{href}copy_tags/"), Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}copy_tags/"),
            Some(json!({"source_repository": source, "source_repository_version": format!("{source}versions/1/")})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}copy_tags/"),
            Some(json!({"source_repository": format!("{PUSH}00000000-0000-0000-0000-000000000000/")})),
        )
        .await;
    assert_eq!(
        (s, v),
        (
            StatusCode::BAD_REQUEST,
            json!({"source_repository": ["Invalid hyperlink - Object does not exist."]})
        )
    );
    let (s, _) = app
        .api(
            Method::POST,
            &format!("{href}copy_tags/"),
            Some(json!({"source_repository_version": format!("{source}versions/99/")})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn copying_a_manifest_list_brings_its_children_and_their_blobs() {
    let app = TestApp::spawn().await;
    let (_, a) = app
        .push_image("dev/multi", "amd64", &[b"amd".to_vec()])
        .await;
    let (_, b) = app
        .push_image("dev/multi", "arm64", &[b"arm".to_vec()])
        .await;
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": a, "size": 1, "platform": {"architecture": "amd64", "os": "linux"}},
        {"mediaType": OCI_MANIFEST, "digest": b, "size": 1, "platform": {"architecture": "arm64", "os": "linux"}}]})
    .to_string()
    .into_bytes();
    let res = app
        .put_manifest("dev/multi", "multi", OCI_INDEX, &index)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let list = sha256(&index);
    let source = push_href(&app, "dev/multi").await;

    let prod = create(&app, "prod-multi").await;
    let href = prod["pulp_href"].as_str().unwrap();
    let t = app
        .api_task(
            Method::POST,
            &format!("{href}copy_manifests/"),
            Some(json!({"source_repository": source, "digests": [list]})),
        )
        .await;
    assert_eq!(
        present(&app, &created(&t)).await,
        (0, 3, 4),
        "list, two images, their blobs"
    );
    distribute(&app, "prod/multi", href).await;
    for d in [&list, &a, &b] {
        let res = app
            .get(&format!("/v2/prod/multi/manifests/{d}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{d}");
    }

    let images = create(&app, "images-only").await;
    let ih = images["pulp_href"].as_str().unwrap();
    let t = app
        .api_task(
            Method::POST,
            &format!("{ih}copy_manifests/"),
            Some(json!({"source_repository": source, "media_types": [OCI_MANIFEST]})),
        )
        .await;
    assert_eq!(present(&app, &created(&t)).await, (0, 2, 4), "no index");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{ih}copy_manifests/"),
            Some(json!({"source_repository": source, "media_types": ["text/plain"]})),
        )
        .await;
    assert_eq!(
        (s, v),
        (
            StatusCode::BAD_REQUEST,
            json!({"media_types": ["\"text/plain\" is not a valid choice."]})
        )
    );
    let (s, _) = app
        .api(
            Method::POST,
            &format!("{ih}copy_manifests/"),
            Some(json!({"source_repository": source, "digests": "sha256:x"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
