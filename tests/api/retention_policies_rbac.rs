//! Who may do what with retention policies: superusers anything; a namespace owner the
//! policies of that namespace (not those for every namespace); a collaborator, who sees the
//! namespace, is refused (403) creating there and sees none of its policies (404); a user who
//! does not see the namespace gets a field error naming it (400) and 404s; anonymous callers
//! 401. Each cell asserts the exact status.
use crate::common::TestApp;
use crate::retention_policies::{create, namespace, POLICIES};
use reqwest::Method;
use serde_json::{json, Value};

struct World {
    app: TestApp,
    team: String,
    other_ns: String,
    team_policy: String,
    other_policy: String,
    global_policy: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let team = namespace(&app, "team").await;
    let other_ns = namespace(&app, "elsewhere").await;
    for (user, role) in [
        ("owner", "container.containernamespace_owner"),
        ("collab", "container.containernamespace_collaborator"),
        ("other", ""),
    ] {
        app.create_user(user, &format!("pw-{user}")).await;
        if !role.is_empty() {
            app.grant_role(user, role, Some(&team)).await;
        }
    }
    let policy = |name: &str, ns: Option<&str>| json!({"name": name, "namespace": ns, "rules": [{"latest_pushed": 3}]});
    let href = |v: Value| v["pulp_href"].as_str().unwrap().to_string();
    World {
        team_policy: href(create(&app, policy("team-policy", Some(&team))).await),
        other_policy: href(create(&app, policy("other-policy", Some(&other_ns))).await),
        global_policy: href(create(&app, policy("global-policy", None)).await),
        team,
        other_ns,
        app,
    }
}

const ACTORS: [&str; 5] = ["admin", "owner", "collab", "other", ""];

/// The same request by each actor ("" = anonymous), expecting `statuses` in [`ACTORS`] order.
async fn row(
    w: &World,
    method: Method,
    path: &str,
    body: Option<Value>,
    statuses: [u16; 5],
) -> Vec<Value> {
    let mut out = vec![];
    for (actor, expected) in ACTORS.into_iter().zip(statuses) {
        let (status, v) = w
            .app
            .call_as(actor, method.clone(), path, body.clone())
            .await;
        assert_eq!(
            status.as_u16(),
            expected,
            "{method} {path} as '{actor}' answered {status}: {v}"
        );
        out.push(v);
    }
    out
}

#[tokio::test]
async fn each_caller_reads_and_lists_exactly_the_policies_they_manage() {
    let w = world().await;
    let lists = row(&w, Method::GET, POLICIES, None, [200, 200, 200, 200, 401]).await;
    let counts: Vec<&Value> = lists[..4].iter().map(|v| &v["count"]).collect();
    assert_eq!(counts, [&json!(3), &json!(1), &json!(0), &json!(0)]);
    assert_eq!(lists[1]["results"][0]["pulp_href"], json!(w.team_policy));
    assert_eq!(
        lists[4],
        json!({"detail": "Authentication credentials were not provided."})
    );
    row(
        &w,
        Method::GET,
        &w.team_policy,
        None,
        [200, 200, 404, 404, 401],
    )
    .await;
    row(
        &w,
        Method::GET,
        &w.other_policy,
        None,
        [200, 404, 404, 404, 401],
    )
    .await;
    row(
        &w,
        Method::GET,
        &w.global_policy,
        None,
        [200, 404, 404, 404, 401],
    )
    .await;
    // Filters cannot widen the scope.
    let q = format!("{POLICIES}?namespace__isnull=true");
    let lists = row(&w, Method::GET, &q, None, [200, 200, 200, 200, 401]).await;
    assert_eq!(lists[0]["count"], 1);
    assert_eq!(lists[1]["count"], 0);
}

