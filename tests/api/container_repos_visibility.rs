//! What a role on a plain container repository lets its holder list outside the repository's
//! own endpoints, as Pulp's content and version viewsets do: a viewer of the repository sees
//! its content (`/content/container/…/`) and its versions (`/repository_versions/`); a user
//! without a role sees neither.
use crate::common::TestApp;
use crate::container_repos::create;
use crate::container_repos_content::push_href;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_viewer_of_a_plain_repository_lists_its_content_and_versions_and_an_outsider_none() {
    let app = TestApp::spawn().await;
    app.push_image("secret/app", "1.0", &[b"private layer".to_vec()])
        .await;
    // The pushed-to distribution goes private: only the promoted copy can make it visible.
    app.make_private("secret/app").await;
    let source = push_href(&app, "secret/app").await;
    let promoted = create(&app, "promoted").await;
    let href = promoted["pulp_href"].as_str().unwrap().to_string();
    app.api_task(
        Method::POST,
        &format!("{href}copy_tags/"),
        Some(json!({"source_repository": source, "names": ["1.0"]})),
    )
    .await;
    for u in ["viewer", "outsider"] {
        app.create_user(u, &format!("pw-{u}")).await;
    }
    app.grant_role(
        "viewer",
        "container.containerrepository_viewer",
        Some(&href),
    )
    .await;

    let count = |user: &'static str, path: String| {
        let app = &app;
        async move {
            let (s, v) = app.call_as(user, Method::GET, &path, None).await;
            assert_eq!(s, StatusCode::OK, "{user} {path}: {v}");
            v["count"].as_i64().unwrap()
        }
    };
    let content = |kind: &str| format!("/pulp/api/v3/content/container/{kind}/");
    let versions = "/pulp/api/v3/repository_versions/".to_string();
    assert_eq!(count("viewer", content("tags")).await, 1);
    assert_eq!(count("viewer", content("manifests")).await, 1);
    assert_eq!(
        count("viewer", content("blobs")).await,
        2,
        "config and layer"
    );
    assert_eq!(
        count("viewer", versions.clone()).await,
        2,
        "versions 0 and 1"
    );
    for kind in ["tags", "manifests", "blobs"] {
        assert_eq!(count("outsider", content(kind)).await, 0, "outsider {kind}");
    }
    assert_eq!(count("outsider", versions).await, 0);
    // The viewer's two versions are the plain repository's: the private push repository's
    // stay hidden from them.
    let (_, v) = app
        .call_as(
            "viewer",
            Method::GET,
            "/pulp/api/v3/repository_versions/",
            None,
        )
        .await;
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["repository"] == json!(href)),
        "{v}"
    );
}
