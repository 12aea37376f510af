//! The token service and Bearer tokens on `/v2/`: what `/token/` grants to whom, the JWT it
//! signs, the challenges `/v2/` sends, and the tokens it refuses.
use crate::common::oci::bytes;
use crate::common::TestApp;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn token(app: &TestApp, creds: Option<(&str, &str)>, query: &str) -> (StatusCode, Value) {
    let mut r = app.anon(Method::GET, &format!("/token/?{query}"));
    if let Some((u, p)) = creds {
        r = r.basic_auth(u, Some(p));
    }
    let res = r.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn host(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

#[tokio::test]
async fn the_token_service_needs_a_service_name_and_refuses_bad_credentials() {
    let app = TestApp::spawn().await;
    let (s, v) = token(&app, None, "scope=repository:a/b:pull").await;
    assert_eq!(
        (s, v),
        (
            StatusCode::BAD_REQUEST,
            json!({"detail": "No service name provided."})
        )
    );
    let (s, _) = token(&app, Some(("admin", "wrong")), "service=x").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_carry_every_claim_and_grant_only_what_the_caller_may_do() {
    let app = TestApp::spawn().await;
    app.push_image("pub/app", "v1", &[bytes(1, 100)]).await;
    let (s, v) = token(&app, None, "service=reg&scope=repository:pub/app:pull,push").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["token"], v["access_token"]);
    assert_eq!(v["expires_in"], 300);
    let c = claims(v["token"].as_str().unwrap());
    assert_eq!(c["sub"], "");
    assert_eq!(c["aud"], "reg");
    assert_eq!(c["iss"], "berth");
    assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 300);
    assert_eq!(c["nbf"], c["iat"]);
    assert!(c["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert_eq!(
        c["access"],
        json!([{"type": "repository", "name": "pub/app", "actions": ["pull"]}]),
        "anonymous: pull only"
    );

    let q = "service=reg&scope=repository:new/thing:pull,push&scope=registry:catalog:*";
    let (_, v) = token(&app, Some(("admin", "admin-password")), q).await;
    let c = claims(v["token"].as_str().unwrap());
    assert_eq!(c["sub"], "admin");
    assert_eq!(
        c["access"],
        json!([
            {"type": "repository", "name": "new/thing", "actions": ["pull", "push"]},
            {"type": "registry", "name": "catalog", "actions": ["*"]},
        ])
    );
    let (_, v) = token(&app, None, "service=reg&scope=registry:catalog:*").await;
    assert_eq!(
        claims(v["token"].as_str().unwrap())["access"][0]["actions"],
        json!([]),
        "anonymous: no catalog"
    );
    let (_, v) = token(
        &app,
        None,
        "service=reg&scope=repository:pub/app:pull&scope=garbage",
    )
    .await;
    assert_eq!(
        claims(v["token"].as_str().unwrap())["access"],
        json!([]),
        "a malformed scope voids the grant"
    );
    app.create_user("mallory", "pw-mallory").await;
    let (_, v) = token(
        &app,
        Some(("mallory", "pw-mallory")),
        "service=reg&scope=repository:pub/app:pull,push",
    )
    .await;
    assert_eq!(
        claims(v["token"].as_str().unwrap())["access"][0]["actions"],
        json!(["pull"])
    );
}

#[tokio::test]
async fn v2_challenges_with_the_scope_to_ask_for() {
    let app = TestApp::spawn().await;
    let res = app
        .anon(Method::POST, "/v2/ns/app/blobs/uploads/")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let h = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    let host = host(&app);
    assert_eq!(h, format!("Bearer realm=\"http://{host}/token/\",service=\"{host}\",scope=\"repository:ns/app:pull,push\""));
    let res = app.anon(Method::GET, "/v2/").send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.headers()["www-authenticate"].to_str().unwrap(),
        format!("Bearer realm=\"http://{host}/token/\",service=\"{host}\"")
    );
}

#[tokio::test]
async fn a_bearer_token_opens_exactly_its_scopes_on_v2() {
    let app = TestApp::spawn().await;
    let host = host(&app);
    let get = |q: String| {
        let app = &app;
        async move {
            token(app, Some(("admin", "admin-password")), &q).await.1["token"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let push = get(format!("service={host}&scope=repository:ns/app:pull,push")).await;
    let res = app
        .anon(Method::POST, "/v2/ns/app/blobs/uploads/")
        .bearer_auth(&push)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let pull_only = get(format!("service={host}&scope=repository:ns/app:pull")).await;
    let res = app
        .anon(Method::POST, "/v2/ns/app/blobs/uploads/")
        .bearer_auth(&pull_only)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .ends_with(",error=\"insufficient_scope\""));
    let res = app
        .anon(Method::GET, "/v2/ns/other/tags/list")
        .bearer_auth(&push)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "another repository is not in the token");
    let wrong_aud = get("service=elsewhere&scope=repository:ns/app:pull,push".into()).await;
    let res = app
        .anon(Method::POST, "/v2/ns/app/blobs/uploads/")
        .bearer_auth(&wrong_aud)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .ends_with(",error=\"invalid_token\""));
    let mut tampered = push.clone();
    tampered.insert(tampered.len() / 2, 'x');
    let res = app
        .anon(Method::GET, "/v2/")
        .bearer_auth(&tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .anon(Method::GET, "/v2/")
        .bearer_auth(&push)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn every_replica_signs_with_the_same_stored_key() {
    let mut app = TestApp::spawn().await;
    let host = host(&app);
    let q = format!("service={host}&scope=repository:ns/app:pull,push");
    let jwt = token(&app, Some(("admin", "admin-password")), &q).await.1["token"]
        .as_str()
        .unwrap()
        .to_string();
    app.restart().await;
    let host2 = app.base.trim_start_matches("http://").to_string();
    let q2 = format!("service={host2}&scope=repository:ns/app:pull,push");
    let jwt2 = token(&app, Some(("admin", "admin-password")), &q2).await.1["token"]
        .as_str()
        .unwrap()
        .to_string();
    let kid = |j: &str| {
        let h = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(j.split('.').next().unwrap())
            .unwrap();
        serde_json::from_slice::<Value>(&h).unwrap()["kid"].clone()
    };
    assert_eq!(kid(&jwt), kid(&jwt2), "the key survived the restart");
    let res = app
        .anon(Method::POST, "/v2/ns/app/blobs/uploads/")
        .bearer_auth(&jwt2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
}
