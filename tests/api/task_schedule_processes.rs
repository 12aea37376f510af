//! Schedules across replicas and restarts: in-process replicas ticking together, a restarted
//! server, and two real `berth serve` processes on one PostgreSQL database ticking every second
//! (`BERTH_SCHEDULER_TICK_SECONDS=1`): each due slot of a schedule dispatches exactly one task,
//! and a schedule survives both processes stopping and fires after a restart.
use crate::common::TestApp;
use crate::reclaim_scheduler::replica;
use crate::task_schedules::{at, cleanups, create};
use berth::service::housekeeping::schedule_dispatch::dispatch_due;
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::process::{Child, Command};

const ORPHANS: &str = "pulpcore.app.tasks.orphan.orphan_cleanup";

/// A `berth serve` child process, killed when dropped.
struct Serve {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// How many scheduled tasks this process dispatched, from its log.
    fn dispatched(&self) -> usize {
        std::fs::read_to_string(self._dir.path().join("berth.log"))
            .unwrap_or_default()
            .matches("dispatched a scheduled task")
            .count()
    }
}

/// Starts `berth serve` on `app`'s database and storage, with a one-second scheduler tick.
async fn serve(app: &TestApp) -> Serve {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::File::create(dir.path().join("berth.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("BERTH_DATA_DIR", dir.path().join("data"))
        .env("BERTH_DATABASE_URL", &app.settings.database_url)
        .env("BERTH_STORAGE_URL", &app.settings.storage_url)
        .env("BERTH_ADMIN_PASSWORD", "admin-password")
        .env("BERTH_SCHEDULER_TICK_SECONDS", "1")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let s = Serve {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    for _ in 0..300 {
        if let Ok(r) = reqwest::get(format!("{}/pulp/api/v3/livez/", s.base)).await {
            if r.status().is_success() {
                return s;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let log = std::fs::read_to_string(s._dir.path().join("berth.log")).unwrap_or_default();
    panic!("berth serve did not start:\n{log}");
}

/// Waits (through the processes' ticks) until `want` cleanup tasks exist, then a few ticks
/// more to see that no further task comes; returns them, each waited for.
async fn settle_at(app: &TestApp, want: usize) -> Vec<Value> {
    for _ in 0..200 {
        if cleanups(app).await.len() >= want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let tasks = cleanups(app).await;
    for t in &tasks {
        let t = app.task_done(t["pulp_href"].as_str().unwrap()).await;
        assert_eq!(t["state"], "completed", "{t}");
    }
    tasks
}

/// Makes the schedule due now, through the API.
async fn make_due(app: &TestApp, href: &str) {
    let past = (Utc::now() - Duration::seconds(1)).to_rfc3339();
    let (s, v) = app
        .api(Method::PATCH, href, Some(json!({"next_dispatch": past})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn two_berth_serve_processes_dispatch_each_due_slot_exactly_once() {
    if std::env::var("BERTH_TEST_DATABASE_URL").is_err() {
        eprintln!("skipped on SQLite: replicas share PostgreSQL");
        return;
    }
    // The test's own server ticks only at start, so the two processes do the dispatching.
    let app = TestApp::spawn_with(|s| s.scheduler_tick_seconds = 3_600).await;
    let (a, b) = (serve(&app).await, serve(&app).await);
    let s = create(
        &app,
        json!({"name": "gc", "task_name": ORPHANS, "dispatch_interval": "1h",
               "task_args": {"orphan_protection_time": 0}}),
    )
    .await;
    let href = s["pulp_href"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(cleanups(&app).await.is_empty(), "not due: nothing ran");
    for slot in 1..=3 {
        make_due(&app, &href).await;
        let tasks = settle_at(&app, slot).await;
        assert_eq!(tasks.len(), slot, "one task per due slot: {tasks:?}");
        let v = app.api_get(&href).await;
        assert_eq!(v["last_task"], tasks[0]["pulp_href"], "{v}");
        assert!(
            chrono::DateTime::parse_from_rfc3339(v["next_dispatch"].as_str().unwrap()).unwrap()
                > Utc::now() + Duration::minutes(55),
            "advanced by an interval: {v}"
        );
    }
    // The processes dispatched them, three in all (whichever won each slot).
    assert_eq!(
        a.dispatched() + b.dispatched(),
        3,
        "{} + {}",
        a.dispatched(),
        b.dispatched()
    );
    eprintln!("slots won: {} and {}", a.dispatched(), b.dispatched());
    // Both processes served the API throughout.
    for p in [&a, &b] {
        let r = reqwest::get(format!("{}/pulp/api/v3/livez/", p.base))
            .await
            .unwrap();
        assert!(r.status().is_success());
    }

    // Both stop; the schedule stays in the database, comes due while nothing runs, and fires
    // once when a process starts again.
    drop((a, b));
    make_due(&app, &href).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        cleanups(&app).await.len(),
        3,
        "nothing ticks while both are down"
    );
    let again = serve(&app).await;
    let tasks = settle_at(&app, 4).await;
    assert_eq!(tasks.len(), 4, "{tasks:?}");
    assert_eq!(again.dispatched(), 1);
}

#[tokio::test]
async fn replicas_ticking_together_dispatch_each_slot_once() {
    let app = TestApp::spawn().await;
    for i in 0..3 {
        create(
            &app,
            json!({"name": format!("gc {i}"), "task_name": ORPHANS, "dispatch_interval": "1h"}),
        )
        .await;
    }
    let (a, b) = (replica(&app).await, replica(&app).await);
    for hours in [2, 3] {
        let now = Utc::now() + Duration::hours(hours);
        let (ra, rb) = tokio::join!(dispatch_due(&a.tasks, now), dispatch_due(&b.tasks, now));
        let mut all = ra.unwrap();
        all.extend(rb.unwrap());
        assert_eq!(all.len(), 3, "each schedule's slot once: {all:?}");
        // Cleanups coalesce (one runs at a time); let them finish before the next slot.
        app.assert_tasks_settled().await;
    }
}

#[tokio::test]
async fn schedules_survive_a_restart_and_fire_when_due() {
    let mut app = TestApp::spawn().await;
    let s = create(
        &app,
        json!({"name": "gc", "task_name": ORPHANS, "dispatch_interval": "1h"}),
    )
    .await;
    let href = s["pulp_href"].as_str().unwrap().to_string();
    app.restart().await;
    let v = app.api_get(&href).await;
    assert_eq!(v, s, "unchanged by the restart");
    let state = replica(&app).await;
    let slots = dispatch_due(&state.tasks, at(&s["next_dispatch"]))
        .await
        .unwrap();
    assert_eq!(slots.len(), 1, "{slots:?}");
    app.assert_tasks_settled().await;
    assert_eq!(cleanups(&app).await.len(), 1);
}
