//! Tasks: fields, filters, cancel, delete, purge, and recovery from a dead worker.
use crate::common::TestApp;
use reqwest::Method;
use serde_json::json;

async fn make_task(app: &TestApp) -> serde_json::Value {
    app.api_task(
        Method::POST,
        "/pulp/api/v3/distributions/container/container/",
        Some(json!({"name": format!("d{}", uuid::Uuid::new_v4().simple()), "base_path": format!("tasks/d{}", uuid::Uuid::new_v4().simple())})),
    )
    .await
}

#[tokio::test]
async fn a_finished_task_has_pulps_fields_and_can_be_deleted_but_not_canceled() {
    let app = TestApp::spawn().await;
    let cid = "0123456789abcdef0123456789abcdef";
    let res = app
        .post("/pulp/api/v3/distributions/container/container/")
        .basic_auth("admin", Some("admin-password"))
        .header("Correlation-ID", cid)
        .json(&json!({"name": "t1", "base_path": "tasks/t1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    assert_eq!(res.headers()["correlation-id"], cid);
    let href = res.json::<serde_json::Value>().await.unwrap()["task"]
        .as_str()
        .unwrap()
        .to_string();
    let t = app.task_done(&href).await;
    let keys: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "pulp_href",
        "prn",
        "state",
        "name",
        "logging_cid",
        "created_by",
        "started_at",
        "finished_at",
        "error",
        "progress_reports",
        "created_resources",
        "created_resource_prns",
        "reserved_resources_record",
        "pulp_api_version",
    ] {
        assert!(keys.contains(&k), "{k} in {keys:?}");
    }
    assert_eq!(t["logging_cid"], cid);
    assert_eq!(t["name"], "pulpcore.app.tasks.base.general_create");
    // The dispatcher's href is a user href that resolves (integer id, not the internal uuid).
    let by = t["created_by"].as_str().unwrap();
    assert_eq!(app.api_get(by).await["username"], "admin", "{by}");
    assert!(t["created_resource_prns"][0]
        .as_str()
        .unwrap()
        .starts_with("prn:container.containerdistribution:"));
    let (s, body) = app
        .api(Method::PATCH, &href, Some(json!({"state": "canceled"})))
        .await;
    assert_eq!(s, 409);
    assert_eq!(body["state"], "completed");
    let (s, body) = app
        .api(Method::PATCH, &href, Some(json!({"state": "running"})))
        .await;
    assert_eq!(
        (s.as_u16(), body),
        (
            400,
            json!({"state": ["The only acceptable value for 'state' is 'canceled'."]})
        )
    );
    let (s, _) = app.api(Method::DELETE, &href, None).await;
    assert_eq!(s, 204);
    let (s, _) = app.api(Method::GET, &href, None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn task_lists_filter_by_state_name_and_created_resources() {
    let app = TestApp::spawn().await;
    let t1 = make_task(&app).await;
    make_task(&app).await;
    let all = app.api_get("/pulp/api/v3/tasks/?state=completed").await;
    assert_eq!(all["count"], 2);
    let none = app
        .api_get("/pulp/api/v3/tasks/?state__in=failed,canceled")
        .await;
    assert_eq!(none["count"], 0);
    let by_name = app
        .api_get("/pulp/api/v3/tasks/?name__contains=general_create&limit=1")
        .await;
    assert_eq!(by_name["count"], 2);
    assert_eq!(by_name["results"].as_array().unwrap().len(), 1);
    assert!(by_name["next"].as_str().unwrap().starts_with("http://"));
    let created = t1["created_resources"][0].as_str().unwrap();
    let found = app
        .api_get(&format!("/pulp/api/v3/tasks/?created_resources={created}"))
        .await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["results"][0]["pulp_href"], t1["pulp_href"]);
    let (s, v) = app
        .api(Method::GET, "/pulp/api/v3/tasks/?nope=1", None)
        .await;
    assert_eq!(
        (s.as_u16(), v),
        (400, json!({"errors": ["Invalid Filter: 'nope'"]}))
    );
    let res = app.get("/pulp/api/v3/tasks/").send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_task_whose_worker_died_ends_failed_and_releases_its_locks() {
    let app = TestApp::spawn_with(|s| s.workers = 0).await;
    app.expect_unsettled_tasks();
    // With no workers the dispatched task stays waiting.
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/distributions/container/container/",
            Some(json!({"name": "w", "base_path": "tasks/w"})),
        )
        .await;
    assert_eq!(s, 202);
    let href = v["task"].as_str().unwrap().to_string();
    assert_eq!(app.api_get(&href).await["state"], "waiting");
    // Simulate a worker that started it and died: running, with a heartbeat far in the past.
    let db = berth::repo::Db::connect(&app.settings.database_url)
        .await
        .unwrap();
    let id = uuid::Uuid::parse_str(href.trim_end_matches('/').rsplit('/').next().unwrap()).unwrap();
    let old = chrono::Utc::now() - chrono::Duration::minutes(10);
    berth::repo::exec(
        &db.conn,
        "UPDATE tasks SET state = 'running', heartbeat_at = ? WHERE id = ?",
        vec![old.into(), id.into()],
    )
    .await
    .unwrap();
    berth::repo::exec(
        &db.conn,
        "INSERT INTO task_locks (resource, task_id) VALUES ('pdrn:test', ?)",
        vec![id.into()],
    )
    .await
    .unwrap();
    let state = berth::startup::state(app.settings.clone()).await.unwrap();
    let (dead, _) = berth::service::tasks::reconcile(&state.tasks)
        .await
        .unwrap();
    assert_eq!(dead, 1);
    let t = app.api_get(&href).await;
    assert_eq!(t["state"], "failed");
    assert!(t["error"]["description"]
        .as_str()
        .unwrap()
        .contains("worker died"));
    let locks = berth::repo::all(&db.conn, "SELECT resource FROM task_locks", vec![])
        .await
        .unwrap();
    assert!(locks.is_empty());
}

#[tokio::test]
async fn a_waiting_task_can_be_canceled_and_never_runs() {
    let app = TestApp::spawn_with(|s| s.workers = 0).await;
    let (_, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/distributions/container/container/",
            Some(json!({"name": "c", "base_path": "tasks/c"})),
        )
        .await;
    let href = v["task"].as_str().unwrap().to_string();
    let (s, t) = app
        .api(Method::PATCH, &href, Some(json!({"state": "canceled"})))
        .await;
    assert_eq!(s, 200);
    assert_eq!(t["state"], "canceled");
    let (s, _) = app.api(Method::DELETE, &href, None).await;
    assert_eq!(s, 204, "a canceled task is final and can be deleted");
    let state = berth::startup::state(app.settings.clone()).await.unwrap();
    let id = uuid::Uuid::parse_str(href.trim_end_matches('/').rsplit('/').next().unwrap()).unwrap();
    berth::service::tasks::run(&state.tasks, id).await;
    let dists = app
        .api_get("/pulp/api/v3/distributions/container/container/?name=c")
        .await;
    assert_eq!(dists["count"], 0, "the canceled create never ran");
}

#[tokio::test]
async fn a_queued_task_runs_on_a_separate_worker_process_state() {
    let app = TestApp::spawn_with(|s| s.workers = 0).await;
    let (_, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/distributions/container/container/",
            Some(json!({"name": "q", "base_path": "tasks/q"})),
        )
        .await;
    let href = v["task"].as_str().unwrap().to_string();
    // A `berth worker` equivalent: workers over the same database and queue.
    let mut settings = app.settings.clone();
    settings.workers = 1;
    let worker_state = berth::startup::state(settings).await.unwrap();
    berth::service::tasks::spawn_workers(&worker_state.tasks, 1);
    let t = app.task_done(&href).await;
    assert_eq!(t["state"], "completed", "{t}");
}

#[tokio::test]
async fn purging_removes_finished_tasks() {
    let app = TestApp::spawn().await;
    make_task(&app).await;
    let t = app
        .api_task(
            Method::POST,
            "/pulp/api/v3/tasks/purge/",
            Some(json!({"finished_before": "2999-01-01T00:00:00Z", "states": ["completed"]})),
        )
        .await;
    assert_eq!(t["progress_reports"][0]["done"], 1);
    let (s, _) = app
        .api(
            Method::POST,
            "/pulp/api/v3/tasks/purge/",
            Some(json!({"states": ["running"]})),
        )
        .await;
    assert_eq!(s, 400);
}
