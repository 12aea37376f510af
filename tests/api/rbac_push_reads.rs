//! Pulp's read rules for push repositories (issue 17 §3, pulp_container's
//! `test_rbac_push_repository` and `test_rbac_push_repository_version`): reading a push
//! repository, listing and reading its versions need a view permission on its namespace or on
//! one of its distributions (globally or on the object); a public repository is still listed for
//! every signed-in user, as Pulp lists it, but reading it without such a permission is a 403,
//! and a private one stays a 404. The all-versions list holds only versions the caller may read.
use crate::common::oci::bytes;
use crate::common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

struct Repo {
    href: String,
    dist: String,
    latest: String,
}

async fn repo(app: &TestApp, name: &str, seed: u64) -> Repo {
    app.push_image(name, "v1", &[bytes(seed, 200)]).await;
    let dist = app
        .api_one(&format!(
            "/pulp/api/v3/distributions/container/container/?name={name}"
        ))
        .await;
    let href = dist["repository"].as_str().unwrap().to_string();
    let r = app.api_get(&href).await;
    Repo {
        latest: r["latest_version_href"].as_str().unwrap().to_string(),
        dist: dist["pulp_href"].as_str().unwrap().to_string(),
        href,
    }
}

async fn status(app: &TestApp, user: &str, path: &str) -> (u16, Value) {
    let (s, v) = app.call_as(user, Method::GET, path, None).await;
    (s.as_u16(), v)
}

/// Reading the repository, its version list and its latest version, as `user`.
async fn reads(app: &TestApp, user: &str, r: &Repo) -> [u16; 3] {
    [
        status(app, user, &r.href).await.0,
        status(app, user, &format!("{}versions/", r.href)).await.0,
        status(app, user, &r.latest).await.0,
    ]
}

#[tokio::test]
async fn reading_a_push_repository_and_its_versions_needs_a_view_permission_as_in_pulp() {
    let app = TestApp::spawn().await;
    let public = repo(&app, "reads/app", 1).await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=reads")
        .await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    for user in ["helpless", "reader", "dist_viewer", "ns_consumer"] {
        app.create_user(user, &format!("pw-{user}")).await;
    }
    // Pulp's user_reader: the distribution consumer role at model level.
    app.grant_role("reader", "container.containerdistribution_consumer", None)
        .await;
    app.grant_role(
        "dist_viewer",
        "container.containerdistribution_consumer",
        Some(&public.dist),
    )
    .await;
    app.grant_role(
        "ns_consumer",
        "container.containernamespace_consumer",
        Some(&ns),
    )
    .await;

    assert_eq!(reads(&app, "admin", &public).await, [200, 200, 200]);
    assert_eq!(reads(&app, "reader", &public).await, [200, 200, 200]);
    assert_eq!(reads(&app, "dist_viewer", &public).await, [200, 200, 200]);
    assert_eq!(reads(&app, "ns_consumer", &public).await, [200, 200, 200]);
    assert_eq!(reads(&app, "helpless", &public).await, [403, 403, 403]);
    assert_eq!(reads(&app, "", &public).await, [401, 401, 401]);
    let (_, denied) = status(&app, "helpless", &public.href).await;
    assert_eq!(
        denied,
        json!({"detail": "You do not have permission to perform this action."})
    );

    // Still listed: Pulp lists every push repository behind a public distribution.
    let list = "/pulp/api/v3/repositories/container/container-push/?name=reads/app";
    let (s, page) = status(&app, "helpless", list).await;
    assert_eq!((s, page["count"].clone()), (200, json!(1)));
}

#[tokio::test]
async fn a_private_push_repository_stays_hidden_and_the_version_list_follows_the_read_rule() {
    let app = TestApp::spawn().await;
    let public = repo(&app, "vis/app", 1).await;
    let private = repo(&app, "vis/secret", 2).await;
    app.api_task(Method::PATCH, &private.dist, Some(json!({"private": true})))
        .await;
    let other = repo(&app, "elsewhere/app", 3).await;
    for user in ["helpless", "dist_viewer"] {
        app.create_user(user, &format!("pw-{user}")).await;
    }
    app.grant_role(
        "dist_viewer",
        "container.containerdistribution_consumer",
        Some(&private.dist),
    )
    .await;

    assert_eq!(reads(&app, "helpless", &private).await, [404, 404, 404]);
    assert_eq!(reads(&app, "dist_viewer", &private).await, [200, 200, 200]);
    assert_eq!(reads(&app, "dist_viewer", &public).await, [403, 403, 403]);

    let all = "/pulp/api/v3/repository_versions/";
    let versions = |v: &Value| -> Vec<String> {
        let mut hrefs: Vec<String> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["repository"].as_str().unwrap().to_string())
            .collect();
        hrefs.sort();
        hrefs.dedup();
        hrefs
    };
    let (s, page) = status(&app, "helpless", all).await;
    assert_eq!((s, page["count"].clone()), (200, json!(0)), "{page}");
    let (_, page) = status(&app, "dist_viewer", all).await;
    assert_eq!(versions(&page), vec![private.href.clone()]);
    let (_, page) = status(&app, "admin", all).await;
    let mut every = vec![public.href, private.href, other.href];
    every.sort();
    assert_eq!(versions(&page), every);
}