#[tokio::test]
async fn only_superusers_and_the_namespace_owner_create_policies_there() {
    let w = world().await;
    let in_team: [u16; 5] = [201, 201, 403, 400, 401];
    for (actor, expected) in ACTORS.into_iter().zip(in_team) {
        let body = json!({"name": format!("new-{actor}"), "namespace": w.team, "rules": [{"always": true}]});
        let (s, v) = w
            .app
            .call_as(actor, Method::POST, POLICIES, Some(body))
            .await;
        assert_eq!(s.as_u16(), expected, "as '{actor}': {v}");
        if expected == 400 {
            assert_eq!(
                v,
                json!({"namespace": ["Invalid hyperlink - Object does not exist."]})
            );
        }
    }
    let every: [u16; 5] = [201, 403, 403, 403, 401];
    for (actor, expected) in ACTORS.into_iter().zip(every) {
        let body =
            json!({"name": format!("all-{actor}"), "namespace": null, "rules": [{"always": true}]});
        let (s, v) = w
            .app
            .call_as(actor, Method::POST, POLICIES, Some(body))
            .await;
        assert_eq!(s.as_u16(), expected, "as '{actor}': {v}");
    }
    // Leaving the namespace out means every namespace: the owner is told to name one.
    let (s, v) = w
        .app
        .call_as(
            "owner",
            Method::POST,
            POLICIES,
            Some(json!({"name": "x", "rules": [{"always": true}]})),
        )
        .await;
    assert_eq!(s, 403);
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("name a namespace you own"),
        "{v}"
    );
    // A namespace the owner does not see is a field error, not a refusal.
    let body = json!({"name": "y", "namespace": w.other_ns, "rules": [{"always": true}]});
    let (s, _) = w
        .app
        .call_as("owner", Method::POST, POLICIES, Some(body))
        .await;
    assert_eq!(s, 400);
    // Permission comes before validation, as in Pulp.
    let body = json!({"name": "", "namespace": w.team, "rules": []});
    let (s, _) = w
        .app
        .call_as("collab", Method::POST, POLICIES, Some(body))
        .await;
    assert_eq!(s, 403);
    let (s, v) = w
        .app
        .call_as("", Method::POST, POLICIES, Some(json!({})))
        .await;
    assert_eq!(s, 401, "{v}");
}

#[tokio::test]
async fn only_superusers_and_the_namespace_owner_change_and_delete_its_policies() {
    let w = world().await;
    let patch = Some(json!({"enabled": false}));
    row(
        &w,
        Method::PATCH,
        &w.team_policy,
        patch.clone(),
        [200, 200, 404, 404, 401],
    )
    .await;
    row(
        &w,
        Method::PATCH,
        &w.global_policy,
        patch.clone(),
        [200, 404, 404, 404, 401],
    )
    .await;
    row(
        &w,
        Method::PATCH,
        &w.other_policy,
        patch,
        [200, 404, 404, 404, 401],
    )
    .await;
    let put = Some(json!({"name": "team-policy", "rules": [{"latest_pushed": 9}]}));
    row(
        &w,
        Method::PUT,
        &w.team_policy,
        put,
        [200, 200, 404, 404, 401],
    )
    .await;
    // The owner cannot move the policy out of what they manage.
    let moves = [
        (json!({"namespace": null}), 403),
        (json!({"namespace": w.other_ns}), 400),
        (json!({"namespace": w.team}), 200),
    ];
    for (body, expected) in moves {
        let (s, v) = w
            .app
            .call_as("owner", Method::PATCH, &w.team_policy, Some(body.clone()))
            .await;
        assert_eq!(s.as_u16(), expected, "{body}: {v}");
    }
    let v = w.app.api_get(&w.team_policy).await;
    assert_eq!(v["namespace"], json!(w.team));
    assert_eq!(v["rules"], json!([{"untagged": false, "latest_pushed": 9}]));
    // The superuser moves a policy anywhere.
    let (s, v) = w
        .app
        .api(
            Method::PATCH,
            &w.other_policy,
            Some(json!({"namespace": w.team})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = w
        .app
        .call_as("owner", Method::GET, &w.other_policy, None)
        .await;
    assert_eq!(s, 200, "now in the owner's namespace");

    for (actor, expected) in [("", 401), ("other", 404), ("collab", 404), ("owner", 204)] {
        let (s, v) = w
            .app
            .call_as(actor, Method::DELETE, &w.team_policy, None)
            .await;
        assert_eq!(s.as_u16(), expected, "as '{actor}': {v}");
    }
    let (s, _) = w
        .app
        .call_as("owner", Method::DELETE, &w.global_policy, None)
        .await;
    assert_eq!(s, 404);
    let (s, _) = w
        .app
        .call_as("admin", Method::DELETE, &w.global_policy, None)
        .await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn only_superusers_and_the_namespace_owner_preview_and_run_its_policies() {
    let w = world().await;
    for (policy, owner) in [
        (&w.team_policy, 200),
        (&w.other_policy, 404),
        (&w.global_policy, 404),
    ] {
        let preview = format!("{policy}preview/");
        row(
            &w,
            Method::POST,
            &preview,
            None,
            [200, owner, 404, 404, 401],
        )
        .await;
        let run = format!("{policy}run/");
        let dry = Some(json!({"dry_run": true}));
        let accepted = if owner == 200 { 202 } else { 404 };
        let tasks = row(&w, Method::POST, &run, dry, [202, accepted, 404, 404, 401]).await;
        for t in tasks.iter().filter_map(|v| v["task"].as_str()) {
            assert_eq!(w.app.task_done(t).await["state"], "completed", "{t}");
        }
    }
}
