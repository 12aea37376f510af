//! Retention policies on plain container repositories: a policy for every namespace covers
//! them by full name and previews, runs (one new version), frees (exactly the previewed bytes)
//! and is undone (`restore/`) there as on push repositories; a namespace's policy never reaches
//! a plain repository, even one named under the namespace.
use crate::common::TestApp;
use crate::container_repos::{create, distribute, REPOS};
use crate::container_repos_content::{created, present, push_href};
use crate::reclaim_delete::{cleanup, pulls_whole};
use crate::reclaim_scheduler::replica;
use crate::retention_policies::{self as policies, namespace, POLICIES};
use crate::retention_runs::helpers::{blob_sizes, five, preview, report, run, stored_bytes, tags};
use berth::service::housekeeping::scheduler;
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Copies the tags `names` of push repository `source` into plain repository `href`, one
/// version per tag (so each has its own push time); returns the last version's href.
async fn promote(app: &TestApp, href: &str, source: &str, names: &[&str]) -> String {
    let mut last = String::new();
    for name in names {
        let t = app
            .api_task(
                Method::POST,
                &format!("{href}copy_tags/"),
                Some(json!({"source_repository": source, "names": [name]})),
            )
            .await;
        last = created(&t);
    }
    last
}

async fn latest(app: &TestApp, href: &str) -> String {
    app.api_get(href).await["latest_version_href"]
        .as_str()
        .unwrap()
        .to_string()
}

fn names(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["tags"][0].as_str().unwrap())
        .collect()
}

