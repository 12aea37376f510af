//! Hostile or odd input answered with the right 4xx, never a 5xx, on both databases alike:
//! huge ranges, NUL characters, negative page sizes; and complete answers (`is_superuser`).
use crate::common::oci::{descriptor, LAYER, OCI_CONFIG, OCI_MANIFEST};
use crate::common::{error_code, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_range_ending_past_the_blob_is_clamped_to_it() {
    let app = TestApp::spawn().await;
    let d = app.push_blob("lib/r", b"0123456789").await;
    let path = format!("/v2/lib/r/blobs/{d}");
    for range in [
        "bytes=0-18446744073709551615",
        "bytes=2-18446744073709551615",
    ] {
        let res = app
            .anon(Method::GET, &path)
            .header("Range", range)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        let start: usize = range[6..].split('-').next().unwrap().parse().unwrap();
        assert_eq!(
            res.headers()["content-range"],
            format!("bytes {start}-9/10")
        );
        assert_eq!(res.bytes().await.unwrap().as_ref(), &b"0123456789"[start..]);

        let res = app
            .anon(Method::HEAD, &path)
            .header("Range", range)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(res.headers()["content-length"], (10 - start).to_string());
        assert_eq!(
            res.headers()["content-range"],
            format!("bytes {start}-9/10")
        );
    }
    let res = app
        .anon(Method::GET, &path)
        .header("Range", "bytes=18446744073709551615-")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(res.headers()["content-range"], "bytes */10");
}

#[tokio::test]
async fn negative_page_sizes_are_refused() {
    let app = TestApp::spawn().await;
    app.push_image("lib/p", "v1", &[b"l".to_vec()]).await;
    for path in ["/v2/lib/p/tags/list?n=-1", "/v2/_catalog?n=-5"] {
        let res = app.get(path).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(error_code(res).await, "PAGINATION_NUMBER_INVALID");
    }
    let res = app.get("/v2/lib/p/tags/list?n=0").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn nul_characters_in_pagination_markers_are_refused() {
    let app = TestApp::spawn().await;
    app.push_image("lib/n", "v1", &[b"l".to_vec()]).await;
    let res = app
        .get("/v2/lib/n/tags/list?last=%00")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "MANIFEST_INVALID");
    let res = app.get("/v2/_catalog?last=a%00b").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "NAME_INVALID");
}

/// Pushes a config blob and a layer, then a manifest built by `shape` around them.
async fn push_with(
    app: &TestApp,
    config: serde_json::Value,
    shape: impl Fn(serde_json::Value, serde_json::Value) -> serde_json::Value,
) -> reqwest::Response {
    let config = config.to_string().into_bytes();
    app.push_blob("lib/nul", &config).await;
    app.push_blob("lib/nul", b"layer").await;
    let manifest = shape(descriptor(OCI_CONFIG, &config), descriptor(LAYER, b"layer"));
    app.put_manifest(
        "lib/nul",
        "v1",
        OCI_MANIFEST,
        manifest.to_string().as_bytes(),
    )
    .await
}

#[tokio::test]
async fn nul_characters_in_manifests_and_their_config_are_refused() {
    let app = TestApp::spawn().await;
    let plain =
        |c, l| json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": c, "layers": [l]});
    for config in [
        json!({"os": "li\u{0}nux", "architecture": "amd64"}),
        json!({"os": "linux", "architecture": "amd\u{0}64"}),
    ] {
        let res = push_with(&app, config, plain).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error_code(res).await, "MANIFEST_INVALID");
    }
    let ok = json!({"os": "linux", "architecture": "amd64"});
    let res = push_with(&app, ok.clone(), |c, l| {
        json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "x/\u{0}",
               "config": c, "layers": [l]})
    })
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "MANIFEST_INVALID");
    let res = push_with(&app, ok.clone(), |mut c, l| {
        c["mediaType"] = json!("application/x\u{0}");
        json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": c, "layers": [l]})
    })
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "MANIFEST_INVALID");
    // The same image without the NUL pushes.
    let res = push_with(&app, ok, plain).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
}

#[tokio::test]
async fn a_basic_user_name_with_a_nul_character_is_unauthorized() {
    let app = TestApp::spawn().await;
    for path in ["/v2/", "/pulp/api/v3/tasks/", "/token/?service=x"] {
        let res = app
            .anon(Method::GET, path)
            .basic_auth("ad\u{0}min", Some("admin-password"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[tokio::test]
async fn a_created_user_reports_whether_it_is_a_superuser() {
    let app = TestApp::spawn().await;
    let (s, u) = app
        .api(
            Method::POST,
            "/pulp/api/v3/users/",
            Some(json!({"username": "carol", "password": "carol-password-1"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    assert_eq!(u["is_superuser"], false);
    let list = app.api_get("/pulp/api/v3/users/?username=admin").await;
    assert_eq!(list["results"][0]["is_superuser"], true);
}

#[tokio::test]
async fn nul_characters_elsewhere_in_registry_requests_never_answer_5xx() {
    let app = TestApp::spawn().await;
    app.push_image("lib/z", "v1", &[b"z".to_vec()]).await;
    let d = crate::common::oci::sha256(b"z");
    for path in [
        "/token/?service=a%00b&scope=repository:lib/z:pull".to_string(),
        "/token/?service=x&scope=repository:lib/z%00:pull,push".to_string(),
        "/token/?service=x&account=ad%00min&scope=repository:lib/z:pull".to_string(),
        format!("/v2/lib/z/referrers/{d}?artifactType=a%00b"),
        "/v2/lib/z/manifests/v1?tag=a%00b".to_string(),
        format!("/v2/lib/z/blobs/uploads/?mount={d}&from=lib/z%00"),
        "/pulp/api/v3/content/container/tags/?name=a%00b".to_string(),
        "/pulp/api/v3/pulp_container/namespaces/?name=a%00b".to_string(),
    ] {
        for method in [Method::GET, Method::POST] {
            let res = app
                .request(method.clone(), &path)
                .basic_auth("admin", Some("admin-password"))
                .send()
                .await
                .unwrap();
            assert!(
                res.status().as_u16() < 500,
                "{method} {path}: {}",
                res.status()
            );
        }
    }
}
