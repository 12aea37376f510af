//! Retention runs end to end: a policy's preview, a dry run that changes nothing, a run that
//! makes one new version per repository (the registry stops serving removed tags and still
//! serves every kept tag whole), the undo window, and the exactness of the previewed bytes
//! against what orphan cleanup then deletes from storage.
pub mod helpers;

use crate::common::oci::bytes;
use crate::common::TestApp;
use crate::reclaim_delete::{cleanup, pulls_whole};
use crate::reclaim_scheduler::replica;
use berth::domain::retention::Span;
use berth::service::housekeeping::scheduler;
use chrono::{Duration, Utc};
use helpers::{
    blob_sizes, five, image, latest, preview, report, run, sql, stored_bytes, tags, uuid_of,
};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

const PREFIX: &str = "/pulp/api/v3/retention_policies/";

/// Creates a retention policy from its API form; returns its href. (Written straight to the
/// database until the policies API exists; the fields are the API's, with its defaults.)
pub async fn create_policy(app: &TestApp, p: Value) -> String {
    let span = |key: &str, default: &str| -> i64 {
        let text = p[key].as_str().unwrap_or(default);
        text.parse::<Span>().unwrap().seconds()
    };
    let list = |key: &str| p.get(key).cloned().unwrap_or(json!([])).to_string();
    let namespace: Option<Uuid> = p["namespace"].as_str().map(uuid_of);
    let id = Uuid::now_v7();
    let now = Utc::now();
    sql(
        app,
        "INSERT INTO retention_policies (id, name, namespace_id, repositories, \
         exclude_repositories, rules, enabled, delay_seconds, allow_empty, undo_window_seconds, \
         schedule_seconds, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
        vec![
            id.into(),
            p["name"].as_str().unwrap().into(),
            namespace.into(),
            list("repositories").into(),
            list("exclude_repositories").into(),
            list("rules").into(),
            p["enabled"].as_bool().unwrap_or(true).into(),
            span("delay", "24h").into(),
            p["allow_empty"].as_bool().unwrap_or(false).into(),
            span("undo_window", "7d").into(),
            now.into(),
            now.into(),
        ],
    )
    .await;
    format!("{PREFIX}{id}/")
}

