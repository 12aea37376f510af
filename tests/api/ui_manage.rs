//! The web UI's management actions, as HTML: untagging many tags as one task (bounded), the
//! private/public switch, deleting a repository and a namespace after a confirmation.
use crate::common::oci::bytes;
use crate::common::pulp::ADMIN;
use crate::common::ui::Browser;
use crate::common::TestApp;
use crate::ui_pages::{repo_id, tags};

#[tokio::test]
async fn untag_refuses_more_than_ten_thousand_tags_and_tags_the_latest_version_lacks() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    let id = repo_id(&app, "team/app").await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let csrf = b.get(&format!("/ui/repositories/{id}/")).await.csrf();
    let names: Vec<String> = (0..10_001).map(|i| format!("t{i}")).collect();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend(names.iter().map(|n| ("tag", n.as_str())));
    let p = b.post(&format!("/ui/repositories/{id}/untag"), &form).await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(p.body.contains("At most 10000 tags"), "{}", p.body);
    let p = b
        .post(
            &format!("/ui/repositories/{id}/untag"),
            &[("csrf", &csrf), ("tag", "v1"), ("tag", "gone")],
        )
        .await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(
        p.body.contains("1 of the selected tags do not exist"),
        "{}",
        p.body
    );
    assert_eq!(tags(&app, "team/app").await, vec!["v1"]);
    app.assert_tasks_settled().await;
}

/// Follows a UI action's redirect to its task; waits for it to complete.
async fn completed(app: &TestApp, p: &crate::common::ui::Page) {
    p.completed_task(app).await;
}

#[tokio::test]
async fn owners_switch_a_repository_private_and_delete_it_and_its_namespace_after_confirming() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    app.push_image("team/other", "v1", &[bytes(2, 100)]).await;
    let id = repo_id(&app, "team/app").await;
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
    app.create_user("consumer", "pw-consumer").await;
    app.grant_role(
        "consumer",
        "container.containernamespace_consumer",
        Some(&ns_href),
    )
    .await;
    let dist = "/pulp/api/v3/distributions/container/container/?name=team/app";

    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let page = b.get(&format!("/ui/repositories/{id}/")).await;
    assert!(page.body.contains("Make private") && page.body.contains("Delete repository team/app"));
    let csrf = page.csrf();
    let p = b
        .post(
            &format!("/ui/repositories/{id}/visibility"),
            &[("csrf", &csrf), ("private", "1")],
        )
        .await;
    completed(&app, &p).await;
    assert_eq!(app.api_one(dist).await["private"], true);
    assert!(b
        .get(&format!("/ui/repositories/{id}/"))
        .await
        .body
        .contains("Make public"));

    // A consumer sees neither the switch nor Delete, and the server refuses both.
    let c = Browser::new(&app);
    c.sign_in("consumer", "pw-consumer").await;
    let cp = c.get(&format!("/ui/repositories/{id}/")).await;
    assert_eq!(cp.status, 200);
    assert!(!cp.body.contains("Make public") && !cp.body.contains("Delete repository"));
    assert!(!c.get("/ui/namespaces/").await.body.contains("/delete"));
    let cc = cp.csrf();
    for (path, form) in [
        (
            format!("/ui/repositories/{id}/visibility"),
            vec![("csrf", cc.as_str()), ("private", "0")],
        ),
        (
            format!("/ui/repositories/{id}/delete"),
            vec![("csrf", cc.as_str())],
        ),
        (
            format!("/ui/namespaces/{ns_id}/delete"),
            vec![("csrf", cc.as_str())],
        ),
    ] {
        assert_eq!(c.post(&path, &form).await.status, 403, "{path}");
    }
    assert_eq!(app.api_one(dist).await["private"], true);

    // Delete repository: the confirmation says what goes; without the token nothing happens.
    let confirm = b.get(&format!("/ui/repositories/{id}/delete")).await;
    assert!(
        confirm.body.contains("Delete repository team/app?"),
        "{}",
        confirm.body
    );
    assert!(
        confirm
            .body
            .contains("every version (1 tag(s) in the latest)"),
        "{}",
        confirm.body
    );
    assert_eq!(
        b.post(&format!("/ui/repositories/{id}/delete"), &[])
            .await
            .status,
        403
    );
    let p = b
        .post(&format!("/ui/repositories/{id}/delete"), &[("csrf", &csrf)])
        .await;
    completed(&app, &p).await;
    let (_, v) = app.api(reqwest::Method::GET, dist, None).await;
    assert_eq!(v["count"], 0, "{v}");
    assert_eq!(b.get(&format!("/ui/repositories/{id}/")).await.status, 404);

    // Delete namespace: the confirmation counts what goes.
    let list = b.get("/ui/namespaces/").await;
    assert!(list
        .body
        .contains(&format!("/ui/namespaces/{ns_id}/delete")));
    let confirm = b.get(&format!("/ui/namespaces/{ns_id}/delete")).await;
    assert!(
        confirm.body.contains("Delete namespace team?"),
        "{}",
        confirm.body
    );
    assert!(
        confirm.body.contains("its 1 repository"),
        "{}",
        confirm.body
    );
    let p = b
        .post(
            &format!("/ui/namespaces/{ns_id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    completed(&app, &p).await;
    let (_, v) = app
        .api(
            reqwest::Method::GET,
            "/pulp/api/v3/pulp_container/namespaces/?name=team",
            None,
        )
        .await;
    assert_eq!(v["count"], 0, "{v}");
    let tags = app.get("/v2/team/other/tags/list").send().await.unwrap();
    assert_eq!(tags.status(), 404);
    app.assert_tasks_settled().await;
}
