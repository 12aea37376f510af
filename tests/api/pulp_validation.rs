//! Validation and error bodies of the management API.
use crate::common::oci::sha256;
use crate::common::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn unknown_filters_fields_and_methods_get_pulp_error_bodies() {
    let app = TestApp::spawn().await;
    let (s, v) = app
        .api(
            Method::GET,
            "/pulp/api/v3/pulp_container/namespaces/?bogus=1",
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(v, json!({"errors": ["Invalid Filter: 'bogus'"]}));
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/pulp_container/namespaces/",
            Some(json!({"name": "ok", "extra": 1})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(v, json!({"extra": ["Unexpected field"]}));
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/repositories/container/container-push/",
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 405);
    assert_eq!(v, json!({"detail": "Method \"POST\" not allowed."}));
    let res = app
        .request(
            Method::TRACE,
            "/pulp/api/v3/distributions/container/container/0190f3c1-6d2b-7c4e-9a7e-3c2f1a0b9d8e/",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "DELETE, GET, PATCH, PUT");
    let (s, v) = app
        .api(
            Method::GET,
            &format!(
                "/pulp/api/v3/pulp_container/namespaces/{}/",
                uuid::Uuid::now_v7()
            ),
            None,
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(v, json!({"detail": "Not found."}));
}

#[tokio::test]
async fn namespaces_are_created_once_and_anonymous_callers_get_401() {
    let app = TestApp::spawn().await;
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/pulp_container/namespaces/",
            Some(json!({"name": "team", "pulp_labels": {"a": "b"}})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["pulp_labels"], json!({"a": "b"}));
    assert!(v["pulp_created"].as_str().unwrap().ends_with('Z'));
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/pulp_container/namespaces/",
            Some(json!({"name": "team"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(v, json!({"name": ["This field must be unique."]}));
    let (s, _) = app
        .api(
            Method::POST,
            "/pulp/api/v3/pulp_container/namespaces/",
            Some(json!({"name": "Bad Name"})),
        )
        .await;
    assert_eq!(s, 400);
    let res = app
        .get("/pulp/api/v3/pulp_container/namespaces/")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Basic realm=\"api\"");
    assert_eq!(res.headers()["content-type"], "application/json");
    let res = app
        .get("/pulp/api/v3/status/")
        .header("Correlation-ID", "abc123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["correlation-id"], "abc123");
    let status: serde_json::Value = res.json().await.unwrap();
    assert_eq!(status["database_connection"]["connected"], true);
    assert!(status["versions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["component"] == "container"));
    // pulpcore-client's AppStatusResponse: versions is a {component: version} map.
    assert_eq!(
        status["online_api_apps"][0]["versions"]["container"],
        status["versions"][1]["version"]
    );
}

#[tokio::test]
async fn push_repository_actions_validate_like_pulp() {
    let app = TestApp::spawn().await;
    app.push_image("val/app", "v1", &[b"x".to_vec()]).await;
    let repo = app
        .api_one("/pulp/api/v3/repositories/container/container-push/?name=val/app")
        .await;
    let href = repo["pulp_href"].as_str().unwrap();
    let missing = sha256(b"not a manifest");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}remove_image/"),
            Some(json!({"digest": missing})),
        )
        .await;
    assert_eq!(s, 400);
    let msg = v["non_field_errors"][0].as_str().unwrap();
    assert!(msg.starts_with(&format!("A manifest with the digest '{missing}' does not exist in the latest repository version")), "{msg}");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}remove_image/"),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v),
        (400, json!({"digest": ["This field is required."]}))
    );
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}tag/"),
            Some(json!({"tag": ".bad", "digest": missing})),
        )
        .await;
    assert_eq!(s, 400);
    assert!(v["tag"][0]
        .as_str()
        .unwrap()
        .starts_with("The provided tag is not valid."));
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}untag/"),
            Some(json!({"tag": "nope"})),
        )
        .await;
    assert_eq!(s, 400);
    assert!(v["non_field_errors"][0]
        .as_str()
        .unwrap()
        .starts_with("The tag 'nope' does not exist"));
    let (s, v) = app
        .api(
            Method::PATCH,
            href,
            Some(json!({"retain_repo_versions": 0})),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = app
        .api(Method::PATCH, href, Some(json!({"description": null})))
        .await;
    assert_eq!(s, 200, "nothing changes: 200 with the object: {v}");
    assert_eq!(v["pulp_href"], repo["pulp_href"]);
}

