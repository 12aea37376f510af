//! Who may do what with plain container repositories, by Pulp's statements for
//! `ContainerRepositoryViewSet`: anonymous callers get 401; creating needs
//! `add_containerrepository` (the creator becomes the repository's owner); a user without a
//! view permission does not see the repository (404) and lists none; a viewer reads but may
//! not change (403); a content manager changes content but may not delete the repository.
use crate::common::TestApp;
use crate::container_repos::REPOS;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn plain_repositories_follow_pulps_access_statements() {
    let app = TestApp::spawn().await;
    for u in ["creator", "viewer", "manager", "outsider"] {
        app.create_user(u, &format!("pw-{u}")).await;
    }
    app.grant_role("creator", "container.containerrepository_creator", None)
        .await;

    let (s, _) = app.call_as("", Method::GET, REPOS, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .call_as("", Method::POST, REPOS, Some(json!({"name": "anon"})))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .call_as(
            "outsider",
            Method::POST,
            REPOS,
            Some(json!({"name": "nope"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, r) = app
        .call_as(
            "creator",
            Method::POST,
            REPOS,
            Some(json!({"name": "team"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let href = r["pulp_href"].as_str().unwrap().to_string();
    let (s, v) = app.call_as("creator", Method::GET, &href, None).await;
    assert_eq!(s, StatusCode::OK, "the creator owns it: {v}");
    let (_, v) = app.call_as("creator", Method::GET, REPOS, None).await;
    assert_eq!(v["count"], 1);
    let (s, v) = app
        .call_as(
            "creator",
            Method::GET,
            &format!("{href}my_permissions/"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("container.delete_containerrepository")));
    let (s, roles) = app
        .call_as("creator", Method::GET, &format!("{href}list_roles/"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        roles["roles"][0]["role"],
        "container.containerrepository_owner"
    );
    assert_eq!(roles["roles"][0]["users"], json!(["creator"]));

    // Owner hands out roles on the object through the API.
    for (user, role) in [
        ("viewer", "container.containerrepository_viewer"),
        ("manager", "container.containerrepository_content_manager"),
    ] {
        let (s, v) = app
            .call_as(
                "creator",
                Method::POST,
                &format!("{href}add_role/"),
                Some(json!({"role": role, "users": [user]})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }

    let unseen = [
        (Method::GET, href.clone(), None),
        (
            Method::PATCH,
            href.clone(),
            Some(json!({"description": "x"})),
        ),
        (Method::DELETE, href.clone(), None),
        (Method::GET, format!("{href}versions/"), None),
        (Method::GET, format!("{href}versions/0/"), None),
        (
            Method::POST,
            format!("{href}add/"),
            Some(json!({"content_units": []})),
        ),
        (
            Method::POST,
            format!("{href}untag/"),
            Some(json!({"tag": "a"})),
        ),
    ];
    for (m, path, body) in unseen {
        let (s, _) = app.call_as("outsider", m.clone(), &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "outsider {m} {path}");
    }
    let (_, v) = app.call_as("outsider", Method::GET, REPOS, None).await;
    assert_eq!(v["count"], 0);

    let (s, _) = app.call_as("viewer", Method::GET, &href, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .call_as("viewer", Method::GET, &format!("{href}versions/0/"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = app.call_as("viewer", Method::GET, REPOS, None).await;
    assert_eq!(v["count"], 1);
    for (m, path, body) in [
        (
            Method::PATCH,
            href.clone(),
            Some(json!({"description": "x"})),
        ),
        (Method::DELETE, href.clone(), None),
        (
            Method::POST,
            format!("{href}add/"),
            Some(json!({"content_units": []})),
        ),
        (Method::GET, format!("{href}list_roles/"), None),
    ] {
        let (s, _) = app.call_as("viewer", m.clone(), &path, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "viewer {m} {path}");
    }

    let (s, v) = app
        .call_as(
            "manager",
            Method::POST,
            &format!("{href}add/"),
            Some(json!({"content_units": []})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    app.task_done(v["task"].as_str().unwrap()).await;
    let (s, _) = app.call_as("manager", Method::DELETE, &href, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .call_as(
            "manager",
            Method::PATCH,
            &href,
            Some(json!({"description": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, v) = app.call_as("creator", Method::DELETE, &href, None).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let t = app.task_done(v["task"].as_str().unwrap()).await;
    assert_eq!(t["state"], "completed", "{t}");
}
