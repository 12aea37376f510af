//! The permission matrix: admin, namespace owner, collaborator, consumer, an unrelated user and
//! anonymous callers against every kind of action, asserting the exact status of each cell.
use crate::common::oci::{bytes, sha256};
use crate::common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

pub struct World {
    pub app: TestApp,
    pub ns: String,
    pub app_repo: String,
    pub app_dist: String,
    pub secret_dist: String,
    pub secret_digest: String,
}

pub async fn world() -> World {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(1, 300)]).await;
    let (_, secret_digest) = app.push_image("team/secret", "v1", &[bytes(2, 300)]).await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=team")
        .await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    let dists = "/pulp/api/v3/distributions/container/container/";
    let app_d = app.api_one(&format!("{dists}?name=team/app")).await;
    let secret = app.api_one(&format!("{dists}?name=team/secret")).await;
    let secret_dist = secret["pulp_href"].as_str().unwrap().to_string();
    app.api_task(Method::PATCH, &secret_dist, Some(json!({"private": true})))
        .await;
    for (user, role) in [
        ("owner", "container.containernamespace_owner"),
        ("collab", "container.containernamespace_collaborator"),
        ("consumer", "container.containernamespace_consumer"),
        ("other", ""),
    ] {
        app.create_user(user, &format!("pw-{user}")).await;
        if !role.is_empty() {
            app.grant_role(user, role, Some(&ns)).await;
        }
    }
    World {
        ns,
        app_repo: app_d["repository"].as_str().unwrap().to_string(),
        app_dist: app_d["pulp_href"].as_str().unwrap().to_string(),
        secret_dist,
        secret_digest,
        app,
    }
}

/// One row of the matrix: the same request by each actor ("" = anonymous), expecting a status.
pub async fn row(
    w: &World,
    method: Method,
    path: &str,
    body: Option<Value>,
    cells: &[(&str, u16)],
) -> Vec<Value> {
    let mut out = vec![];
    for (actor, expected) in cells {
        let (status, v) = w
            .app
            .call_as(actor, method.clone(), path, body.clone())
            .await;
        assert_eq!(
            status.as_u16(),
            *expected,
            "{method} {path} as '{actor}' answered {status}: {v}"
        );
        out.push(v);
    }
    out
}

/// All six actors in order: admin, owner, collab, consumer, other, anonymous.
pub fn all6(s: [u16; 6]) -> Vec<(&'static str, u16)> {
    ["admin", "owner", "collab", "consumer", "other", ""]
        .into_iter()
        .zip(s)
        .collect()
}

#[tokio::test]
async fn each_role_reads_exactly_what_pulp_lets_it_read() {
    let w = world().await;
    let lists = row(
        &w,
        Method::GET,
        "/pulp/api/v3/pulp_container/namespaces/",
        None,
        &all6([200, 200, 200, 200, 200, 401]),
    )
    .await;
    let counts: Vec<_> = lists.iter().map(|v| v["count"].clone()).collect();
    assert_eq!(
        counts[..5],
        [json!(1), json!(1), json!(1), json!(1), json!(0)]
    );
    row(
        &w,
        Method::GET,
        &w.ns,
        None,
        &all6([200, 200, 200, 200, 404, 401]),
    )
    .await;
    row(
        &w,
        Method::GET,
        &w.secret_dist,
        None,
        &all6([200, 200, 200, 200, 404, 401]),
    )
    .await;
    row(
        &w,
        Method::GET,
        &w.app_dist,
        None,
        &all6([200, 200, 200, 200, 200, 401]),
    )
    .await;
    let dists = row(
        &w,
        Method::GET,
        "/pulp/api/v3/distributions/container/container/",
        None,
        &all6([200, 200, 200, 200, 200, 401]),
    )
    .await;
    let counts: Vec<_> = dists.iter().map(|v| v["count"].clone()).collect();
    assert_eq!(
        counts[..5],
        [json!(2), json!(2), json!(2), json!(2), json!(1)],
        "the private one is hidden"
    );
    // A public push repository is listed for everyone, but reading it or its versions needs a
    // view permission on its namespace or distribution (Pulp's statements; see
    // rbac_push_reads.rs).
    row(
        &w,
        Method::GET,
        &w.app_repo,
        None,
        &all6([200, 200, 200, 200, 403, 401]),
    )
    .await;
    row(
        &w,
        Method::GET,
        &format!("{}versions/", w.app_repo),
        None,
        &all6([200, 200, 200, 200, 403, 401]),
    )
    .await;
    let manifests = row(
        &w,
        Method::GET,
        "/pulp/api/v3/content/container/manifests/",
        None,
        &all6([200, 200, 200, 200, 200, 401]),
    )
    .await;
    let counts: Vec<_> = manifests.iter().map(|v| v["count"].clone()).collect();
    assert_eq!(
        counts[..5],
        [json!(2), json!(2), json!(2), json!(2), json!(1)],
        "content of the private repository is hidden"
    );
    let secret = format!(
        "/pulp/api/v3/content/container/manifests/?digest={}",
        w.secret_digest
    );
    let found = row(
        &w,
        Method::GET,
        &secret,
        None,
        &all6([200, 200, 200, 200, 200, 401]),
    )
    .await;
    assert_eq!(found[4]["count"], 0);
}

