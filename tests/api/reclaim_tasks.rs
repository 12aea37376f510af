//! Nothing piles up: an orphan cleanup requested while an equal one is waiting returns that
//! task; purging tasks deletes their queue jobs, and finished jobs are trimmed by the scheduler.
use crate::common::TestApp;
use crate::reclaim_scheduler::replica;
use berth::service::housekeeping::scheduler;
use chrono::{Duration, Utc};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

/// `(task id, status)` of every apalis job row.
async fn jobs(app: &TestApp) -> Vec<(String, String)> {
    let url = &app.settings.database_url;
    let (url, sql) = if url.starts_with("postgres") {
        (
            url.clone(),
            "SELECT convert_from(job, 'UTF8') AS job, status FROM apalis.jobs",
        )
    } else {
        let path = url.split_once('?').map(|(p, _)| p).unwrap_or(url);
        (
            format!("{path}-queue?mode=rw"),
            "SELECT CAST(job AS TEXT) AS job, status FROM Jobs",
        )
    };
    let db = sea_orm::Database::connect(url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let job: String = r.try_get("", "job").unwrap();
            let job: Value = serde_json::from_str(&job).unwrap();
            (
                job["task_id"].as_str().unwrap().to_string(),
                r.try_get("", "status").unwrap(),
            )
        })
        .collect()
}

fn task_id(href: &str) -> String {
    href.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_orphan_cleanup_requested_while_an_equal_one_waits_returns_that_task() {
    // No workers: tasks stay waiting.
    let app = TestApp::spawn_with(|s| s.workers = 0).await;
    app.expect_unsettled_tasks();
    let ask = |body: Value| {
        let app = &app;
        async move {
            let (s, v) = app
                .api(Method::POST, "/pulp/api/v3/orphans/cleanup/", Some(body))
                .await;
            assert_eq!(s, 202, "{v}");
            v["task"].as_str().unwrap().to_string()
        }
    };
    let first = ask(json!({})).await;
    assert_eq!(ask(json!({})).await, first);
    assert_eq!(
        ask(json!({"orphan_protection_time": 1440})).await,
        first,
        "the default protection time is the same request"
    );
    let (s, v) = app.api(Method::DELETE, "/pulp/api/v3/orphans/", None).await;
    assert_eq!(s, 202);
    assert_eq!(v["task"], first.as_str());
    let other = ask(json!({"orphan_protection_time": 0})).await;
    assert_ne!(other, first, "a different cleanup is queued");
    assert_eq!(ask(json!({"orphan_protection_time": 0})).await, other);
    let listed = app
        .api_get("/pulp/api/v3/tasks/?name=pulpcore.app.tasks.orphan.orphan_cleanup")
        .await;
    assert_eq!(listed["count"], 2);
}

#[tokio::test]
async fn purging_tasks_deletes_their_queue_jobs_and_finished_jobs_are_trimmed() {
    let app = TestApp::spawn().await;
    let mut ids = vec![];
    for minutes in [1, 2, 3] {
        let t = app
            .api_task(
                Method::POST,
                "/pulp/api/v3/orphans/cleanup/",
                Some(json!({"orphan_protection_time": minutes})),
            )
            .await;
        ids.push(task_id(t["pulp_href"].as_str().unwrap()));
    }
    // Wait until a worker has taken each queued job (the task itself ran at once).
    for _ in 0..500 {
        let js = jobs(&app).await;
        if ids
            .iter()
            .all(|id| js.iter().any(|(t, s)| t == id && s == "Done"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let js = jobs(&app).await;
    for id in &ids {
        assert!(js.iter().any(|(t, _)| t == id), "job of {id}: {js:?}");
    }
    let purge = app
        .api_task(
            Method::POST,
            "/pulp/api/v3/tasks/purge/",
            Some(
                json!({"finished_before": (Utc::now() + Duration::hours(1)).to_rfc3339(),
                        "states": ["completed"]}),
            ),
        )
        .await;
    let js = jobs(&app).await;
    for id in &ids {
        assert!(!js.iter().any(|(t, _)| t == id), "purged {id}: {js:?}");
    }
    // The purge task's own job is left; the scheduler trims it once it is old.
    let purge_id = task_id(purge["pulp_href"].as_str().unwrap());
    for _ in 0..500 {
        if jobs(&app)
            .await
            .iter()
            .any(|(t, s)| *t == purge_id && s == "Done")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let state = replica(&app).await;
    let ran = scheduler::run_due(&state.tasks, Utc::now() + Duration::hours(2))
        .await
        .unwrap();
    assert!(ran.contains(&scheduler::QUEUE_TRIM), "{ran:?}");
    let js = jobs(&app).await;
    assert!(
        !js.iter().any(|(t, _)| *t == purge_id),
        "finished jobs are trimmed: {js:?}"
    );
}
