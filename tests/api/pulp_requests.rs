//! Request bodies of the management API: which problem is reported first when a body has
//! several (the order Pulp's checks run in), and that a refused caller's body is still read.
use crate::common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

const NS: &str = "/pulp/api/v3/pulp_container/namespaces/";
const DIST: &str = "/pulp/api/v3/distributions/container/container/";

#[tokio::test]
async fn permission_comes_before_what_is_wrong_with_a_namespace_body() {
    let app = TestApp::spawn().await;
    app.create_user("carol", "pw-carol").await;
    for body in [
        json!({}),
        json!({"name": 5}),
        json!({"name": "x", "pulp_labels": 1}),
    ] {
        let (s, v) = app.call_as("carol", Method::POST, NS, Some(body)).await;
        assert_eq!(s, 403, "{v}");
    }
    // Her own name she may take; then the body's problems are reported.
    let (s, v) = app
        .call_as(
            "carol",
            Method::POST,
            NS,
            Some(json!({"name": "carol", "pulp_labels": 1})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(v, json!({"pulp_labels": ["Label values must be strings."]}));
}

#[tokio::test]
async fn distribution_bodies_report_their_problems_in_pulps_order() {
    let app = TestApp::spawn().await;
    let cases: [(Value, Value); 4] = [
        // Collected problems, the wrong reference type among them.
        (
            json!({"name": "", "base_path": "team/d", "repository": 7}),
            json!({"name": ["This field may not be blank."],
                   "repository": ["Incorrect type. Expected URL string."]}),
        ),
        // A wrongly typed later field is reported alone, after the collected checks.
        (
            json!({"name": "d", "base_path": "team/d", "pulp_labels": 5, "private": "x"}),
            json!({"pulp_labels": ["Label values must be strings."]}),
        ),
        (
            json!({"name": "d", "base_path": "team/d", "hidden": 1, "description": 5}),
            json!({"description": ["Not a valid string."]}),
        ),
        (
            json!({"name": 5, "base_path": "x", "hidden": 1}),
            json!({"name": ["Not a valid string."]}),
        ),
    ];
    for (body, want) in cases {
        let (s, v) = app.api(Method::POST, DIST, Some(body.clone())).await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(v, want, "{body}");
    }
}

#[tokio::test]
async fn user_bodies_report_every_problem_at_once() {
    let app = TestApp::spawn().await;
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/users/",
            Some(json!({"username": 5, "email": "bad", "is_staff": "x", "password": "123"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        v,
        json!({
            "username": ["Not a valid string."],
            "email": ["Enter a valid email address."],
            "is_staff": ["Must be a valid boolean."],
            "password": ["This password is too short. It must contain at least 8 characters.",
                         "This password is entirely numeric."],
        })
    );
}

#[tokio::test]
async fn an_anonymous_body_is_read_before_the_401() {
    let app = TestApp::spawn().await;
    let res = app
        .anon(Method::POST, NS)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers().contains_key("www-authenticate"));
    // The body was consumed, so the connection stays usable (no early-answer close).
    assert!(res.headers().get("connection").is_none_or(|c| c != "close"));
}