#[tokio::test]
async fn each_role_changes_exactly_what_pulp_lets_it_change() {
    let w = world().await;
    let nss = "/pulp/api/v3/pulp_container/namespaces/";
    for (actor, want) in [
        ("admin", 201),
        ("owner", 403),
        ("collab", 403),
        ("consumer", 403),
        ("other", 403),
        ("", 401),
    ] {
        let (s, v) = w
            .app
            .call_as(
                actor,
                Method::POST,
                nss,
                Some(json!({"name": format!("made-by-{actor}x")})),
            )
            .await;
        assert_eq!(s.as_u16(), want, "create namespace as '{actor}': {v}");
    }
    row(
        &w,
        Method::POST,
        nss,
        Some(json!({"name": "other"})),
        &[("other", 201)],
    )
    .await;
    for (dist, want) in [
        (&w.app_dist, [202, 202, 202, 403, 403, 401]),
        (&w.secret_dist, [202, 202, 202, 403, 404, 401]),
    ] {
        for (actor, want) in all6(want) {
            let change = json!({"description": format!("changed by '{actor}'")});
            let (s, v) = w
                .app
                .call_as(actor, Method::PATCH, dist, Some(change))
                .await;
            assert_eq!(s.as_u16(), want, "update {dist} as '{actor}': {v}");
            if s == 202 {
                w.app.task_done(v["task"].as_str().unwrap()).await;
            }
        }
    }
    let dists = "/pulp/api/v3/distributions/container/container/";
    for (actor, want) in [
        ("admin", 202),
        ("owner", 202),
        ("collab", 202),
        ("consumer", 403),
        ("other", 403),
        ("", 401),
    ] {
        let name = format!("team/new-{actor}x");
        let (s, v) = w
            .app
            .call_as(
                actor,
                Method::POST,
                dists,
                Some(json!({"name": name, "base_path": name})),
            )
            .await;
        assert_eq!(s.as_u16(), want, "create distribution as '{actor}': {v}");
    }
    // A refusal never says whether the base path is taken.
    let taken = json!({"name": "x", "base_path": "team/secret"});
    row(
        &w,
        Method::POST,
        dists,
        Some(taken),
        &[("other", 403), ("consumer", 403)],
    )
    .await;
    // Permitted callers reach validation (400 for an unknown digest); others are refused.
    let bad = json!({"digest": sha256(b"nothing")});
    for action in ["remove_image/", "tag/", "untag/"] {
        let body = if action == "untag/" {
            json!({"tag": "nope"})
        } else {
            json!({"tag": "t", "digest": bad["digest"]})
        };
        let body = if action == "remove_image/" {
            bad.clone()
        } else {
            body
        };
        row(
            &w,
            Method::POST,
            &format!("{}{action}", w.app_repo),
            Some(body),
            &all6([400, 400, 400, 403, 403, 401]),
        )
        .await;
    }
    row(
        &w,
        Method::DELETE,
        &w.secret_dist,
        None,
        &[("other", 404), ("consumer", 403), ("", 401)],
    )
    .await;
    row(
        &w,
        Method::DELETE,
        &w.ns,
        None,
        &[
            ("other", 404),
            ("consumer", 403),
            ("collab", 403),
            ("", 401),
        ],
    )
    .await;
    // The distribution creates above run as tasks: let them finish before the namespace goes
    // (a create that runs after its namespace was deleted fails, as it should).
    w.app.assert_tasks_settled().await;
    row(&w, Method::DELETE, &w.secret_dist, None, &[("collab", 202)]).await;
    row(&w, Method::DELETE, &w.ns, None, &[("owner", 202)]).await;
    w.app.assert_tasks_settled().await;
}
