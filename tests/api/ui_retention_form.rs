//! The web UI's retention policy editor, as HTML: field errors next to the fields, Preview
//! before Save stores nothing, Save, Dry run and Run lead to the task page, Delete with a
//! confirmation; a consumer of the namespace gets 404 everywhere.
use crate::common::oci::bytes;
use crate::common::ui::Browser;
use crate::common::TestApp;
use crate::ui_pages::tags;

fn last_segment(href: &str) -> String {
    href.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_namespace_owner_writes_previews_saves_runs_and_deletes_a_policy_from_the_form() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    app.push_image("team/app", "v2", &[bytes(2, 100)]).await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=team")
        .await;
    let ns_href = ns["pulp_href"].as_str().unwrap().to_string();
    let ns_id = last_segment(&ns_href);
    for (user, role) in [
        ("owner", "container.containernamespace_owner"),
        ("consumer", "container.containernamespace_consumer"),
    ] {
        app.create_user(user, &format!("pw-{user}")).await;
        app.grant_role(user, role, Some(&ns_href)).await;
    }
    let o = Browser::new(&app);
    o.sign_in("owner", "pw-owner").await;
    let list = o.get(&format!("/ui/namespaces/{ns_id}/retention/")).await;
    assert!(list
        .body
        .contains(&format!("/ui/namespaces/{ns_id}/retention/new")));
    let new = format!("/ui/namespaces/{ns_id}/retention/new");
    let form = o.get(&new).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"r0_keep\""));
    let csrf = form.csrf();
    let base = |action: &'static str, delay: &'static str, value: &'static str| {
        vec![
            ("name", "keep-one"),
            ("repositories", "team/*"),
            ("r0_tags", "v.*"),
            ("r0_keep", "latest_pushed"),
            ("r0_value", value),
            ("delay", delay),
            ("undo_window", "7d"),
            ("enabled", "1"),
            ("action", action),
        ]
    };
    // Errors next to their fields, the values kept.
    let mut bad = base("save", "soon", "0");
    bad.push(("csrf", &csrf));
    let p = o.post(&new, &bad).await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(
        p.body.contains(
            "<span id=\"err-delay\" role=\"alert\" class=\"errors\">\
             <span class=\"error\">&#39;soon&#39; is not a duration"
        ),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("Rule 1: latest_pushed must be at least 1"),
        "{}",
        p.body
    );
    assert!(p.body.contains("value=\"keep-one\""));
    // Preview: what goes, nothing stored.
    let mut pre = base("preview", "0s", "1");
    pre.push(("csrf", &csrf));
    let p = o.post(&new, &pre).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Preview (not saved)"));
    assert!(
        p.body
            .contains("<span class=\"figure\">1</span> tags removed"),
        "{}",
        p.body
    );
    let (_, v) = app
        .api(
            reqwest::Method::GET,
            "/pulp/api/v3/retention_policies/",
            None,
        )
        .await;
    assert_eq!(v["count"], 0, "{v}");
    // Save, then Dry run and Run.
    let mut save = base("save", "0s", "1");
    save.push(("csrf", &csrf));
    let p = o.post(&new, &save).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let policy = app
        .api_one("/pulp/api/v3/retention_policies/?name=keep-one")
        .await;
    assert_eq!(policy["rules"][0]["latest_pushed"], 1, "{policy}");
    assert_eq!(policy["repositories"][0], "team/*");
    let id = last_segment(policy["pulp_href"].as_str().unwrap());
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/ui/retention/{id}/preview").as_str())
    );
    let edit = o.get(&format!("/ui/retention/{id}/edit")).await;
    assert!(
        edit.body.contains("value=\"v.*\"") && edit.body.contains("value=\"0s\""),
        "{}",
        edit.body
    );
    for mode in ["dry_run", "run"] {
        let p = o
            .post(
                &format!("/ui/retention/{id}/run"),
                &[("csrf", &csrf), ("mode", mode)],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
        let task = p.location.unwrap();
        assert!(task.starts_with("/ui/tasks/"));
        let t = app
            .task_done(&format!("/pulp/api/v3/tasks/{}/", last_segment(&task)))
            .await;
        assert_eq!(t["state"], "completed", "{t}");
    }
    assert_eq!(tags(&app, "team/app").await, vec!["v2"]);
    // A consumer sees none of it.
    let c = Browser::new(&app);
    c.sign_in("consumer", "pw-consumer").await;
    let cc = c.get("/ui/").await.csrf();
    assert_eq!(c.get(&new).await.status, 404);
    assert_eq!(c.get(&format!("/ui/retention/{id}/edit")).await.status, 404);
    assert_eq!(
        c.post(
            &format!("/ui/retention/{id}/run"),
            &[("csrf", &cc), ("mode", "run")]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        c.post(&format!("/ui/retention/{id}/delete"), &[("csrf", &cc)])
            .await
            .status,
        404
    );
    // Delete: a confirmation, then the policy is gone; without the token nothing happens.
    let confirm = o.get(&format!("/ui/retention/{id}/delete")).await;
    assert!(
        confirm.body.contains("Delete retention policy keep-one?"),
        "{}",
        confirm.body
    );
    assert_eq!(
        o.post(&format!("/ui/retention/{id}/delete"), &[])
            .await
            .status,
        403
    );
    let p = o
        .post(&format!("/ui/retention/{id}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(p.status, 303);
    let (_, v) = app
        .api(
            reqwest::Method::GET,
            "/pulp/api/v3/retention_policies/",
            None,
        )
        .await;
    assert_eq!(v["count"], 0, "{v}");
    app.assert_tasks_settled().await;
}
