//! `registry_token_only` (Pulp's token mode, which Pulp's own functional tests expect): `/v2/`
//! answers every request without a Bearer token, anonymous or Basic, with the 401 challenge,
//! while `/token/` still takes Basic credentials and anonymous callers; the default mode serves
//! anonymous pulls of public repositories and Basic credentials directly.
use crate::common::oci::bytes;
use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A token for `scopes` (`scope=…&scope=…` query text) from `/token/`.
async fn token_for(app: &TestApp, creds: Option<(&str, &str)>, scopes: &str) -> String {
    let host = app.base.trim_start_matches("http://").to_string();
    let mut r = app.anon(Method::GET, &format!("/token/?service={host}&{scopes}"));
    if let Some((u, p)) = creds {
        r = r.basic_auth(u, Some(p));
    }
    let res = r.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    v["token"].as_str().unwrap().to_string()
}

fn bearer_challenge(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let h = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(h.starts_with("Bearer realm=\""), "{h}");
    h
}

#[tokio::test]
async fn in_token_only_mode_anonymous_and_basic_registry_requests_get_the_bearer_challenge() {
    let mut app = TestApp::spawn().await;
    let path = "/v2/strict/app/manifests/v1";
    app.push_image("strict/app", "v1", &[bytes(7, 64)]).await;
    // Default mode: an anonymous pull of a public repository and a Basic pull are served.
    assert_eq!(
        app.anon(Method::GET, path).send().await.unwrap().status(),
        200
    );
    assert_eq!(app.get(path).send().await.unwrap().status(), 200);

    app.settings.registry_token_only = true;
    app.restart().await;
    let anon = app.anon(Method::GET, path).send().await.unwrap();
    let h = bearer_challenge(&anon);
    assert!(h.contains("scope=\"repository:strict/app:pull\""), "{h}");
    // Basic credentials, even the admin's and even on `GET /v2/`, are refused the same way.
    bearer_challenge(&app.get(path).send().await.unwrap());
    let base = app.get("/v2/").send().await.unwrap();
    let h = bearer_challenge(&base);
    assert!(!h.contains("scope="), "{h}");
    let catalog = app.get("/v2/_catalog").send().await.unwrap();
    let h = bearer_challenge(&catalog);
    assert!(h.contains("scope=\"registry:catalog:*\""), "{h}");
    // A push with Basic credentials is refused before anything is written.
    let push = app
        .request(Method::POST, "/v2/strict/new/blobs/uploads/")
        .send()
        .await
        .unwrap();
    bearer_challenge(&push);

    // Tokens work: the admin's (from Basic credentials) and an anonymous one for a public pull.
    let admin = token_for(
        &app,
        Some(("admin", "admin-password")),
        "scope=repository:strict/app:pull",
    )
    .await;
    let res = app
        .anon(Method::GET, path)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let anon_token = token_for(&app, None, "scope=repository:strict/app:pull").await;
    let res = app
        .anon(Method::GET, path)
        .bearer_auth(&anon_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .anon(Method::GET, "/v2/")
        .bearer_auth(&anon_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn in_token_only_mode_challenges_name_pulps_scopes_and_a_mount_needs_pull_on_its_source() {
    let mut app = TestApp::spawn().await;
    let layer = bytes(9, 128);
    app.push_image("mnt/src", "v1", std::slice::from_ref(&layer))
        .await;
    let digest = crate::common::oci::sha256(&layer);
    app.settings.registry_token_only = true;
    app.restart().await;
    let mount = format!("/v2/mnt/dest/blobs/uploads/?from=mnt/src&mount={digest}");
    // Pulp's challenge: `push` alone for the target, and `pull` on the mount's source.
    let res = app.request(Method::POST, &mount).send().await.unwrap();
    let h = bearer_challenge(&res);
    assert!(
        h.ends_with(",scope=\"repository:mnt/dest:push\",scope=\"repository:mnt/src:pull\""),
        "{h}"
    );
    let admin = Some(("admin", "admin-password"));
    // A token that may push the target but was not given pull on the source is refused.
    let push_only = token_for(&app, admin, "scope=repository:mnt/dest:push").await;
    let res = app
        .anon(Method::POST, &mount)
        .bearer_auth(&push_only)
        .send()
        .await
        .unwrap();
    let h = bearer_challenge(&res);
    assert!(h.contains("error=\"insufficient_scope\""), "{h}");
    // With both scopes the blob is mounted.
    let both = token_for(
        &app,
        admin,
        "scope=repository:mnt/dest:push&scope=repository:mnt/src:pull",
    )
    .await;
    let res = app
        .anon(Method::POST, &mount)
        .bearer_auth(&both)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["docker-content-digest"], digest.as_str());
    // A source that is not a repository name never reaches the challenge header: the
    // challenge names the target only, and with a token the handler answers 400 NAME_INVALID.
    let hostile = format!("/v2/mnt/dest/blobs/uploads/?from=a%0D%0Ab%22c&mount={digest}");
    let res = app.request(Method::POST, &hostile).send().await.unwrap();
    let h = bearer_challenge(&res);
    assert!(h.ends_with(",scope=\"repository:mnt/dest:push\""), "{h}");
    let res = app
        .anon(Method::POST, &hostile)
        .bearer_auth(&push_only)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(crate::common::error_code(res).await, "NAME_INVALID");
}
