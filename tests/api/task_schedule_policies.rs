//! A retention policy's schedule: `service::task_schedules::sync_policy` creates, changes and
//! removes it from the policy row (inserted straight into the database here; the policy API
//! calls it once merged); it shows in `task-schedules/` and changes only through the policy.
use crate::common::TestApp;
use crate::reclaim_scheduler::replica;
use crate::task_schedules::create;
use berth::repo::{exec, Db};
use berth::service::housekeeping::schedule_dispatch::{dispatch_due, Slot};
use berth::service::task_schedules::sync_policy;
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

const LIST: &str = "/pulp/api/v3/task-schedules/";
const RETENTION: &str = "berth.app.tasks.retention.run_policy";

async fn db(app: &TestApp) -> Db {
    Db::connect(&app.settings.database_url).await.unwrap()
}

/// Inserts a policy keeping everything, run every `schedule_seconds`.
async fn insert_policy(db: &Db, name: &str, schedule_seconds: Option<i64>) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    exec(
        &db.conn,
        "INSERT INTO retention_policies (id, name, namespace_id, repositories, \
         exclude_repositories, rules, enabled, delay_seconds, allow_empty, undo_window_seconds, \
         schedule_seconds, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            id.into(),
            name.into(),
            r#"["**"]"#.into(),
            "[]".into(),
            r#"[{"always": true}]"#.into(),
            true.into(),
            86_400i64.into(),
            false.into(),
            604_800i64.into(),
            schedule_seconds.into(),
            now.into(),
            now.into(),
        ],
    )
    .await
    .unwrap();
    id
}

async fn set_policy(db: &Db, id: Uuid, column: &str, value: sea_orm::Value) {
    exec(
        &db.conn,
        &format!("UPDATE retention_policies SET {column} = ? WHERE id = ?"),
        vec![value, id.into()],
    )
    .await
    .unwrap();
}

async fn schedules(app: &TestApp) -> Vec<Value> {
    app.api_get(LIST).await["results"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_policys_schedule_follows_the_policy_and_changes_only_through_it() {
    let app = TestApp::spawn().await;
    let db = db(&app).await;
    let none = insert_policy(&db, "unscheduled", None).await;
    sync_policy(&db, none).await.unwrap();
    assert!(schedules(&app).await.is_empty(), "no schedule without one");

    let p = insert_policy(&db, "nightly", Some(3_600)).await;
    sync_policy(&db, p).await.unwrap();
    sync_policy(&db, p).await.unwrap();
    let all = schedules(&app).await;
    assert_eq!(all.len(), 1, "one schedule per policy: {all:?}");
    let s = &all[0];
    assert_eq!(s["name"], "retention: nightly");
    assert_eq!(s["task_name"], RETENTION);
    assert_eq!(s["dispatch_interval"], "01:00:00");
    assert_eq!(
        s["task_args"],
        json!({"policy": p.to_string(), "dry_run": false})
    );
    assert_eq!(
        s["retention_policy"],
        format!("/pulp/api/v3/retention_policies/{p}/")
    );
    let href = s["pulp_href"].as_str().unwrap().to_string();

    // Changed only through the policy: 400 naming it.
    for (method, body) in [
        (Method::PATCH, Some(json!({"dispatch_interval": "1d"}))),
        (
            Method::PUT,
            Some(json!({"name": "x", "task_name": RETENTION, "dispatch_interval": "1d"})),
        ),
        (Method::DELETE, None),
    ] {
        let (st, v) = app.api(method.clone(), &href, body).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{method}: {v}");
        assert!(v.to_string().contains("'nightly'"), "{v}");
    }

    // A new interval and name follow the policy.
    set_policy(&db, p, "schedule_seconds", 86_400i64.into()).await;
    set_policy(&db, p, "name", "daily".into()).await;
    sync_policy(&db, p).await.unwrap();
    let s = app.api_get(&href).await;
    assert_eq!(s["dispatch_interval"], "1 00:00:00");
    assert_eq!(s["name"], "retention: daily");
    // Disabled: no schedule; enabled again: a new one.
    set_policy(&db, p, "enabled", false.into()).await;
    sync_policy(&db, p).await.unwrap();
    assert!(schedules(&app).await.is_empty());
    set_policy(&db, p, "enabled", true.into()).await;
    sync_policy(&db, p).await.unwrap();
    assert_eq!(schedules(&app).await.len(), 1);
    // The schedule goes with its policy.
    exec(
        &db.conn,
        "DELETE FROM retention_policies WHERE id = ?",
        vec![p.into()],
    )
    .await
    .unwrap();
    assert!(schedules(&app).await.is_empty());
    sync_policy(&db, p).await.unwrap();
}

#[tokio::test]
async fn a_policy_schedule_does_not_take_a_name_an_administrator_used() {
    let app = TestApp::spawn().await;
    let db = db(&app).await;
    create(
        &app,
        json!({"name": "retention: weekly", "task_name": "pulpcore.app.tasks.orphan.orphan_cleanup",
               "dispatch_interval": "7d"}),
    )
    .await;
    let p = insert_policy(&db, "weekly", Some(604_800)).await;
    sync_policy(&db, p).await.unwrap();
    let v = app.api_get(&format!("{LIST}?task_name={RETENTION}")).await;
    assert_eq!(v["results"][0]["name"], format!("retention: weekly ({p})"));
}

#[tokio::test]
async fn a_policy_schedule_dispatches_a_retention_run_when_due() {
    let app = TestApp::spawn().await;
    let db = db(&app).await;
    let p = insert_policy(&db, "hourly", Some(3_600)).await;
    sync_policy(&db, p).await.unwrap();
    let state = replica(&app).await;
    let slots = dispatch_due(&state.tasks, Utc::now() + Duration::minutes(61))
        .await
        .unwrap();
    let Slot::Dispatched(t) = slots[0].1 else {
        panic!("{slots:?}")
    };
    let task = app.task_done(&format!("/pulp/api/v3/tasks/{t}/")).await;
    assert_eq!(task["name"], RETENTION);
    assert_eq!(task["state"], "completed", "{task}");
    // And the API takes retention schedules of existing policies too.
    let s = create(
        &app,
        json!({"name": "dry", "task_name": RETENTION, "dispatch_interval": "1d",
               "task_args": {"policy": format!("/pulp/api/v3/retention_policies/{p}/"), "dry_run": true}}),
    )
    .await;
    assert_eq!(
        s["task_args"],
        json!({"policy": p.to_string(), "dry_run": true})
    );
}
