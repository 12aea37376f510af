//! `/v2/` itself, routing errors, the catalog and Basic credentials.
use crate::common::{error_code, TestApp};
use reqwest::StatusCode;

#[tokio::test]
async fn the_base_endpoint_answers_200_with_the_api_version_header() {
    let app = TestApp::spawn().await;
    let res = app.get("/v2/").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["docker-distribution-api-version"],
        "registry/2.0"
    );
}

#[tokio::test]
async fn valid_admin_credentials_are_accepted_and_wrong_ones_get_401() {
    let app = TestApp::spawn().await;
    let ok = app
        .anon(reqwest::Method::GET, "/v2/")
        .basic_auth("admin", Some("admin-password"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let bad = app
        .anon(reqwest::Method::GET, "/v2/")
        .basic_auth("admin", Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    assert!(bad.headers().contains_key("www-authenticate"));
    assert_eq!(error_code(bad).await, "UNAUTHORIZED");
    let garbage = app
        .anon(reqwest::Method::GET, "/v2/")
        .header("Authorization", "Basic !!!")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_names_are_refused_with_name_invalid() {
    let app = TestApp::spawn().await;
    for path in [
        "/v2/UPPER/tags/list",
        "/v2/a//b/tags/list",
        "/v2/-a/blobs/uploads/",
    ] {
        let res = app.post(path).send().await.unwrap();
        let res = if res.status() == StatusCode::METHOD_NOT_ALLOWED {
            app.get(path).send().await.unwrap()
        } else {
            res
        };
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(error_code(res).await, "NAME_INVALID", "{path}");
    }
}

#[tokio::test]
async fn an_unknown_repository_answers_name_unknown() {
    let app = TestApp::spawn().await;
    let res = app.get("/v2/nobody/here/tags/list").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(res).await, "NAME_UNKNOWN");
}

#[tokio::test]
async fn an_unsupported_method_answers_405_unsupported() {
    let app = TestApp::spawn().await;
    let res = app.post("/v2/_catalog").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_code(res).await, "UNSUPPORTED");
}

#[tokio::test]
async fn the_catalog_is_sorted_and_paginated_with_a_link_header() {
    let app = TestApp::spawn().await;
    for name in ["zeta/app", "alpha/app", "mid/app-b", "mid/app"] {
        app.push_image(name, "v1", &[b"layer".to_vec()]).await;
    }
    let res = app.get("/v2/_catalog?n=3").send().await.unwrap();
    let link = res.headers()["link"].to_str().unwrap().to_string();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["repositories"],
        serde_json::json!(["alpha/app", "mid/app", "mid/app-b"])
    );
    assert_eq!(link, "</v2/_catalog?n=3&last=mid%2Fapp-b>; rel=\"next\"");
    let res = app
        .get("/v2/_catalog?n=3&last=mid%2Fapp-b")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("link").is_none());
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["repositories"], serde_json::json!(["zeta/app"]));
    let bad = app.get("/v2/_catalog?n=abc").send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
