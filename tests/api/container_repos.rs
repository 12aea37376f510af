//! Plain container repositories (`/pulp/api/v3/repositories/container/container/`): create
//! (201), list with Pulp's filters, read, update and partial update (tasks), delete (a task;
//! versions go, distributions stay without a repository), and the validation errors of each.
use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const REPOS: &str = "/pulp/api/v3/repositories/container/container/";
pub const DISTS: &str = "/pulp/api/v3/distributions/container/container/";

/// Creates plain repository `name` as the admin; returns it.
pub async fn create(app: &TestApp, name: &str) -> Value {
    let (s, v) = app
        .api(Method::POST, REPOS, Some(json!({"name": name})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

/// Creates distribution `base_path` serving `repository` (an href); returns its href.
pub async fn distribute(app: &TestApp, base_path: &str, repository: &str) -> String {
    let t = app
        .api_task(
            Method::POST,
            DISTS,
            Some(json!({"name": base_path, "base_path": base_path, "repository": repository})),
        )
        .await;
    t["created_resources"][0].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_plain_repository_is_created_listed_read_updated_and_deleted_as_in_pulp() {
    let app = TestApp::spawn().await;
    let (s, r) = app
        .api(
            Method::POST,
            REPOS,
            Some(
                json!({"name": "prod-app", "description": "what passed", "retain_repo_versions": 3,
                "pulp_labels": {"stage": "prod"}, "remote": null}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let href = r["pulp_href"].as_str().unwrap().to_string();
    assert!(href.starts_with(REPOS), "{href}");
    assert_eq!(r["name"], "prod-app");
    assert_eq!(r["description"], "what passed");
    assert_eq!(r["retain_repo_versions"], 3);
    assert_eq!(r["pulp_labels"], json!({"stage": "prod"}));
    assert_eq!(r["remote"], Value::Null);
    assert_eq!(r["versions_href"], format!("{href}versions/"));
    assert_eq!(r["latest_version_href"], format!("{href}versions/0/"));
    assert!(r["prn"]
        .as_str()
        .unwrap()
        .starts_with("prn:container.containerrepository:"));
    create(&app, "other").await;

    let listed = app.api_get(&format!("{REPOS}?name=prod-app")).await;
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["results"][0]["pulp_href"], href);
    let listed = app.api_get(&format!("{REPOS}?ordering=-name")).await;
    let names: Vec<&str> = listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["prod-app", "other"]);
    assert_eq!(
        app.api_get(&format!("{REPOS}?name__contains=rod")).await["count"],
        1
    );
    assert_eq!(
        app.api_get(&format!("{REPOS}?pulp_label_select=stage=prod"))
            .await["count"],
        1
    );
    let push = app
        .api_get("/pulp/api/v3/repositories/container/container-push/")
        .await;
    assert_eq!(
        push["count"], 0,
        "a plain repository is no push repository: {push}"
    );
    let (s, _) = app
        .api(Method::POST, REPOS, Some(json!({"name": "x"})))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = app.api(Method::GET, REPOS, None).await;
    assert_eq!((s, v["count"].as_i64()), (StatusCode::OK, Some(3)));

    let versions = app.api_get(&format!("{href}versions/")).await;
    assert_eq!(versions["count"], 1);
    assert_eq!(
        versions["results"][0]["pulp_href"],
        format!("{href}versions/0/")
    );
    assert_eq!(versions["results"][0]["repository"], href);

    app.api_task(
        Method::PATCH,
        &href,
        Some(json!({"description": "promoted"})),
    )
    .await;
    let r = app.api_get(&href).await;
    assert_eq!(r["description"], "promoted");
    assert_eq!(
        r["retain_repo_versions"], 3,
        "PATCH keeps what it does not name"
    );

    app.api_task(Method::PUT, &href, Some(json!({"name": "prod-app-2"})))
        .await;
    let r = app.api_get(&href).await;
    assert_eq!(r["name"], "prod-app-2");
    assert_eq!(
        r["description"],
        Value::Null,
        "PUT resets what it does not name"
    );
    assert_eq!(r["retain_repo_versions"], Value::Null);

    app.api_task(Method::DELETE, &href, None).await;
    let (s, _) = app.api(Method::GET, &href, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .api(Method::GET, &format!("{href}versions/0/"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn creating_or_updating_a_plain_repository_refuses_bad_input_with_pulps_field_errors() {
    let app = TestApp::spawn().await;
    app.push_image("dev/app", "1.0", &[b"layer".to_vec()]).await;
    let cases = [
        (json!({}), json!({"name": ["This field is required."]})),
        (
            json!({"name": ""}),
            json!({"name": ["This field may not be blank."]}),
        ),
        (json!({"name": 5}), json!({"name": ["Not a valid string."]})),
        (
            json!({"name": "a", "retain_repo_versions": 0}),
            json!({"retain_repo_versions": ["Ensure this value is greater than or equal to 1."]}),
        ),
        (
            json!({"name": "a", "remote": "/pulp/api/v3/remotes/container/container/1/"}),
            json!({"remote": ["berth has no remotes: only null is accepted."]}),
        ),
        (
            json!({"name": "a", "bogus": 1}),
            json!({"bogus": ["Unexpected field"]}),
        ),
        (
            json!({"name": "dev/app"}),
            json!({"name": ["This field must be unique."]}),
        ),
        (
            json!({"name": "a", "pulp_labels": {"k": 1}}),
            json!({"pulp_labels": ["Label values must be strings."]}),
        ),
    ];
    for (body, expected) in cases {
        let (s, v) = app.api(Method::POST, REPOS, Some(body.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(v, expected, "{body}");
    }
    for raw in ["[]", "{", "\"name\""] {
        let res = app
            .request(Method::POST, REPOS)
            .basic_auth("admin", Some("admin-password"))
            .header("Content-Type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{raw}");
    }
    let r = create(&app, "prod-app").await;
    let (s, v) = app
        .api(Method::POST, REPOS, Some(json!({"name": "prod-app"})))
        .await;
    assert_eq!(
        (s, v),
        (
            StatusCode::BAD_REQUEST,
            json!({"name": ["This field must be unique."]})
        )
    );
    let href = r["pulp_href"].as_str().unwrap();
    create(&app, "taken").await;
    let (s, v) = app
        .api(Method::PATCH, href, Some(json!({"name": "taken"})))
        .await;
    assert_eq!(
        (s, v),
        (
            StatusCode::BAD_REQUEST,
            json!({"name": ["This field must be unique."]})
        )
    );
    let (s, v) = app
        .api(Method::PUT, href, Some(json!({"description": "no name"})))
        .await;
    assert_eq!(
        (s, v),
        (
            StatusCode::BAD_REQUEST,
            json!({"name": ["This field is required."]})
        )
    );
    let (s, _) = app
        .api(Method::GET, &format!("{REPOS}?bogus_filter=1"), None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app
        .api(
            Method::GET,
            &format!("{REPOS}00000000-0000-0000-0000-000000000000/"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let push = app
        .api_one("/pulp/api/v3/repositories/container/container-push/?name=dev/app")
        .await;
    let push_id = push["pulp_href"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let (s, _) = app
        .api(Method::GET, &format!("{REPOS}{push_id}/"), None)
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a push repository is not a plain one"
    );
    let (s, _) = app
        .api(
            Method::GET,
            &format!(
                "/pulp/api/v3/repositories/container/container-push/{}",
                &href[REPOS.len()..]
            ),
            None,
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a plain repository is not a push one"
    );
}

#[tokio::test]
async fn deleting_a_plain_repository_removes_its_versions_and_leaves_its_distribution_empty() {
    let app = TestApp::spawn().await;
    let (_, digest) = app
        .push_image("dev/app", "1.0", &[b"layer-del".to_vec()])
        .await;
    let r = create(&app, "prod-app").await;
    let href = r["pulp_href"].as_str().unwrap();
    let push = app
        .api_one("/pulp/api/v3/repositories/container/container-push/?name=dev/app")
        .await;
    app.api_task(
        Method::POST,
        &format!("{href}copy_tags/"),
        Some(json!({"source_repository": push["pulp_href"]})),
    )
    .await;
    let dist = distribute(&app, "prod/app", href).await;
    let res = app
        .get(&format!("/v2/prod/app/manifests/{digest}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    app.api_task(Method::DELETE, href, None).await;
    let d = app.api_get(&dist).await;
    assert_eq!(d["repository"], Value::Null, "{d}");
    let res = app.get("/v2/prod/app/tags/list").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let listed = app
        .api_get(&format!(
            "/pulp/api/v3/repository_versions/?pulp_href__in={href}versions/1/"
        ))
        .await;
    assert_eq!(listed["count"], 0);
    let res = app.get("/v2/dev/app/manifests/1.0").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the source stays");
}

#[tokio::test]
async fn deleting_a_namespace_keeps_a_plain_repository_its_distribution_served() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "1.0", &[b"pushed".to_vec()])
        .await;
    let r = create(&app, "kept").await;
    let href = r["pulp_href"].as_str().unwrap().to_string();
    distribute(&app, "team/kept", &href).await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=team")
        .await;
    app.api_task(Method::DELETE, ns["pulp_href"].as_str().unwrap(), None)
        .await;

    let (s, v) = app.api(Method::GET, &href, None).await;
    assert_eq!(s, StatusCode::OK, "the plain repository stays: {v}");
    let (s, _) = app
        .api(Method::GET, &format!("{href}versions/0/"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let dists = app
        .api_get(&format!("{DISTS}?base_path__contains=team/"))
        .await;
    assert_eq!(
        dists["count"], 0,
        "the namespace's distributions go: {dists}"
    );
    let push = app
        .api_get("/pulp/api/v3/repositories/container/container-push/?name=team/app")
        .await;
    assert_eq!(push["count"], 0, "its push repository goes: {push}");
}
