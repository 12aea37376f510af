//! The web UI's pages and actions, as HTML: what each role sees, and that Untag, Delete image,
//! Restore and orphan cleanup dispatch the API's tasks.
use crate::common::oci::bytes;
use crate::common::pulp::ADMIN;
use crate::common::ui::{Browser, Page};
use crate::common::TestApp;
use reqwest::Method;
use serde_json::json;

const PUSH: &str = "/pulp/api/v3/repositories/container/container-push/";

pub async fn repo_id(app: &TestApp, name: &str) -> String {
    let r = app.api_one(&format!("{PUSH}?name={name}")).await;
    r["pulp_href"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

/// Waits for the task a UI action redirected to; returns the API's view of it.
async fn task_of(app: &TestApp, p: &Page) -> serde_json::Value {
    p.completed_task(app).await
}

pub async fn tags(app: &TestApp, name: &str) -> Vec<String> {
    let v: serde_json::Value = app
        .get(&format!("/v2/{name}/tags/list"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut t: Vec<String> = v["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().into())
        .collect();
    t.sort();
    t
}

#[tokio::test]
async fn the_admin_sees_counts_repositories_newest_push_first_and_tags_grouped_by_image() {
    let app = TestApp::spawn().await;
    app.push_image("team/old", "v1", &[bytes(1, 100)]).await;
    let (_, d) = app.push_image("team/app", "v1", &[bytes(2, 200)]).await;
    app.push_image("team/app", "stable", &[bytes(2, 200)]).await;
    app.push_image("team/app", "v2", &[bytes(3, 300)]).await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;

    let o = b.get("/ui/").await;
    assert!(
        o.body
            .contains("<span class=\"figure\">1</span> namespaces"),
        "{}",
        o.body
    );
    assert!(o
        .body
        .contains("<span class=\"figure\">2</span> repositories"));
    assert!(o.body.contains("stored (each blob once)"));

    let list = b.get("/ui/repositories/").await;
    let app_at = list.body.find(">team/app<").unwrap();
    let old_at = list.body.find(">team/old<").unwrap();
    assert!(app_at < old_at, "newest push first");
    let by_name = b.get("/ui/repositories/?sort=name&dir=asc").await;
    assert!(by_name.body.find(">team/app<").unwrap() < by_name.body.find(">team/old<").unwrap());
    let filtered = b.get("/ui/repositories/?q=OLD").await;
    assert!(filtered.body.contains(">team/old<") && !filtered.body.contains(">team/app<"));
    let ns = b.get("/ui/namespaces/").await;
    assert!(ns.body.contains(">team<"));

    let page = b
        .get(&format!(
            "/ui/repositories/{}/",
            repo_id(&app, "team/app").await
        ))
        .await;
    assert_eq!(page.status, 200);
    // Two images: v2 alone (newest) and the one v1 and stable share.
    assert_eq!(page.body.matches("<tbody class=\"image\">").count(), 2);
    let v2 = page.body.find("value=\"v2\"").unwrap();
    let v1 = page.body.find("value=\"v1\"").unwrap();
    assert!(v2 < v1, "newest first");
    let hex = &d["sha256:".len()..][..12];
    let start = page.body[..page.body.find(hex).unwrap()]
        .rfind("<tbody")
        .unwrap();
    let group = &page.body[start..];
    let group = &group[..group.find("</tbody>").unwrap()];
    assert!(group.contains("value=\"v1\"") && group.contains("value=\"stable\""));
    assert!(page.body.contains("linux/amd64"));
    assert!(page.body.contains("docker pull 127.0.0.1:"));
    assert!(page.body.contains("Untag selected") && page.body.contains("Delete image"));
    // Nothing reaches the page unescaped.
    assert!(!page.body.contains("<script>"));
}

#[tokio::test]
async fn untagging_two_ticked_tags_makes_one_task_and_one_version_without_them() {
    let app = TestApp::spawn().await;
    for t in ["a", "b", "c"] {
        app.push_image("team/app", t, &[bytes(1, 100)]).await;
    }
    let id = repo_id(&app, "team/app").await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let page = b.get(&format!("/ui/repositories/{id}/")).await;
    let csrf = page.csrf();
    let p = b
        .post(
            &format!("/ui/repositories/{id}/untag"),
            &[("csrf", &csrf), ("tag", "a"), ("tag", "b")],
        )
        .await;
    let t = task_of(&app, &p).await;
    assert_eq!(t["name"], "berth.app.tasks.untag.untag_images");
    assert_eq!(t["created_resources"].as_array().unwrap().len(), 1, "{t}");
    assert_eq!(tags(&app, "team/app").await, vec!["c"]);
    let repo = app.api_one(&format!("{PUSH}?name=team/app")).await;
    assert!(
        repo["latest_version_href"]
            .as_str()
            .unwrap()
            .ends_with("/versions/4/"),
        "three pushes, then one version for both tags: {repo}"
    );
    let versions = b.get(&format!("/ui/repositories/{id}/versions/")).await;
    assert!(
        versions.body.contains("<td>1 tag</td>"),
        "{}",
        versions.body
    );
    assert!(versions.body.contains("Restore version 3"));
    app.assert_tasks_settled().await;
}

#[tokio::test]
async fn delete_image_lists_every_tag_that_goes_and_restore_brings_them_back() {
    let app = TestApp::spawn().await;
    let (_, d) = app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    app.push_image("team/app", "stable", &[bytes(1, 100)]).await;
    app.push_image("team/app", "v2", &[bytes(2, 100)]).await;
    let id = repo_id(&app, "team/app").await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let confirm = b
        .get(&format!("/ui/repositories/{id}/delete-image?digest={d}"))
        .await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm.body.contains("<code>v1</code>") && confirm.body.contains("<code>stable</code>")
    );
    assert!(!confirm.body.contains("<code>v2</code>"));
    let p = b
        .post(
            &format!("/ui/repositories/{id}/delete-image"),
            &[("csrf", &confirm.csrf()), ("digest", &d)],
        )
        .await;
    task_of(&app, &p).await;
    assert_eq!(tags(&app, "team/app").await, vec!["v2"]);

    let versions = b.get(&format!("/ui/repositories/{id}/versions/")).await;
    let p = b
        .post(
            &format!("/ui/repositories/{id}/restore"),
            &[("csrf", &versions.csrf()), ("version", "3")],
        )
        .await;
    task_of(&app, &p).await;
    assert_eq!(tags(&app, "team/app").await, vec!["stable", "v1", "v2"]);
}

#[tokio::test]
async fn a_consumer_sees_no_actions_and_an_outsider_gets_404() {
    let app = TestApp::spawn().await;
    let (_, digest) = app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    let id = repo_id(&app, "team/app").await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=team")
        .await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    app.make_private("team/app").await;
    app.create_user("consumer", "pw-consumer").await;
    app.grant_role(
        "consumer",
        "container.containernamespace_consumer",
        Some(&ns),
    )
    .await;
    app.create_user("outsider", "pw-outsider").await;

    let c = Browser::new(&app);
    assert_eq!(c.sign_in("consumer", "pw-consumer").await.status, 303);
    let page = c.get(&format!("/ui/repositories/{id}/")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(">v1<") || page.body.contains("v1"));
    assert!(!page.body.contains("Delete image") && !page.body.contains("Untag selected"));
    let image = c
        .get(&format!("/ui/repositories/{id}/image?digest={digest}"))
        .await;
    assert_eq!(image.status, 200, "{}", image.body);
    assert!(!image.body.contains("Delete image"), "{}", image.body);
    assert_eq!(
        c.get(&format!(
            "/ui/repositories/{id}/delete-image?digest={digest}"
        ))
        .await
        .status,
        403
    );
    assert!(
        !page.body.contains("/ui/cleanup/"),
        "no cleanup link for non-admins"
    );
    let token = page.csrf();
    let refused = c
        .post(
            &format!("/ui/repositories/{id}/untag"),
            &[("csrf", &token), ("tag", "v1")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(c.get("/ui/cleanup/").await.status, 404);
    assert_eq!(
        c.post("/ui/cleanup/", &[("csrf", &token), ("mode", "dry_run")])
            .await
            .status,
        404
    );

    let o = Browser::new(&app);
    o.sign_in("outsider", "pw-outsider").await;
    assert_eq!(o.get(&format!("/ui/repositories/{id}/")).await.status, 404);
    assert_eq!(
        o.get(&format!("/ui/repositories/{id}/versions/"))
            .await
            .status,
        404
    );
    let list = o.get("/ui/repositories/").await;
    assert!(!list.body.contains("team/app"));
    assert_eq!(tags(&app, "team/app").await, vec!["v1"]);
}

#[tokio::test]
async fn the_cleanup_page_runs_a_dry_run_and_shows_its_bytes_in_the_history() {
    let app = TestApp::spawn_with(|s| s.orphan_protection_minutes = 0).await;
    let (_, d) = app.push_image("team/app", "v1", &[bytes(1, 5000)]).await;
    app.push_image("team/app", "v2", &[bytes(2, 100)]).await;
    let href = app.api_one(&format!("{PUSH}?name=team/app")).await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    app.api_task(
        Method::POST,
        &format!("{href}remove_image/"),
        Some(json!({"digest": d})),
    )
    .await;
    app.api_task(
        Method::PATCH,
        &href,
        Some(json!({"retain_repo_versions": 1})),
    )
    .await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let page = b.get("/ui/cleanup/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("No cleanup has run yet."));
    let p = b
        .post(
            "/ui/cleanup/",
            &[("csrf", &page.csrf()), ("mode", "dry_run")],
        )
        .await;
    let t = task_of(&app, &p).await;
    let freed = t["result"]["bytes"].as_i64().unwrap_or(0);
    assert!(freed >= 5000, "{t}");
    let task_page = b.get(p.location.as_deref().unwrap()).await;
    assert!(task_page.body.contains("completed"));
    let history = b.get("/ui/cleanup/").await;
    assert!(
        history.body.contains("dry run (would free)"),
        "{}",
        history.body
    );
    assert!(history.body.contains("KiB"), "{}", history.body);
    assert_eq!(tags(&app, "team/app").await, vec!["v2"]);
}

#[tokio::test]
async fn the_tag_filter_narrows_the_page_and_select_all_matching_untags_every_match() {
    let app = TestApp::spawn().await;
    for t in ["dev-1", "dev-2", "release-1"] {
        app.push_image("team/app", t, &[bytes(1, 100)]).await;
    }
    let id = repo_id(&app, "team/app").await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let page = b.get(&format!("/ui/repositories/{id}/?q=DEV")).await;
    assert!(page.body.contains("value=\"dev-1\"") && page.body.contains("value=\"dev-2\""));
    assert!(!page.body.contains("value=\"release-1\""));
    assert!(page.body.contains("Select all 2 matching tags"));
    let p = b
        .post(
            &format!("/ui/repositories/{id}/untag"),
            &[("csrf", &page.csrf()), ("q", "dev"), ("all_matching", "1")],
        )
        .await;
    let t = task_of(&app, &p).await;
    assert_eq!(t["name"], "berth.app.tasks.untag.untag_images");
    assert_eq!(tags(&app, "team/app").await, vec!["release-1"]);
    app.assert_tasks_settled().await;
}