#[tokio::test]
async fn preview_dry_run_and_run_remove_exactly_what_the_policy_does_not_keep() {
    let app = TestApp::spawn().await;
    let images = five(&app, "ret/app").await;
    let other = five(&app, "ret/other").await;
    let policy = create_policy(
        &app,
        json!({"name": "keep-two", "repositories": ["ret/app"], "rules": [{"latest_pushed": 2}],
               "delay": "0s"}),
    )
    .await;

    let p = preview(&app, &policy).await;
    let repos = p["repositories"].as_array().unwrap();
    assert_eq!(repos.len(), 1, "only the covered repository: {p}");
    let r = &repos[0];
    assert_eq!(r["name"], "ret/app");
    assert!(r["pulp_href"].as_str().unwrap().contains("container-push"));
    assert_eq!(r["skipped"], Value::Null);
    let kept: Vec<&str> = r["kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["tags"][0].as_str().unwrap())
        .collect();
    assert_eq!(kept, ["v5", "v4"], "{r}");
    assert_eq!(r["kept"][0]["kept_by"], json!(["rule 0"]));
    let removed: Vec<&str> = r["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["tags"][0].as_str().unwrap())
        .collect();
    assert_eq!(removed, ["v3", "v2", "v1"]);
    assert_eq!(
        r["removed"][2]["size"],
        blob_sizes(&images[0]).iter().map(|b| b.1).sum::<i64>()
    );
    assert_eq!(r["removed"][2]["last_pulled"], Value::Null);
    // `ret/other` holds the very same images (same layers, same configs), so nothing the
    // run removes comes back.
    assert_eq!(other, images);
    let p_totals = p["totals"].clone();
    assert_eq!(p_totals["bytes_freed"], 0, "{p}");
    assert_eq!(p_totals["repositories"], 1);
    assert_eq!(p_totals["tags_removed"], 3);
    assert_eq!(p_totals["manifests_removed"], 3);

    let before = latest(&app, "ret/app").await;
    let dry = run(&app, &policy, true).await;
    assert_eq!(
        latest(&app, "ret/app").await,
        before,
        "a dry run makes no version"
    );
    assert_eq!(tags(&app, "ret/app").await, ["v1", "v2", "v3", "v4", "v5"]);
    assert_eq!(dry["created_resources"], json!([]));
    assert_eq!(dry["result"]["dry_run"], true);
    assert_eq!(dry["result"]["totals"], p_totals);
    assert_eq!(report(&dry, "retention.tags_removed"), 3);
    assert_eq!(
        report(&dry, "retention.bytes_freed"),
        p_totals["bytes_freed"].as_i64().unwrap()
    );

    let done = run(&app, &policy, false).await;
    assert_eq!(done["result"]["totals"], p_totals);
    let created = done["created_resources"].as_array().unwrap();
    assert_eq!(created.len(), 1, "{done}");
    assert_eq!(created[0].as_str().unwrap(), latest(&app, "ret/app").await);
    assert_eq!(tags(&app, "ret/app").await, ["v4", "v5"]);
    for t in ["v1", "v2", "v3"] {
        let res = app
            .get(&format!("/v2/ret/app/manifests/{t}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{t} is no longer served");
    }
    for t in ["v4", "v5"] {
        pulls_whole(&app, "ret/app", t).await;
    }
    for t in ["v1", "v2", "v3", "v4", "v5"] {
        pulls_whole(&app, "ret/other", t).await;
    }
    // A second preview finds nothing more to do.
    let again = preview(&app, &policy).await;
    assert_eq!(again["totals"]["manifests_removed"], 0);
}

#[tokio::test]
async fn with_no_undo_window_a_run_and_orphan_cleanup_free_exactly_the_previewed_bytes() {
    let app = TestApp::spawn().await;
    five(&app, "exact/a").await;
    // An image pushed by digest and never tagged (pending, in no version) goes too.
    image(&app, "exact/a", None, &[bytes(150, 1234)]).await;
    // A repository outside the policy shares one of the removed layers: it must not count.
    image(&app, "exact/keep", Some("x"), &[bytes(101, 1000)]).await;
    let policy = create_policy(
        &app,
        json!({"name": "exact", "repositories": ["exact/a"], "rules": [{"tags": "v[45]", "always": true}],
               "delay": "0s", "undo_window": "0s"}),
    )
    .await;
    let p = preview(&app, &policy).await;
    let freed = p["totals"]["bytes_freed"].as_i64().unwrap();
    assert_eq!(p["totals"]["manifests_removed"], 4, "{p}");
    // v1..v3's configs and own layers, less v1's layer that exact/keep also uses.
    assert!(freed > 0);
    cleanup(&app, 0).await;
    let before = stored_bytes(&app);
    run(&app, &policy, false).await;
    assert_eq!(
        app.versions("exact/a").await.len(),
        1,
        "no undo window: only the latest stays"
    );
    cleanup(&app, 0).await;
    let after = stored_bytes(&app);
    assert_eq!(
        (before - after) as i64,
        freed,
        "storage freed what the preview said"
    );
    pulls_whole(&app, "exact/keep", "x").await;
    for t in ["v4", "v5"] {
        pulls_whole(&app, "exact/a", t).await;
    }
}

#[tokio::test]
async fn the_undo_window_keeps_the_version_before_the_run_until_it_passed() {
    let app = TestApp::spawn().await;
    five(&app, "undo/app").await;
    let policy = create_policy(
        &app,
        json!({"name": "undo", "rules": [{"latest_pushed": 1}], "delay": "0s", "undo_window": "2d"}),
    )
    .await;
    let freed = preview(&app, &policy).await["totals"]["bytes_freed"]
        .as_i64()
        .unwrap();
    run(&app, &policy, false).await;
    let before = stored_bytes(&app);
    cleanup(&app, 0).await;
    assert_eq!(
        stored_bytes(&app),
        before,
        "within the window nothing is freed"
    );
    // The hourly job a day later (the server-wide 24 h age pruning runs too) keeps version 5.
    let state = replica(&app).await;
    scheduler::run_due(&state.tasks, Utc::now() + Duration::hours(30))
        .await
        .unwrap();
    assert_eq!(
        app.versions("undo/app").await,
        vec![5, 6],
        "the version before the run stays"
    );
    // Once the window passed, the versions before the run go and cleanup frees the bytes.
    scheduler::run_due(&state.tasks, Utc::now() + Duration::days(3))
        .await
        .unwrap();
    assert_eq!(app.versions("undo/app").await, vec![6]);
    let before = stored_bytes(&app);
    cleanup(&app, 0).await;
    assert_eq!((before - stored_bytes(&app)) as i64, freed);
    pulls_whole(&app, "undo/app", "v5").await;
}

#[tokio::test]
async fn the_undo_window_closes_even_with_age_pruning_of_versions_turned_off() {
    let app = TestApp::spawn_with(|s| s.version_retention_hours = 0).await;
    five(&app, "undo0/app").await;
    let policy = create_policy(
        &app,
        json!({"name": "undo0", "rules": [{"latest_pushed": 1}], "delay": "0s", "undo_window": "2d"}),
    )
    .await;
    let freed = preview(&app, &policy).await["totals"]["bytes_freed"]
        .as_i64()
        .unwrap();
    run(&app, &policy, false).await;
    let state = replica(&app).await;
    scheduler::run_due(&state.tasks, Utc::now() + Duration::days(3))
        .await
        .unwrap();
    assert_eq!(app.versions("undo0/app").await, vec![6]);
    let before = stored_bytes(&app);
    cleanup(&app, 0).await;
    assert_eq!((before - stored_bytes(&app)) as i64, freed);
}

#[tokio::test]
async fn only_who_manages_a_policy_may_preview_or_run_it_and_bad_input_is_refused() {
    let app = TestApp::spawn().await;
    five(&app, "rbac/app").await;
    let policy = create_policy(&app, json!({"name": "p", "rules": [{"always": true}]})).await;
    app.create_user("alice", "alice-password-1").await;
    for path in ["preview/", "run/"] {
        let res = app
            .anon(Method::POST, &format!("{policy}{path}"))
            .basic_auth("alice", Some("alice-password-1"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    let (s, _) = app
        .api(
            Method::POST,
            &format!("{PREFIX}{}/preview/", Uuid::now_v7()),
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{policy}run/"),
            Some(json!({"dry_run": "yes"})),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    assert!(v["dry_run"].is_array(), "{v}");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{policy}run/"),
            Some(json!({"wet": true})),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = app
        .api(Method::POST, &format!("{policy}preview/?limit=-1"), None)
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = app
        .api(Method::POST, &format!("{policy}preview/?limit=0"), None)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["repositories"], json!([]));
    assert_eq!(v["totals"]["repositories"], 1);
    // A namespace's policy covers its repositories, by full or namespace-relative pattern.
    five(&app, "other/app").await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=rbac")
        .await;
    for pattern in ["app", "rbac/*"] {
        let scoped = create_policy(
            &app,
            json!({"name": format!("scoped {pattern}"), "namespace": ns["pulp_href"],
                   "repositories": [pattern], "rules": [{"always": true}]}),
        )
        .await;
        let v = preview(&app, &scoped).await;
        assert_eq!(v["totals"]["repositories"], 1, "{pattern}: {v}");
        assert_eq!(v["repositories"][0]["name"], "rbac/app");
    }
}
