//! Changing what a plain container repository holds: `add`/`remove` by content href and
//! `tag`/`untag` each make one new version; orphan cleanup keeps what only a plain repository
//! holds; the web UI lists plain repositories and untags and restores them for who may change
//! their content (as the API's `remove`), read-only for viewers.
use crate::common::oci::sha256;
use crate::common::TestApp;
use crate::container_repos::{create, distribute};
use crate::container_repos_content::{created, present, push_href, tag_names};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn add_remove_tag_and_untag_each_make_one_new_version() {
    let app = TestApp::spawn().await;
    let (_, d) = app
        .push_image("dev/app", "1.0", &[b"l1".to_vec(), b"l2".to_vec()])
        .await;
    let tag = app
        .api_one("/pulp/api/v3/content/container/tags/?name=1.0")
        .await;
    let manifest = app
        .api_one(&format!(
            "/pulp/api/v3/content/container/manifests/?digest={d}"
        ))
        .await;
    let r = create(&app, "prod-app").await;
    let href = r["pulp_href"].as_str().unwrap();

    let t = app
        .api_task(
            Method::POST,
            &format!("{href}add/"),
            Some(json!({"content_units": [tag["pulp_href"]]})),
        )
        .await;
    assert_eq!(
        present(&app, &created(&t)).await,
        (1, 1, 3),
        "a tag brings its image"
    );

    let t = app
        .api_task(
            Method::POST,
            &format!("{href}tag/"),
            Some(json!({"tag": "stable", "digest": d})),
        )
        .await;
    let v2 = created(&t);
    assert_eq!(tag_names(&app, &v2).await, ["1.0", "stable"]);
    let t = app
        .api_task(
            Method::POST,
            &format!("{href}untag/"),
            Some(json!({"tag": "1.0"})),
        )
        .await;
    let v3 = created(&t);
    assert_eq!(v3, format!("{href}versions/3/"));
    assert_eq!(tag_names(&app, &v3).await, ["stable"]);
    assert_eq!(present(&app, &v3).await, (1, 1, 3), "untag keeps the image");

    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}tag/"),
            Some(json!({"tag": "x", "digest": "sha256:00"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}untag/"),
            Some(json!({"tag": "missing"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}tag/"),
            Some(json!({"tag": "-bad", "digest": d})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    let t = app
        .api_task(
            Method::POST,
            &format!("{href}remove/"),
            Some(json!({"content_units": [manifest["pulp_href"]]})),
        )
        .await;
    assert_eq!(
        present(&app, &created(&t)).await,
        (0, 0, 0),
        "the image, its tags and blobs go"
    );
    app.api_task(
        Method::POST,
        &format!("{href}add/"),
        Some(json!({"content_units": [manifest["pulp_href"]]})),
    )
    .await;
    let t = app
        .api_task(
            Method::POST,
            &format!("{href}remove/"),
            Some(json!({"content_units": ["*"]})),
        )
        .await;
    assert_eq!(present(&app, &created(&t)).await, (0, 0, 0));

    let missing = "/pulp/api/v3/content/container/tags/00000000-0000-0000-0000-000000000000/";
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}add/"),
            Some(json!({"content_units": [missing]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        v,
        json!({"non_field_errors": [format!("Could not find the following content units: ['{missing}']")]})
    );
    for body in [
        json!({"content_units": "x"}),
        json!({"content_units": [1]}),
        json!({"units": []}),
    ] {
        let (s, v) = app
            .api(Method::POST, &format!("{href}add/"), Some(body.clone()))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
    }
    let versions = app.api_get(&format!("{href}versions/")).await;
    assert_eq!(versions["count"], 7, "0 to 6: {versions}");
    let (s, _) = app.api(Method::DELETE, &v2, None).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "versions are kept, as for push repositories"
    );
}

#[tokio::test]
async fn orphan_cleanup_keeps_content_only_a_plain_repository_holds() {
    let app = TestApp::spawn().await;
    let (_, d) = app
        .push_image("dev/app", "1.0", &[b"kept-by-prod".to_vec()])
        .await;
    let source = push_href(&app, "dev/app").await;
    // The push repository keeps no history, so once the image leaves it only the plain
    // repository holds it.
    app.api_task(
        Method::PATCH,
        &source,
        Some(json!({"retain_repo_versions": 1})),
    )
    .await;
    let r = create(&app, "prod-app").await;
    let href = r["pulp_href"].as_str().unwrap();
    app.api_task(
        Method::POST,
        &format!("{href}copy_tags/"),
        Some(json!({"source_repository": source})),
    )
    .await;
    app.api_task(
        Method::POST,
        &format!("{source}remove_image/"),
        Some(json!({"digest": d})),
    )
    .await;
    distribute(&app, "prod/app", href).await;

    crate::reclaim_delete::cleanup(&app, 0).await;
    let layer = sha256(b"kept-by-prod");
    let res = app
        .get(&format!("/v2/prod/app/blobs/{layer}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the plain repository still holds it"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"kept-by-prod");
    let res = app.get("/v2/prod/app/manifests/1.0").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    app.api_task(
        Method::POST,
        &format!("{href}remove/"),
        Some(json!({"content_units": ["*"]})),
    )
    .await;
    app.api_task(Method::DELETE, href, None).await;
    crate::reclaim_delete::cleanup(&app, 0).await;
    let blobs = app
        .api_get(&format!(
            "/pulp/api/v3/content/container/blobs/?digest={layer}"
        ))
        .await;
    assert_eq!(blobs["count"], 0, "orphaned once no repository holds it");
}

#[tokio::test]
async fn the_ui_untags_and_restores_a_plain_repository_for_who_may_modify_it_and_no_one_else() {
    let app = TestApp::spawn().await;
    app.push_image("dev/app", "1.0", &[b"ui-layer".to_vec()])
        .await;
    app.push_image("dev/app", "1.1", &[b"ui-layer-2".to_vec()])
        .await;
    let source = push_href(&app, "dev/app").await;
    let r = create(&app, "prod-app").await;
    let href = r["pulp_href"].as_str().unwrap();
    app.api_task(
        Method::POST,
        &format!("{href}copy_tags/"),
        Some(json!({"source_repository": source})),
    )
    .await;
    let id = href.trim_end_matches('/').rsplit('/').next().unwrap();
    app.create_user("viewer", "pw-viewer").await;
    app.grant_role("viewer", "container.containerrepository_viewer", Some(href))
        .await;

    // A viewer sees the repository, its tags and versions, and no action.
    let viewer = crate::common::ui::Browser::new(&app);
    viewer.sign_in("viewer", "pw-viewer").await;
    let page = viewer.get(&format!("/ui/repositories/{id}/")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("1.0"), "{}", page.body);
    assert!(!page.body.contains("/untag"), "viewer: {}", page.body);
    let versions = viewer
        .get(&format!("/ui/repositories/{id}/versions/"))
        .await;
    assert!(
        !versions.body.contains("/restore"),
        "viewer: {}",
        versions.body
    );
    let token = page.csrf();
    let refused = viewer
        .post(
            &format!("/ui/repositories/{id}/untag"),
            &[("csrf", &token), ("tag", "1.0")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    // The admin untags both tags (one new version), then restores version 1.
    let b = crate::common::ui::Browser::new(&app);
    b.sign_in(crate::common::pulp::ADMIN.0, crate::common::pulp::ADMIN.1)
        .await;
    let list = b.get("/ui/repositories/").await;
    assert!(list.body.contains(">prod-app<"), "{}", list.body);
    let page = b.get(&format!("/ui/repositories/{id}/")).await;
    assert!(page.body.contains("/untag"), "{}", page.body);
    let token = page.csrf();
    let done = b
        .post(
            &format!("/ui/repositories/{id}/untag"),
            &[("csrf", &token), ("tag", "1.0"), ("tag", "1.1")],
        )
        .await;
    let task = done.completed_task(&app).await;
    assert_eq!(
        task["created_resources"],
        json!([format!("{href}versions/2/")])
    );
    assert_eq!(present(&app, &format!("{href}versions/2/")).await.0, 0);

    let versions = b.get(&format!("/ui/repositories/{id}/versions/")).await;
    assert!(
        versions.body.contains("Restore version 1"),
        "{}",
        versions.body
    );
    let done = b
        .post(
            &format!("/ui/repositories/{id}/restore"),
            &[("csrf", &versions.csrf()), ("version", "1")],
        )
        .await;
    let task = done.completed_task(&app).await;
    assert_eq!(
        task["created_resources"],
        json!([format!("{href}versions/3/")])
    );
    assert_eq!(
        tag_names(&app, &format!("{href}versions/3/")).await,
        ["1.0", "1.1"]
    );
}

#[tokio::test]
async fn a_star_is_only_accepted_alone_and_only_to_remove_as_in_pulp() {
    let app = TestApp::spawn().await;
    let r = create(&app, "star-app").await;
    let href = r["pulp_href"].as_str().unwrap();
    for (action, units) in [
        ("remove/", json!(["*", "some_href"])),
        ("add/", json!(["*"])),
    ] {
        let (s, v) = app
            .api(
                Method::POST,
                &format!("{href}{action}"),
                Some(json!({ "content_units": units })),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{action} {units}: {v}");
        assert!(
            v["content_units"][0].as_str().unwrap().contains("'*'"),
            "{v}"
        );
    }
    let versions = app.api_one(&format!("{href}versions/?number=0")).await;
    assert_eq!(versions["number"], 0, "no task, no version");
}
