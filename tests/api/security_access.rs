//! Access hardening (issue 11 §2): being named like someone else's namespace grants nothing in
//! it, and a user's open upload sessions are capped.
use crate::common::oci::bytes;
use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn host(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

async fn start_upload(app: &TestApp, user: &str, name: &str) -> reqwest::Response {
    app.anon(Method::POST, &format!("/v2/{name}/blobs/uploads/"))
        .basic_auth(user, Some(format!("pw-{user}")))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_user_named_like_someone_elses_namespace_cannot_create_repositories_in_it() {
    let app = TestApp::spawn().await;
    app.push_image("lib/base", "v1", &[bytes(3, 10)]).await;
    app.create_user("lib", "pw-lib").await;
    // Basic on /v2/.
    let res = start_upload(&app, "lib", "lib/new").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The token service grants no push.
    let res = app
        .anon(
            Method::GET,
            &format!(
                "/token/?service={}&scope=repository:lib/new:pull,push",
                host(&app)
            ),
        )
        .basic_auth("lib", Some("pw-lib"))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    assert!(v["token"].as_str().is_some(), "{v}");
    let payload = v["token"].as_str().unwrap().split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["access"][0]["actions"], json!([]), "{claims}");
    // The management API refuses a distribution there too.
    let (s, _) = app
        .call_as(
            "lib",
            Method::POST,
            "/pulp/api/v3/distributions/container/container/",
            Some(json!({"name": "lib-new", "base_path": "lib/new"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A user still creates repositories in a new namespace named after them.
    app.create_user("mine", "pw-mine").await;
    assert_eq!(start_upload(&app, "mine", "mine/app").await.status(), 202);
    // And a collaborator of the namespace may create repositories in it.
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=lib")
        .await;
    app.grant_role(
        "lib",
        "container.containernamespace_collaborator",
        ns["pulp_href"].as_str(),
    )
    .await;
    assert_eq!(start_upload(&app, "lib", "lib/new").await.status(), 202);
}

#[tokio::test]
async fn a_users_open_upload_sessions_are_capped() {
    let app = TestApp::spawn_with(|s| s.max_uploads_per_user = 3).await;
    app.create_user("frank", "pw-frank").await;
    let mut locations = vec![];
    for _ in 0..3 {
        let res = start_upload(&app, "frank", "frank/app").await;
        assert_eq!(res.status(), 202);
        locations.push(res.headers()["location"].to_str().unwrap().to_string());
    }
    let res = start_upload(&app, "frank", "frank/app").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "TOOMANYREQUESTS");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too many open upload sessions"),
        "{body}"
    );
    // A mount that falls back to a session counts too.
    let res = app
        .anon(
            Method::POST,
            &format!(
                "/v2/frank/app/blobs/uploads/?mount={}",
                crate::common::oci::sha256(b"x")
            ),
        )
        .basic_auth("frank", Some("pw-frank"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Other users are not affected; closing a session frees a place.
    assert_eq!(
        app.post("/v2/lib/app/blobs/uploads/")
            .send()
            .await
            .unwrap()
            .status(),
        202
    );
    let res = app
        .anon(Method::DELETE, &locations[0])
        .basic_auth("frank", Some("pw-frank"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(start_upload(&app, "frank", "frank/app").await.status(), 202);
}
