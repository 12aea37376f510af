//! `/pulp/api/v3/task-schedules/`: pulpcore's shape (list, read) with berth's create, update
//! and delete, superusers only; a due schedule dispatches its task once per slot (and once
//! after downtime) and skips a slot while its previous task is still going (replicas and
//! restarts: `task_schedule_processes.rs`). Retention policies' schedules follow `sync_policy`. The scheduler is
//! driven with a `now` in the future (`schedule_dispatch::dispatch_due`, `scheduler::run_due`).
use crate::common::TestApp;
use crate::reclaim_scheduler::replica;
use berth::service::housekeeping::schedule_dispatch::{dispatch_due, Slot};
use berth::service::housekeeping::scheduler;
use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LIST: &str = "/pulp/api/v3/task-schedules/";
const ORPHANS: &str = "pulpcore.app.tasks.orphan.orphan_cleanup";
const RETENTION: &str = "berth.app.tasks.retention.run_policy";

pub async fn create(app: &TestApp, body: Value) -> Value {
    let (s, v) = app.api(Method::POST, LIST, Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

pub fn at(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .to_utc()
}

/// The orphan cleanup tasks, newest first.
pub async fn cleanups(app: &TestApp) -> Vec<Value> {
    let v = app
        .api_get(&format!("/pulp/api/v3/tasks/?name={ORPHANS}"))
        .await;
    v["results"].as_array().unwrap().clone()
}

#[tokio::test]
async fn task_schedules_are_created_read_listed_changed_and_deleted_in_pulps_shape() {
    let app = TestApp::spawn().await;
    let before = Utc::now();
    let daily = create(
        &app,
        json!({"name": "nightly gc", "task_name": ORPHANS, "dispatch_interval": "1 00:00:00",
               "task_args": {"orphan_protection_time": 60}}),
    )
    .await;
    let href = daily["pulp_href"].as_str().unwrap().to_string();
    assert!(href.starts_with(LIST), "{daily}");
    let id = href.trim_end_matches('/').rsplit('/').next().unwrap();
    assert_eq!(daily["prn"], format!("prn:core.taskschedule:{id}"));
    assert_eq!(daily["name"], "nightly gc");
    assert_eq!(daily["task_name"], ORPHANS);
    assert_eq!(daily["dispatch_interval"], "1 00:00:00");
    assert_eq!(daily["last_task"], Value::Null);
    assert_eq!(daily["retention_policy"], Value::Null);
    assert_eq!(
        daily["task_args"],
        json!({"orphan_protection_time": 60, "dry_run": false})
    );
    let next = at(&daily["next_dispatch"]);
    assert!(
        next >= before + Duration::hours(24) && next <= Utc::now() + Duration::hours(24),
        "first due one interval from now: {daily}"
    );
    for key in ["pulp_created", "pulp_last_updated"] {
        assert!(daily[key].as_str().unwrap().ends_with('Z'), "{daily}");
    }
    // berth's spans are read too, and the server's protection time is the default.
    let half = create(
        &app,
        json!({"name": "half-hourly", "task_name": ORPHANS, "dispatch_interval": "30m"}),
    )
    .await;
    assert_eq!(half["dispatch_interval"], "00:30:00");
    assert_eq!(
        half["task_args"],
        json!({"orphan_protection_time": app.settings.orphan_protection_minutes, "dry_run": false})
    );

    assert_eq!(app.api_get(&href).await, daily);
    let all = app.api_get(LIST).await;
    assert_eq!(all["count"], 2);
    assert_eq!(all["results"][0]["name"], "half-hourly", "by name");
    let v = app.api_get(&format!("{LIST}?name__contains=gc")).await;
    assert_eq!(v["count"], 1);
    let v = app.api_get(&format!("{LIST}?name=half-hourly")).await;
    assert_eq!(v["results"][0]["pulp_href"], half["pulp_href"]);
    let v = app.api_get(&format!("{LIST}?task_name={ORPHANS}")).await;
    assert_eq!(v["count"], 2);
    let v = app
        .api_get(&format!("{LIST}?task_name__contains=retention"))
        .await;
    assert_eq!(v["count"], 0);
    let v = app
        .api_get(&format!("{LIST}?ordering=-dispatch_interval&limit=1"))
        .await;
    assert_eq!(v["count"], 2);
    assert_eq!(v["results"].as_array().unwrap().len(), 1);
    assert_eq!(v["results"][0]["name"], "nightly gc");
    assert!(v["next"].as_str().unwrap().contains("offset=1"), "{v}");
    let v = app.api_get(&format!("{LIST}?pulp_href__in={href}")).await;
    assert_eq!(v["count"], 1);
    let (s, v) = app.api(Method::GET, &format!("{LIST}?nope=1"), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    // Partial update: a shorter interval brings the next dispatch forward.
    let (s, v) = app
        .api(
            Method::PATCH,
            &href,
            Some(json!({"dispatch_interval": "PT2H"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["dispatch_interval"], "02:00:00");
    assert!(
        at(&v["next_dispatch"]) <= Utc::now() + Duration::hours(2),
        "{v}"
    );
    assert_eq!(v["task_args"], daily["task_args"], "arguments kept");
    let due = "2031-01-02T03:04:05Z";
    let (s, v) = app
        .api(
            Method::PATCH,
            &href,
            Some(json!({"next_dispatch": due, "task_args": {"orphan_protection_time": 5}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["next_dispatch"], "2031-01-02T03:04:05.000000Z");
    assert_eq!(v["task_args"]["orphan_protection_time"], 5);
    // Full update.
    let (s, v) = app
        .api(
            Method::PUT,
            &href,
            Some(json!({"name": "gc", "task_name": ORPHANS, "dispatch_interval": 7200})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "gc");
    assert_eq!(v["dispatch_interval"], "02:00:00");
    let (s, v) = app
        .api(Method::PUT, &href, Some(json!({"name": "gc"})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["task_name"].is_array() && v["dispatch_interval"].is_array(),
        "{v}"
    );

    let (s, _) = app.api(Method::DELETE, &href, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = app.api(Method::GET, &href, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(app.api_get(LIST).await["count"], 1);
}

#[tokio::test]
async fn bad_task_schedules_get_field_errors() {
    let app = TestApp::spawn().await;
    let ok = json!({"name": "a", "task_name": ORPHANS, "dispatch_interval": "1d"});
    create(&app, ok.clone()).await;
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    let cases = [
        (json!({}), "name"),
        (ok.clone(), "name"), // taken
        (with("name", json!("")), "name"),
        (
            with("task_name", json!("pulpcore.app.tasks.purge.purge")),
            "task_name",
        ),
        (with("task_name", json!(5)), "task_name"),
        (with("dispatch_interval", json!("30s")), "dispatch_interval"),
        (
            with("dispatch_interval", json!("soon")),
            "dispatch_interval",
        ),
        (with("dispatch_interval", json!(null)), "dispatch_interval"),
        (
            with("dispatch_interval", json!("36500000d")),
            "dispatch_interval",
        ),
        (with("next_dispatch", json!("tomorrow")), "next_dispatch"),
        (with("task_args", json!([])), "task_args"),
        (with("task_args", json!({"content_hrefs": []})), "task_args"),
        (
            with("task_args", json!({"orphan_protection_time": -1})),
            "task_args",
        ),
        (with("task_args", json!({"dry_run": "yes"})), "task_args"),
        (with("surprise", json!(1)), "surprise"),
    ];
    for (i, (body, field)) in cases.into_iter().enumerate() {
        let mut body = body;
        if i > 1 && field != "name" {
            body["name"] = json!(format!("case {i}"));
        }
        let (s, v) = app.api(Method::POST, LIST, Some(body.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert!(v[field].is_array(), "{body}: {field} named in {v}");
    }
    let (s, v) = app
        .api(
            Method::POST,
            LIST,
            Some(with("dispatch_interval", json!("30s"))),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["dispatch_interval"][0]
            .as_str()
            .unwrap()
            .contains("at least"),
        "{v}"
    );
    // A retention run needs an existing policy.
    let body = json!({"name": "r", "task_name": RETENTION, "dispatch_interval": "1d",
                      "task_args": {"policy": uuid::Uuid::now_v7().to_string()}});
    let (s, v) = app.api(Method::POST, LIST, Some(body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["task_args"].is_array(), "{v}");
    // A dry run is scheduled only where the cleanup task knows it; never silently a real run.
    let (s, v) = app
        .api(
            Method::POST,
            LIST,
            Some(
                json!({"name": "dry", "task_name": ORPHANS, "dispatch_interval": "1d",
                        "task_args": {"dry_run": true}}),
            ),
        )
        .await;
    if s == StatusCode::CREATED {
        assert_eq!(v["task_args"]["dry_run"], true, "{v}");
    } else {
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert!(v.to_string().contains("dry_run"), "{v}");
    }
    assert_eq!(
        app.api_get(LIST).await["count"],
        1 + (s == StatusCode::CREATED) as i64
    );
}

#[tokio::test]
async fn only_superusers_see_and_change_task_schedules() {
    let app = TestApp::spawn().await;
    let s = create(
        &app,
        json!({"name": "gc", "task_name": ORPHANS, "dispatch_interval": "1d"}),
    )
    .await;
    let href = s["pulp_href"].as_str().unwrap();
    app.create_user("bob", "pw-bob").await;
    let (st, v) = app.call_as("bob", Method::GET, LIST, None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["count"], 0, "{v}");
    assert_eq!(v["results"], json!([]));
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"name": "mine"}))),
        (
            Method::PUT,
            Some(json!({"name": "mine", "task_name": ORPHANS, "dispatch_interval": "1d"})),
        ),
        (Method::DELETE, None),
    ] {
        let (st, v) = app.call_as("bob", method.clone(), href, body).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{method} {v}");
    }
    let body = json!({"name": "bob's", "task_name": ORPHANS, "dispatch_interval": "1d"});
    let (st, v) = app
        .call_as("bob", Method::POST, LIST, Some(body.clone()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    let (st, _) = app.call_as("", Method::GET, LIST, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = app.call_as("", Method::POST, LIST, Some(body)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(app.api_get(href).await["name"], "gc", "unchanged");
    assert_eq!(app.api_get(LIST).await["count"], 1);
}

#[tokio::test]
async fn a_schedule_dispatches_its_task_once_per_interval_and_once_after_downtime() {
    let app = TestApp::spawn().await;
    let s = create(
        &app,
        json!({"name": "gc", "task_name": ORPHANS, "dispatch_interval": "1h",
               "task_args": {"orphan_protection_time": 0}}),
    )
    .await;
    let href = s["pulp_href"].as_str().unwrap().to_string();
    let due = at(&s["next_dispatch"]);
    let state = replica(&app).await;
    assert!(
        dispatch_due(&state.tasks, Utc::now())
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );

    // The scheduler's tick dispatches it (as every `berth serve` and `berth worker` does).
    let now = due + Duration::seconds(1);
    scheduler::run_due(&state.tasks, now).await.unwrap();
    let tasks = cleanups(&app).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    let task = app.task_done(tasks[0]["pulp_href"].as_str().unwrap()).await;
    assert_eq!(task["state"], "completed", "{task}");
    assert_eq!(task["created_by"], Value::Null, "{task}");
    let v = app.api_get(&href).await;
    assert_eq!(v["last_task"], task["pulp_href"], "{v}");
    assert_eq!(at(&v["next_dispatch"]), due + Duration::hours(1));
    // The same slot again: nothing.
    assert!(dispatch_due(&state.tasks, now).await.unwrap().is_empty());
    assert_eq!(cleanups(&app).await.len(), 1);

    // Ten hours later (slots missed while nothing ran): one run, and the next slot is the next
    // whole interval after now, not a burst of catch-up runs.
    let late = due + Duration::minutes(10 * 60 + 30);
    let slots = dispatch_due(&state.tasks, late).await.unwrap();
    assert_eq!(slots.len(), 1, "{slots:?}");
    let Slot::Dispatched(t) = slots[0].1 else {
        panic!("{slots:?}")
    };
    app.task_done(&format!("/pulp/api/v3/tasks/{t}/")).await;
    assert!(dispatch_due(&state.tasks, late).await.unwrap().is_empty());
    assert_eq!(cleanups(&app).await.len(), 2);
    let v = app.api_get(&href).await;
    assert_eq!(at(&v["next_dispatch"]), due + Duration::hours(11), "{v}");
    assert!(v["last_task"].as_str().unwrap().contains(&t.to_string()));
}

#[tokio::test]
async fn a_slot_is_skipped_not_stacked_while_the_previous_task_is_still_waiting() {
    // No workers: a dispatched task stays waiting.
    let app = TestApp::spawn_with(|s| s.workers = 0).await;
    app.expect_unsettled_tasks();
    let s = create(
        &app,
        json!({"name": "gc", "task_name": ORPHANS, "dispatch_interval": "1h"}),
    )
    .await;
    let href = s["pulp_href"].as_str().unwrap();
    let due = at(&s["next_dispatch"]);
    let state = replica(&app).await;
    let first = dispatch_due(&state.tasks, due).await.unwrap();
    let Slot::Dispatched(t) = first[0].1 else {
        panic!("{first:?}")
    };
    let later = due + Duration::hours(1);
    let second = dispatch_due(&state.tasks, later).await.unwrap();
    assert_eq!(second[0].1, Slot::Skipped(t), "{second:?}");
    let tasks = cleanups(&app).await;
    assert_eq!(tasks.len(), 1, "no second task: {tasks:?}");
    assert_eq!(tasks[0]["state"], "waiting");
    let v = app.api_get(href).await;
    assert_eq!(
        at(&v["next_dispatch"]),
        due + Duration::hours(2),
        "the slot passed: {v}"
    );
    assert!(v["last_task"].as_str().unwrap().contains(&t.to_string()));
    // Once the previous task is over, the next slot runs again.
    let (st, _) = app
        .api(
            Method::PATCH,
            &format!("/pulp/api/v3/tasks/{t}/"),
            Some(json!({"state": "canceled"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let third = dispatch_due(&state.tasks, due + Duration::hours(2))
        .await
        .unwrap();
    assert!(
        matches!(third[0].1, Slot::Dispatched(n) if n != t),
        "{third:?}"
    );
    assert_eq!(cleanups(&app).await.len(), 2);
}