fn href(v: &Value) -> String {
    v["pulp_href"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_policy_for_every_namespace_previews_runs_and_frees_a_plain_repository_like_a_push_one() {
    let app = TestApp::spawn().await;
    let images = five(&app, "dev/app").await;
    let source = push_href(&app, "dev/app").await;
    let prod = href(&create(&app, "prod/app").await);
    promote(&app, &prod, &source, &["v1", "v2", "v3", "v4", "v5"]).await;
    distribute(&app, "prod/app", &prod).await;
    let policy = href(
        &policies::create(
            &app,
            json!({"name": "prod-keep-two", "namespace": null, "repositories": ["prod/**"],
                   "rules": [{"latest_pushed": 2}], "delay": "0s", "undo_window": "0s"}),
        )
        .await,
    );

    let p = preview(&app, &policy).await;
    assert_eq!(p["totals"]["repositories"], 1, "only the plain one: {p}");
    let r = &p["repositories"][0];
    assert_eq!(r["name"], "prod/app");
    assert_eq!(
        r["pulp_href"],
        json!(prod),
        "the plain repository's own href"
    );
    assert_eq!(r["skipped"], Value::Null);
    assert_eq!(names(&r["kept"]), ["v5", "v4"], "{r}");
    assert_eq!(r["kept"][0]["kept_by"], json!(["rule 0"]));
    assert_eq!(names(&r["removed"]), ["v3", "v2", "v1"], "{r}");
    assert_eq!(
        r["removed"][2]["size"],
        blob_sizes(&images[0]).iter().map(|b| b.1).sum::<i64>()
    );
    assert_eq!(p["totals"]["tags_removed"], 3);
    assert_eq!(p["totals"]["manifests_removed"], 3);
    assert_eq!(p["totals"]["bytes_freed"], 0, "dev/app still holds them");

    let before = latest(&app, &prod).await;
    let dry = run(&app, &policy, true).await;
    assert_eq!(dry["created_resources"], json!([]));
    assert_eq!(dry["result"]["totals"], p["totals"]);
    assert_eq!(
        latest(&app, &prod).await,
        before,
        "a dry run makes no version"
    );

    let done = run(&app, &policy, false).await;
    assert_eq!(done["result"]["totals"], p["totals"]);
    let v = created(&done);
    assert_eq!(v, format!("{prod}versions/6/"), "one new version");
    assert_eq!(latest(&app, &prod).await, v);
    assert_eq!(report(&done, "retention.versions_created"), 1);
    assert_eq!(
        present(&app, &v).await,
        (2, 2, 5),
        "v4, v5, their configs, own layers and the shared base"
    );
    assert_eq!(tags(&app, "prod/app").await, ["v4", "v5"]);
    for t in ["v1", "v2", "v3"] {
        let res = app
            .get(&format!("/v2/prod/app/manifests/{t}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{t} is no longer served");
    }
    for t in ["v4", "v5"] {
        pulls_whole(&app, "prod/app", t).await;
    }
    assert_eq!(tags(&app, "dev/app").await, ["v1", "v2", "v3", "v4", "v5"]);
    assert_eq!(
        preview(&app, &policy).await["totals"]["manifests_removed"],
        0
    );

    // Over both kinds at once, the freed bytes are the blobs nothing kept holds, once each.
    let both = href(
        &policies::create(
            &app,
            json!({"name": "only-v5", "repositories": ["dev/app", "prod/app"],
                   "rules": [{"tags": "v5", "always": true}], "delay": "0s", "undo_window": "0s"}),
        )
        .await,
    );
    let p = preview(&app, &both).await;
    assert_eq!(p["totals"]["repositories"], 2, "{p}");
    assert_eq!(p["totals"]["manifests_removed"], 5, "v1..v4 and prod's v4");
    let expected: i64 = images[..4]
        .iter()
        .map(|m| {
            let b = blob_sizes(m);
            b[0].1 + b[2].1
        })
        .sum();
    assert_eq!(
        p["totals"]["bytes_freed"], expected,
        "configs and own layers"
    );
    cleanup(&app, 0).await;
    let before = stored_bytes(&app);
    let done = run(&app, &both, false).await;
    assert_eq!(done["created_resources"].as_array().unwrap().len(), 2);
    assert_eq!(app.versions("prod/app").await, [7], "no undo window");
    cleanup(&app, 0).await;
    assert_eq!((before - stored_bytes(&app)) as i64, expected);
    pulls_whole(&app, "prod/app", "v5").await;
    pulls_whole(&app, "dev/app", "v5").await;
}

#[tokio::test]
async fn restoring_a_plain_repository_undoes_a_retention_run_until_its_undo_window_passed() {
    let app = TestApp::spawn().await;
    five(&app, "src/app").await;
    let source = push_href(&app, "src/app").await;
    let rel = href(&create(&app, "rel/app").await);
    let before_run = promote(&app, &rel, &source, &["v1", "v2", "v3"]).await;
    distribute(&app, "rel/app", &rel).await;
    let policy = href(
        &policies::create(
            &app,
            json!({"name": "rel-latest", "repositories": ["rel/*"],
                   "rules": [{"latest_pushed": 1}], "delay": "0s"}),
        )
        .await,
    );
    let done = run(&app, &policy, false).await;
    assert_eq!(created(&done), format!("{rel}versions/4/"));
    assert_eq!(tags(&app, "rel/app").await, ["v3"]);

    app.create_user("viewer", "pw-viewer").await;
    app.create_user("outsider", "pw-outsider").await;
    app.grant_role("viewer", "container.containerrepository_viewer", Some(&rel))
        .await;
    let body = json!({"version": before_run});
    let restore = format!("{rel}restore/");
    for (user, status) in [
        ("", StatusCode::UNAUTHORIZED),
        ("outsider", StatusCode::NOT_FOUND),
        ("viewer", StatusCode::FORBIDDEN),
    ] {
        let (s, v) = app
            .call_as(user, Method::POST, &restore, Some(body.clone()))
            .await;
        assert_eq!(s, status, "{user}: {v}");
    }
    let push_version = format!("{source}versions/1/");
    for (version, says) in [
        (push_version.as_str(), "belongs to another repository"),
        ("/pulp/api/v3/tasks/", "is not a repository version href"),
    ] {
        let (s, v) = app
            .api(Method::POST, &restore, Some(json!({ "version": version })))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert!(v["version"][0].as_str().unwrap().contains(says), "{v}");
    }

    let t = app
        .api_task(Method::POST, &restore, Some(body.clone()))
        .await;
    assert_eq!(created(&t), format!("{rel}versions/5/"));
    assert_eq!(tags(&app, "rel/app").await, ["v1", "v2", "v3"]);
    for tag in ["v1", "v2", "v3"] {
        pulls_whole(&app, "rel/app", tag).await;
    }

    // Once the run's undo window (7 days) passed, the versions before the run are gone.
    let state = replica(&app).await;
    scheduler::run_due(&state.tasks, Utc::now() + Duration::days(8))
        .await
        .unwrap();
    let kept = app.versions("rel/app").await;
    assert!(!kept.contains(&3) && kept.last() == Some(&5), "{kept:?}");
    let (s, v) = app.api(Method::POST, &restore, Some(body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["version"][0].as_str().unwrap().contains("pruned"), "{v}");
}

#[tokio::test]
async fn a_namespace_owners_policy_never_touches_plain_repositories_named_under_the_namespace() {
    let app = TestApp::spawn().await;
    let team = namespace(&app, "team").await;
    app.create_user("owner", "pw-owner").await;
    app.grant_role("owner", "container.containernamespace_owner", Some(&team))
        .await;
    app.grant_role("owner", "container.containerrepository_creator", None)
        .await;
    five(&app, "team/app").await;
    let source = push_href(&app, "team/app").await;
    // One plain repository the owner may not manage, and one they created (and own).
    let foreign = href(&create(&app, "team/prod").await);
    let (s, own) = app
        .call_as(
            "owner",
            Method::POST,
            REPOS,
            Some(json!({"name": "team/own"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{own}");
    let own = href(&own);
    let all = ["v1", "v2", "v3", "v4", "v5"];
    let plain = [
        promote(&app, &foreign, &source, &all).await,
        promote(&app, &own, &source, &all).await,
    ];

    let (s, policy) = app
        .call_as(
            "owner",
            Method::POST,
            POLICIES,
            Some(json!({"name": "team-latest", "namespace": team,
                        "repositories": ["**", "team/**", "prod", "own"],
                        "rules": [{"latest_pushed": 1}], "delay": "0s"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{policy}");
    let policy = href(&policy);
    let (s, p) = app
        .call_as("owner", Method::POST, &format!("{policy}preview/"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["totals"]["repositories"], 1, "{p}");
    assert_eq!(p["repositories"][0]["name"], "team/app");
    let (s, t) = app
        .call_as(
            "owner",
            Method::POST,
            &format!("{policy}run/"),
            Some(json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{t}");
    let t = app.task_done(t["task"].as_str().unwrap()).await;
    assert_eq!(t["state"], "completed", "{t}");
    let made = created(&t);
    assert!(made.starts_with(&source), "only the push repository: {t}");
    assert_eq!(tags(&app, "team/app").await, ["v5"]);
    for (repo, version) in [&foreign, &own].into_iter().zip(&plain) {
        assert_eq!(&latest(&app, repo).await, version, "{repo} untouched");
        assert_eq!(present(&app, version).await.0, 5);
    }

    // A superuser's policy for every namespace covers them by full name.
    let every = href(
        &policies::create(
            &app,
            json!({"name": "every", "repositories": ["team/**"],
                   "rules": [{"latest_pushed": 1}], "delay": "0s"}),
        )
        .await,
    );
    let p = preview(&app, &every).await;
    let covered: Vec<&str> = p["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(covered, ["team/app", "team/own", "team/prod"], "{p}");
    assert_eq!(
        p["totals"]["manifests_removed"], 8,
        "four in each plain one"
    );
}
