//! Pull tracking (issue 13 §5): manifest GETs by tag and by digest are counted per repository
//! in memory and written in batches; HEADs and failed GETs are not; a repository or content
//! deleted before the flush is skipped; the last pulls are written when the server stops; and
//! two servers on one database add up. Tests flush with `TestApp::flush_pulls` (the periodic
//! flush is set far away) unless they test the periodic flusher.
use crate::common::oci::bytes;
use crate::common::TestApp;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

/// Pull figures of repository `name`: tag name or manifest digest → (count, last pulled).
async fn figures(app: &TestApp, name: &str) -> HashMap<String, (i64, DateTime<Utc>)> {
    use sea_orm::{ConnectionTrait, Statement};
    let db = sea_orm::Database::connect(&app.settings.database_url)
        .await
        .unwrap();
    let backend = db.get_database_backend();
    let ph = if backend == sea_orm::DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT COALESCE(t.name, m.digest) AS what, p.pull_count, p.last_pulled_at \
                 FROM repository_pulls p JOIN repositories r ON r.id = p.repository_id \
                 LEFT JOIN tags t ON t.id = p.content_id \
                 LEFT JOIN manifests m ON m.id = p.content_id WHERE r.name = {ph}"
            ),
            vec![name.into()],
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "what").unwrap(),
                (
                    r.try_get("", "pull_count").unwrap(),
                    r.try_get("", "last_pulled_at").unwrap(),
                ),
            )
        })
        .collect()
}

fn count(f: &HashMap<String, (i64, DateTime<Utc>)>, what: &str) -> i64 {
    f.get(what).map(|x| x.0).unwrap_or(0)
}

/// Tracking on, flushed only when the test says so (or at shutdown).
async fn app() -> TestApp {
    TestApp::spawn_with(|s| s.pull_flush_seconds = 86_400).await
}

async fn pull(app: &TestApp, method: Method, name: &str, reference: &str) -> StatusCode {
    app.request(method, &format!("/v2/{name}/manifests/{reference}"))
        .send()
        .await
        .unwrap()
        .status()
}

