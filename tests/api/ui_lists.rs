//! The web UI's Namespaces and Repositories pages sort by name, tag count, stored size and
//! last push (newest push first by default), filter and page, inside the fragment the script
//! swaps; superusers write retention policies for every namespace, nobody else reaches them.
use crate::common::oci::bytes;
use crate::common::pulp::ADMIN;
use crate::common::ui::Browser;
use crate::common::TestApp;

/// Where each of `names` (as `>name<`) first appears in `body`, in that order.
fn order(body: &str, names: &[&str]) -> Vec<usize> {
    names
        .iter()
        .map(|n| {
            body.find(&format!(">{n}<"))
                .unwrap_or_else(|| panic!("{n} in {body}"))
        })
        .collect()
}

fn ascending(v: &[usize]) -> bool {
    v.windows(2).all(|w| w[0] < w[1])
}

#[tokio::test]
async fn repositories_and_namespaces_sort_by_size_tags_name_and_last_push() {
    let app = TestApp::spawn().await;
    // small/a: 1 tag, 100 B (pushed first); big/b: 1 tag, 5000 B; big/c: 3 tags, 300 B (last).
    app.push_image("small/a", "v1", &[bytes(1, 100)]).await;
    app.push_image("big/b", "v1", &[bytes(2, 5000)]).await;
    for t in ["v1", "v2", "v3"] {
        app.push_image("big/c", t, &[bytes(3, 300)]).await;
    }
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let page = |q: &'static str| {
        let b = &b;
        async move { b.get(&format!("/ui/repositories/{q}")).await.body }
    };
    let default = page("").await;
    assert!(default.contains("aria-sort=\"descending\"><a href=\"/ui/repositories/?q=&amp;sort=pushed&amp;dir=asc\">Last push ▼"), "{default}");
    assert!(ascending(&order(&default, &["big/c", "big/b", "small/a"])));
    assert!(ascending(&order(
        &page("?sort=size").await,
        &["big/b", "big/c", "small/a"]
    )));
    assert!(ascending(&order(
        &page("?sort=size&dir=asc").await,
        &["small/a", "big/c", "big/b"]
    )));
    assert!(ascending(&order(
        &page("?sort=tags").await,
        &["big/c", "big/b", "small/a"]
    )));
    assert!(ascending(&order(
        &page("?sort=name").await,
        &["big/b", "big/c", "small/a"]
    )));
    let filtered = page("?q=BIG/&sort=size").await;
    assert!(filtered.contains("2 repositories") && !filtered.contains(">small/a<"));
    assert!(filtered.contains("<div id=\"results\" data-fragment>"));
    let bad = b.get("/ui/repositories/?page=x").await;
    assert_eq!(bad.status, 400);

    let ns = |q: &'static str| {
        let b = &b;
        async move { b.get(&format!("/ui/namespaces/{q}")).await.body }
    };
    let default = ns("").await;
    assert!(
        ascending(&order(&default, &["big", "small"])),
        "newest push first"
    );
    assert!(
        default.contains("<td class=\"num\">2</td><td class=\"num\">4</td>"),
        "2 repositories, 4 tags: {default}"
    );
    assert!(ascending(&order(
        &ns("?sort=name").await,
        &["big", "small"]
    )));
    assert!(ascending(&order(
        &ns("?sort=name&dir=desc").await,
        &["small", "big"]
    )));
    assert!(ascending(&order(
        &ns("?sort=size&dir=asc").await,
        &["small", "big"]
    )));
    assert!(ascending(&order(
        &ns("?sort=tags&dir=asc").await,
        &["small", "big"]
    )));
    assert!(ns("?q=sma").await.contains("1 namespace<"));
}

#[tokio::test]
async fn paging_keeps_the_filter_and_sort_and_an_outsider_sees_nothing() {
    let app = TestApp::spawn().await;
    for i in 0..52 {
        app.push_image(&format!("many/r{i:02}"), "v1", &[bytes(i, 10)])
            .await;
    }
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let first = b
        .get("/ui/repositories/?q=many&sort=name&dir=asc")
        .await
        .body;
    assert!(
        first.contains("Page 1 of 2")
            && first.contains(">many/r00<")
            && !first.contains(">many/r50<")
    );
    assert!(
        first.contains(
            "href=\"/ui/repositories/?q=many&amp;sort=name&amp;dir=asc&amp;page=1\">Next"
        ),
        "{first}"
    );
    let second = b
        .get("/ui/repositories/?q=many&sort=name&dir=asc&page=1")
        .await
        .body;
    assert!(
        second.contains(">many/r50<")
            && second.contains(">many/r51<")
            && !second.contains(">many/r00<")
    );
    app.create_user("outsider", "pw-outsider-1").await;
    let o = Browser::new(&app);
    o.sign_in("outsider", "pw-outsider-1").await;
    assert!(o.get("/ui/namespaces/").await.body.contains("0 namespaces"));
}

#[tokio::test]
async fn superusers_write_retention_policies_for_every_namespace_and_nobody_else_can() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    app.push_image("team/app", "v2", &[bytes(2, 100)]).await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=team")
        .await;
    app.create_user("owner", "pw-owner-123").await;
    app.grant_role(
        "owner",
        "container.containernamespace_owner",
        Some(ns["pulp_href"].as_str().unwrap()),
    )
    .await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    assert!(b
        .get("/ui/namespaces/")
        .await
        .body
        .contains("href=\"/ui/retention/\""));
    let list = b.get("/ui/retention/").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("no policy for every namespace yet"));
    let form = b.get("/ui/retention/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains(
            "name=\"repositories\" rows=\"2\" aria-describedby=\"err-repositories\">**</textarea>"
        ),
        "{}",
        form.body
    );
    let csrf = form.csrf();
    let fields = |action: &'static str| {
        vec![
            ("csrf", csrf.as_str()),
            ("name", "everywhere"),
            ("repositories", "**"),
            ("r0_tags", "v.*"),
            ("r0_keep", "latest_pushed"),
            ("r0_value", "1"),
            ("delay", "0s"),
            ("undo_window", "7d"),
            ("enabled", "1"),
            ("action", action),
        ]
    };
    let preview = b.post("/ui/retention/new", &fields("preview")).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview
            .body
            .contains("<span class=\"figure\">1</span> tags removed"),
        "{}",
        preview.body
    );
    let saved = b.post("/ui/retention/new", &fields("save")).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let p = app
        .api_one("/pulp/api/v3/retention_policies/?name=everywhere")
        .await;
    assert!(p["namespace"].is_null(), "{p}");
    assert!(b.get("/ui/retention/").await.body.contains("everywhere"));

    let o = Browser::new(&app);
    o.sign_in("owner", "pw-owner-123").await;
    let oc = o.get("/ui/").await.csrf();
    assert!(!o
        .get("/ui/namespaces/")
        .await
        .body
        .contains("href=\"/ui/retention/\""));
    assert_eq!(o.get("/ui/retention/").await.status, 404);
    assert_eq!(o.get("/ui/retention/new").await.status, 404);
    let mut theirs = fields("save");
    theirs[0] = ("csrf", oc.as_str());
    theirs[1] = ("name", "mine");
    assert_eq!(o.post("/ui/retention/new", &theirs).await.status, 404);
    let (_, v) = app
        .api(
            reqwest::Method::GET,
            "/pulp/api/v3/retention_policies/",
            None,
        )
        .await;
    assert_eq!(v["count"], 1, "{v}");
}