#[tokio::test]
async fn distributions_validate_base_paths_and_create_through_tasks() {
    let app = TestApp::spawn().await;
    let path = "/pulp/api/v3/distributions/container/container/";
    let (s, v) = app
        .api(
            Method::POST,
            path,
            Some(json!({"name": "d1", "base_path": "Bad/Path"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        v["base_path"],
        json!(["The provided base path contains forbidden characters."])
    );
    let (s, v) = app
        .api(Method::POST, path, Some(json!({"name": "d1"})))
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["base_path"], json!(["This field is required."]));
    let t = app
        .api_task(
            Method::POST,
            path,
            Some(json!({"name": "d1", "base_path": "newns/thing", "private": true})),
        )
        .await;
    let href = t["created_resources"][0].as_str().unwrap().to_string();
    let d = app.api_get(&href).await;
    assert_eq!(d["private"], true);
    assert_eq!(d["repository"], serde_json::Value::Null);
    app.api_one("/pulp/api/v3/pulp_container/namespaces/?name=newns")
        .await;
    let (s, v) = app
        .api(Method::PATCH, &href, Some(json!({"private": true})))
        .await;
    assert_eq!(s, 200, "unchanged → 200: {v}");
    let (s, v) = app
        .api(Method::PATCH, &href, Some(json!({"description": "hello"})))
        .await;
    assert_eq!(s, 202, "{v}");
    app.task_done(v["task"].as_str().unwrap()).await;
    assert_eq!(app.api_get(&href).await["description"], "hello");
    let (s, v) = app
        .api(
            Method::POST,
            path,
            Some(json!({"name": "d1", "base_path": "newns/other"})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["name"].clone()),
        (400, json!(["This field must be unique."]))
    );
}

#[tokio::test]
async fn orphan_cleanup_is_for_superusers_only_and_validates_its_body() {
    let app = TestApp::spawn().await;
    app.create_user("alice", "alice-password").await;
    let res = app
        .post("/pulp/api/v3/orphans/cleanup/")
        .basic_auth("alice", Some("alice-password"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/orphans/cleanup/",
            Some(json!({"content_hrefs": []})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v),
        (400, json!({"content_hrefs": ["Must not be []."]}))
    );
    let (s, _) = app
        .api(
            Method::POST,
            "/pulp/api/v3/orphans/cleanup/",
            Some(json!({"orphan_protection_time": -1})),
        )
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn nul_characters_in_filters_and_bodies_are_refused_with_400_on_every_database() {
    let app = TestApp::spawn().await;
    for path in [
        "/pulp/api/v3/distributions/container/container/?name__startswith=a%00b",
        "/pulp/api/v3/tasks/?exclusive_resources__in=x,%00",
        "/pulp/api/v3/pulp_container/namespaces/?name=%00",
    ] {
        let (s, v) = app.api(Method::GET, path, None).await;
        assert_eq!(s, 400, "{path}: {v}");
        assert!(
            v.to_string().contains("Null characters are not allowed."),
            "{v}"
        );
    }
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/pulp_container/namespaces/",
            Some(json!({"name": "a\u{0}b"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(v, json!({"name": ["Null characters are not allowed."]}));
    let (s, _) = app
        .api(
            Method::POST,
            "/pulp/api/v3/distributions/container/container/",
            Some(json!({"name": "d", "base_path": "d", "pulp_labels": {"k": "\u{0}"}})),
        )
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn huge_orphan_ages_saturate_instead_of_failing_on_every_database() {
    let app = TestApp::spawn().await;
    app.push_image("age/app", "v1", &[b"age".to_vec()]).await;
    for kind in ["blobs", "manifests", "tags"] {
        let v = app
            .api_get(&format!(
                "/pulp/api/v3/content/container/{kind}/?orphaned_for=7106200130"
            ))
            .await;
        assert_eq!(v["count"], 0, "{kind}: {v}");
    }
    let t = app
        .api_task(
            Method::POST,
            "/pulp/api/v3/orphans/cleanup/",
            Some(json!({"orphan_protection_time": 4_294_967_295_u64})),
        )
        .await;
    assert_eq!(t["state"], "completed");
}