/// Deletes image `digest` of `repo` so that nothing holds it any more: the repository keeps
/// one version, the image is deleted over `/v2/`, and orphan cleanup (protection 0) runs.
async fn delete_for_good(app: &TestApp, repo: &str, digest: &str) {
    let r = app
        .api_one(&format!(
            "/pulp/api/v3/repositories/container/container-push/?name={repo}"
        ))
        .await;
    app.api_task(
        Method::PATCH,
        r["pulp_href"].as_str().unwrap(),
        Some(json!({"retain_repo_versions": 1})),
    )
    .await;
    let res = app
        .delete(&format!("/v2/{repo}/manifests/{digest}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    app.api_task(
        Method::POST,
        "/pulp/api/v3/orphans/cleanup/",
        Some(json!({"orphan_protection_time": 0})),
    )
    .await;
}

#[tokio::test]
async fn gets_by_tag_and_by_digest_are_counted_and_heads_and_failed_gets_are_not() {
    let app = app().await;
    let (_, digest) = app.push_image("pulls/app", "v1", &[bytes(1, 100)]).await;
    app.push_image("pulls/app", "v2", &[bytes(2, 100)]).await;
    let before = Utc::now();
    for _ in 0..2 {
        assert_eq!(pull(&app, Method::GET, "pulls/app", "v1").await, 200);
    }
    assert_eq!(pull(&app, Method::GET, "pulls/app", &digest).await, 200);
    for _ in 0..3 {
        assert_eq!(pull(&app, Method::HEAD, "pulls/app", "v2").await, 200);
    }
    assert_eq!(pull(&app, Method::HEAD, "pulls/app", &digest).await, 200);
    assert_eq!(pull(&app, Method::GET, "pulls/app", "nope").await, 404);
    assert_eq!(pull(&app, Method::GET, "pulls/none", "v1").await, 404);
    let missing = format!("sha256:{}", "0".repeat(64));
    assert_eq!(pull(&app, Method::GET, "pulls/app", &missing).await, 404);
    // A tag whose manifest the Accept header excludes is a failed GET too.
    let refused = app
        .get("/v2/pulls/app/manifests/v2")
        .header(
            "Accept",
            "application/vnd.docker.distribution.manifest.v2+json",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);

    app.flush_pulls().await;
    let f = figures(&app, "pulls/app").await;
    assert_eq!(count(&f, "v1"), 2, "{f:?}");
    assert_eq!(count(&f, &digest), 3, "two by tag, one by digest: {f:?}");
    assert_eq!(f.len(), 2, "nothing for v2 or its manifest: {f:?}");
    let (_, at) = f["v1"];
    assert!(
        at >= before - chrono::TimeDelta::seconds(1) && at <= Utc::now(),
        "{at}"
    );

    // The next batch adds to the stored figures.
    assert_eq!(pull(&app, Method::GET, "pulls/app", "v1").await, 200);
    app.flush_pulls().await;
    let f = figures(&app, "pulls/app").await;
    assert_eq!((count(&f, "v1"), count(&f, &digest)), (3, 4));
    assert!(f["v1"].1 >= at);
}

#[tokio::test]
async fn repositories_and_content_deleted_before_the_flush_are_skipped() {
    let app = TestApp::spawn_with(|s| {
        s.pull_flush_seconds = 86_400;
        s.orphan_protection_minutes = 0;
    })
    .await;
    app.push_image("gone/app", "v1", &[bytes(11, 100)]).await;
    let (_, removed) = app.push_image("kept/app", "old", &[bytes(12, 100)]).await;
    let (_, digest) = app.push_image("kept/app", "v1", &[bytes(13, 100)]).await;
    assert_eq!(pull(&app, Method::GET, "gone/app", "v1").await, 200);
    assert_eq!(pull(&app, Method::GET, "kept/app", "old").await, 200);
    assert_eq!(pull(&app, Method::GET, "kept/app", "v1").await, 200);

    // The repository goes with its distribution; the other image's manifest and tag leave
    // the repository (no older version keeps them), then the database (orphan cleanup).
    let dist = app
        .api_one("/pulp/api/v3/distributions/container/container/?name=gone/app")
        .await;
    app.api_task(Method::DELETE, dist["pulp_href"].as_str().unwrap(), None)
        .await;
    delete_for_good(&app, "kept/app", &removed).await;

    app.flush_pulls().await;
    assert!(figures(&app, "gone/app").await.is_empty());
    let f = figures(&app, "kept/app").await;
    assert_eq!(f.len(), 2, "only v1 and its manifest: {f:?}");
    assert_eq!((count(&f, "v1"), count(&f, &digest)), (1, 1));
}

#[tokio::test]
async fn stopping_the_server_writes_the_pulls_still_in_memory() {
    let mut app = app().await;
    let (_, digest) = app.push_image("stop/app", "v1", &[bytes(21, 100)]).await;
    for _ in 0..3 {
        assert_eq!(pull(&app, Method::GET, "stop/app", "v1").await, 200);
    }
    assert!(
        figures(&app, "stop/app").await.is_empty(),
        "not flushed yet"
    );
    app.stop().await;
    let f = figures(&app, "stop/app").await;
    assert_eq!((count(&f, "v1"), count(&f, &digest)), (3, 3), "{f:?}");
}

#[tokio::test]
async fn two_servers_on_one_database_add_their_counts_up() {
    let a = app().await;
    let (_, digest) = a.push_image("two/app", "v1", &[bytes(31, 100)]).await;
    // The second server flushes on its own every second.
    let (url, store) = (
        a.settings.database_url.clone(),
        a.settings.storage_url.clone(),
    );
    let b = TestApp::spawn_with(move |s| {
        s.database_url = url;
        s.storage_url = store;
        s.pull_flush_seconds = 1;
    })
    .await;
    let pulls = [(&a, 3), (&b, 2)];
    for (app, n) in pulls {
        for _ in 0..n {
            assert_eq!(pull(app, Method::GET, "two/app", "v1").await, 200);
            assert_eq!(pull(app, Method::GET, "two/app", &digest).await, 200);
        }
    }
    a.flush_pulls().await;
    let mut f = figures(&a, "two/app").await;
    for _ in 0..100 {
        if count(&f, "v1") == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        f = figures(&a, "two/app").await;
    }
    assert_eq!((count(&f, "v1"), count(&f, &digest)), (5, 10), "{f:?}");
}

#[tokio::test]
async fn with_tracking_off_nothing_is_recorded() {
    let app = TestApp::spawn_with(|s| s.pull_flush_seconds = 0).await;
    app.push_image("off/app", "v1", &[bytes(41, 100)]).await;
    assert_eq!(pull(&app, Method::GET, "off/app", "v1").await, 200);
    app.flush_pulls().await;
    assert!(figures(&app, "off/app").await.is_empty());
}

#[tokio::test]
async fn orphan_cleanup_forgets_the_pull_figures_of_the_content_it_deletes() {
    let app = TestApp::spawn_with(|s| {
        s.pull_flush_seconds = 86_400;
        s.orphan_protection_minutes = 0;
    })
    .await;
    let (_, old) = app.push_image("forget/app", "old", &[bytes(31, 100)]).await;
    let (_, digest) = app.push_image("forget/app", "v1", &[bytes(32, 100)]).await;
    assert_eq!(pull(&app, Method::GET, "forget/app", "old").await, 200);
    assert_eq!(pull(&app, Method::GET, "forget/app", "v1").await, 200);
    app.flush_pulls().await;
    assert_eq!(figures(&app, "forget/app").await.len(), 4);
    delete_for_good(&app, "forget/app", &old).await;
    let f = figures(&app, "forget/app").await;
    assert_eq!(f.len(), 2, "only v1 and its manifest stay: {f:?}");
    assert_eq!((count(&f, "v1"), count(&f, &digest)), (1, 1));
}
