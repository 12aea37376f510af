//! Out of the box a deleted image's bytes come back: the scheduler prunes superseded versions
//! after `version_retention_hours` and runs orphan cleanup daily, each run once across
//! replicas. Tests run the due jobs with the clock advanced (`scheduler::run_due`).
use crate::common::oci::bytes;
use crate::common::TestApp;
use crate::reclaim_delete::{blob_file, blobs_of, pulls_whole};
use berth::service::housekeeping::scheduler;
use berth::state::AppState;
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};

/// A second process's view of the app (another replica on the same database and store).
pub async fn replica(app: &TestApp) -> AppState {
    berth::startup::state(app.settings.clone()).await.unwrap()
}

/// The orphan cleanup tasks, newest first.
async fn cleanup_tasks(app: &TestApp) -> Vec<Value> {
    let v = app
        .api_get("/pulp/api/v3/tasks/?name=pulpcore.app.tasks.orphan.orphan_cleanup")
        .await;
    v["results"].as_array().unwrap().clone()
}

/// Every blob file in the local store, as digests.
fn stored_digests(app: &TestApp) -> Vec<String> {
    let root = blob_file(app, &format!("sha256:{}", "0".repeat(64)));
    let sha = root.parent().unwrap().parent().unwrap();
    let mut out = vec![];
    for dir in std::fs::read_dir(sha).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let name = f.unwrap().file_name().to_string_lossy().to_string();
            out.push(format!("sha256:{name}"));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn deleting_an_image_gives_its_bytes_back_once_the_scheduled_jobs_ran() {
    // Default retention (24 h) and cleanup interval (daily); no protection time so the
    // advanced clock of the scheduler is all that is needed.
    let app = TestApp::spawn_with(|s| s.orphan_protection_minutes = 0).await;
    let shared = bytes(21, 4000);
    let (ma, da) = app
        .push_image("e2e/app", "a", &[shared.clone(), bytes(22, 3000)])
        .await;
    let (mb, _) = app
        .push_image("e2e/app", "b", &[shared.clone(), bytes(23, 3000)])
        .await;
    let res = app
        .delete(&format!("/v2/e2e/app/manifests/{da}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let only_a: Vec<String> = blobs_of(&ma)
        .into_iter()
        .filter(|d| !blobs_of(&mb).contains(d))
        .collect();
    for d in &only_a {
        assert!(blob_file(&app, d).exists(), "older versions still hold {d}");
    }

    let state = replica(&app).await;
    let ran = scheduler::run_due(&state.tasks, Utc::now() + Duration::hours(25))
        .await
        .unwrap();
    assert!(ran.contains(&scheduler::VERSION_RETENTION), "{ran:?}");
    assert!(ran.contains(&scheduler::ORPHAN_CLEANUP), "{ran:?}");
    let tasks = cleanup_tasks(&app).await;
    assert_eq!(tasks.len(), 1, "one scheduled cleanup: {tasks:?}");
    let t = app.task_done(tasks[0]["pulp_href"].as_str().unwrap()).await;
    assert_eq!(t["state"], "completed", "{t}");

    for d in &only_a {
        assert!(!blob_file(&app, d).exists(), "{d} is gone from storage");
    }
    let mut expected = blobs_of(&mb);
    expected.sort();
    assert_eq!(stored_digests(&app), expected, "storage holds image b only");
    pulls_whole(&app, "e2e/app", "b").await;
    let versions = app.versions("e2e/app").await;
    assert_eq!(
        versions.len(),
        1,
        "only the latest version is kept: {versions:?}"
    );
}

#[tokio::test]
async fn superseded_versions_go_after_the_retention_window_and_explicit_retain_still_rules() {
    let app = TestApp::spawn().await;
    for tag in ["1", "2", "3"] {
        app.push_image("keep/default", tag, &[bytes(tag.len() as u64 + 30, 100)])
            .await;
        app.push_image("keep/explicit", tag, &[bytes(tag.len() as u64 + 40, 100)])
            .await;
    }
    let repo = app
        .api_one("/pulp/api/v3/repositories/container/container-push/?name=keep/explicit")
        .await;
    app.api_task(
        Method::PATCH,
        repo["pulp_href"].as_str().unwrap(),
        Some(json!({"retain_repo_versions": 3})),
    )
    .await;
    assert_eq!(app.versions("keep/default").await, vec![0, 1, 2, 3]);
    assert_eq!(app.versions("keep/explicit").await, vec![1, 2, 3]);
    let state = replica(&app).await;
    let db = &state.db;
    use berth::service::housekeeping::retention::prune_aged;
    assert_eq!(prune_aged(db, Utc::now(), 24).await.unwrap(), 0);
    assert_eq!(app.versions("keep/default").await, vec![0, 1, 2, 3]);
    // Nothing was superseded 26 h before the advanced clock; 24 h before it, all but the
    // latest version were.
    let t = Utc::now() + Duration::hours(25);
    prune_aged(db, t, 26).await.unwrap();
    assert_eq!(app.versions("keep/default").await, vec![0, 1, 2, 3]);
    prune_aged(db, t, 24).await.unwrap();
    assert_eq!(app.versions("keep/default").await, vec![3]);
    assert_eq!(app.versions("keep/explicit").await, vec![1, 2, 3]);
    for tag in ["1", "2", "3"] {
        pulls_whole(&app, "keep/default", tag).await;
    }
}

#[tokio::test]
async fn scheduled_jobs_run_once_across_replicas() {
    let app = TestApp::spawn().await;
    let (a, b) = (replica(&app).await, replica(&app).await);
    let now = Utc::now() + Duration::hours(25);
    let (ra, rb) = tokio::join!(
        scheduler::run_due(&a.tasks, now),
        scheduler::run_due(&b.tasks, now)
    );
    let mut all = ra.unwrap();
    all.extend(rb.unwrap());
    all.sort();
    let mut expected = vec![
        scheduler::UPLOAD_EXPIRY,
        scheduler::UNDO_WINDOWS,
        scheduler::VERSION_RETENTION,
        scheduler::ORPHAN_CLEANUP,
        scheduler::QUEUE_TRIM,
    ];
    expected.sort();
    assert_eq!(all, expected, "each due job ran exactly once");
    assert_eq!(cleanup_tasks(&app).await.len(), 1);
    let again = scheduler::run_due(&a.tasks, now).await.unwrap();
    assert!(again.is_empty(), "nothing is due twice: {again:?}");
    app.assert_tasks_settled().await;
}

#[tokio::test]
async fn scheduled_orphan_cleanup_and_version_retention_can_be_turned_off() {
    let app = TestApp::spawn_with(|s| {
        s.orphan_cleanup_interval_hours = 0;
        s.version_retention_hours = 0;
    })
    .await;
    app.push_image("off/app", "1", &[bytes(51, 100)]).await;
    app.push_image("off/app", "2", &[bytes(52, 100)]).await;
    let state = replica(&app).await;
    let ran = scheduler::run_due(&state.tasks, Utc::now() + Duration::days(400))
        .await
        .unwrap();
    assert!(!ran.contains(&scheduler::ORPHAN_CLEANUP), "{ran:?}");
    assert!(!ran.contains(&scheduler::VERSION_RETENTION), "{ran:?}");
    assert!(cleanup_tasks(&app).await.is_empty());
    assert_eq!(app.versions("off/app").await, vec![0, 1, 2]);
}
