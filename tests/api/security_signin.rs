//! Sign-in hardening (issue 11 §2): password verifications are bounded so a flood of wrong
//! passwords cannot exhaust memory, failed sign-ins are throttled per user and per client
//! address with 429 and `Retry-After`, and correct credentials keep working.
use crate::common::pulp::ADMIN;
use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::Value;

async fn api_as(app: &TestApp, user: &str, pw: &str) -> reqwest::Response {
    app.anon(Method::GET, "/pulp/api/v3/users/")
        .basic_auth(user, Some(pw))
        .send()
        .await
        .unwrap()
}

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header in seconds")
}

#[tokio::test]
async fn many_parallel_wrong_passwords_get_401_or_429_and_the_server_still_answers() {
    let app = TestApp::spawn().await;
    let mut calls = vec![];
    for i in 0..120 {
        let r = app
            .anon(Method::GET, "/pulp/api/v3/users/")
            .basic_auth(ADMIN.0, Some(format!("wrong-{i}")));
        calls.push(tokio::spawn(
            async move { r.send().await.unwrap().status() },
        ));
    }
    let mut refused = 0;
    for c in calls {
        let s = c.await.unwrap();
        assert!(s == 401 || s == 429, "{s}");
        if s == 429 {
            refused += 1;
        }
    }
    assert!(refused > 0, "a flood is refused, not all verified");
    let res = app
        .anon(Method::GET, "/pulp/api/v3/status/")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.create_user("other", "pw-other").await;
    assert_eq!(api_as(&app, "other", "pw-other").await.status(), 403);
}

#[tokio::test]
async fn a_user_is_throttled_after_repeated_failures_with_a_clear_429_everywhere() {
    let app = TestApp::spawn().await;
    app.create_user("bob", "pw-bob").await;
    for _ in 0..10 {
        assert_eq!(api_as(&app, "bob", "nope").await.status(), 401);
    }
    let res = api_as(&app, "bob", "nope").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&res) >= 1);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("too many failed sign-in attempts"),
        "{body}"
    );
    // Even the right password waits while the account is locked (it was never verified here).
    assert_eq!(api_as(&app, "bob", "pw-bob").await.status(), 429);
    // Basic on /v2/ and on /token/.
    let res = app
        .anon(Method::GET, "/v2/")
        .basic_auth("bob", Some("pw-bob"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(retry_after(&res) >= 1);
    assert_eq!(crate::common::error_code(res).await, "TOOMANYREQUESTS");
    let res = app
        .anon(Method::GET, "/token/?service=x")
        .basic_auth("bob", Some("pw-bob"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(retry_after(&res) >= 1);
    assert_eq!(crate::common::error_code(res).await, "TOOMANYREQUESTS");
    // Other users are not affected.
    assert_eq!(api_as(&app, ADMIN.0, ADMIN.1).await.status(), 200);
}

#[tokio::test]
async fn a_successful_sign_in_resets_the_users_failures() {
    let app = TestApp::spawn().await;
    app.create_user("carol", "pw-carol").await;
    for _ in 0..9 {
        assert_eq!(api_as(&app, "carol", "nope").await.status(), 401);
    }
    assert_eq!(api_as(&app, "carol", "pw-carol").await.status(), 403);
    for _ in 0..9 {
        assert_eq!(api_as(&app, "carol", "nope").await.status(), 401);
    }
}

#[tokio::test]
async fn a_verified_login_is_not_locked_out_by_someone_elses_guesses() {
    let app = TestApp::spawn().await;
    app.create_user("dave", "pw-dave").await;
    assert_eq!(api_as(&app, "dave", "pw-dave").await.status(), 403);
    for _ in 0..11 {
        api_as(&app, "dave", "guess").await;
    }
    assert_eq!(api_as(&app, "dave", "guess").await.status(), 429);
    // The cached verification of the right password still passes.
    assert_eq!(api_as(&app, "dave", "pw-dave").await.status(), 403);
}

#[tokio::test]
async fn one_client_address_is_throttled_whatever_user_names_it_tries() {
    let app = TestApp::spawn().await;
    for i in 0..50 {
        let s = api_as(&app, &format!("nobody-{i}"), "x").await.status();
        assert_eq!(s, 401, "attempt {i}");
    }
    let res = api_as(&app, "nobody-else", "x").await;
    assert_eq!(res.status(), 429);
    assert!(retry_after(&res) >= 1);
}
