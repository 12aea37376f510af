//! The web UI's Image and Retention pages, as HTML: what they show and who sees them.
use crate::common::oci::bytes;
use crate::common::pulp::ADMIN;
use crate::common::ui::Browser;
use crate::common::TestApp;
use crate::ui_pages::repo_id;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_image_page_shows_layers_and_labels_and_hides_what_the_latest_version_lacks() {
    let app = TestApp::spawn().await;
    let (_, d) = app
        .push_image("team/app", "v1", &[bytes(1, 1500), bytes(2, 700)])
        .await;
    let id = repo_id(&app, "team/app").await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let tags_page = b.get(&format!("/ui/repositories/{id}/")).await;
    assert!(tags_page
        .body
        .contains(&format!("/ui/repositories/{id}/image?digest=sha256%3A")));
    let page = b
        .get(&format!("/ui/repositories/{id}/image?digest={d}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h2>Layers</h2>"));
    assert!(
        page.body.contains("1.5 KiB") && page.body.contains("700 B"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dt>made-by</dt><dd>berth-tests</dd>"));
    assert!(page.body.contains(&d));
    let unknown = format!("sha256:{}", "0".repeat(64));
    let missing = b
        .get(&format!("/ui/repositories/{id}/image?digest={unknown}"))
        .await;
    assert_eq!(missing.status, 404);
    let hostile = b
        .get(&format!("/ui/repositories/{id}/image?digest=%3Cscript%3E"))
        .await;
    assert_eq!(hostile.status, 404);
    assert!(!hostile.body.contains("<script>"));

    app.create_user("outsider", "pw-outsider").await;
    app.make_private("team/app").await;
    let o = Browser::new(&app);
    o.sign_in("outsider", "pw-outsider").await;
    assert_eq!(
        o.get(&format!("/ui/repositories/{id}/image?digest={d}"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_namespace_owner_previews_a_retention_policy_and_a_consumer_sees_no_retention_page() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    app.push_image("team/app", "v2", &[bytes(2, 100)]).await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=team")
        .await;
    let ns_href = ns["pulp_href"].as_str().unwrap().to_string();
    let ns_id = ns_href
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/retention_policies/",
            Some(json!({"name": "keep-one", "namespace": ns_href, "rules": [{"latest_pushed": 1}], "delay": "0s"})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let policy = v["pulp_href"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    for (user, role) in [
        ("owner", "container.containernamespace_owner"),
        ("consumer", "container.containernamespace_consumer"),
    ] {
        app.create_user(user, &format!("pw-{user}")).await;
        app.grant_role(user, role, Some(&ns_href)).await;
    }
    let o = Browser::new(&app);
    o.sign_in("owner", "pw-owner").await;
    let list = o.get("/ui/namespaces/").await;
    assert!(list
        .body
        .contains(&format!("/ui/namespaces/{ns_id}/retention/")));
    let page = o.get(&format!("/ui/namespaces/{ns_id}/retention/")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("keep-one"));
    let preview = o.get(&format!("/ui/retention/{policy}/preview")).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview
            .body
            .contains("<span class=\"figure\">1</span> tags removed"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains(">goes<") && preview.body.contains(">stays<"));

    let c = Browser::new(&app);
    c.sign_in("consumer", "pw-consumer").await;
    assert!(!c.get("/ui/namespaces/").await.body.contains("/retention/"));
    assert_eq!(
        c.get(&format!("/ui/namespaces/{ns_id}/retention/"))
            .await
            .status,
        404
    );
    assert_eq!(
        c.get(&format!("/ui/retention/{policy}/preview"))
            .await
            .status,
        404
    );
}
