//! Operations: `/livez` and `/readyz` at the root, and `berth health` calling `/readyz`.
use crate::common::cli::Client;
use crate::common::TestApp;
use serde_json::Value;

fn blob_dir(app: &TestApp) -> std::path::PathBuf {
    let url = app.settings.storage_url.clone();
    url.strip_prefix("file://").expect("local storage").into()
}

#[tokio::test]
async fn livez_and_readyz_answer_200_with_a_json_body_when_database_and_storage_answer() {
    let app = TestApp::spawn().await;
    let live = app
        .client
        .get(format!("{}/livez", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    let ready = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["storage"], "ok");
    assert_eq!(body["failed"], serde_json::json!([]));
}

#[tokio::test]
async fn readyz_answers_503_naming_the_storage_when_the_blob_directory_is_gone() {
    let app = TestApp::spawn().await;
    let dir = blob_dir(&app);
    let moved = dir.with_extension("moved");
    std::fs::rename(&dir, &moved).unwrap();
    let ready = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["failed"], serde_json::json!(["storage"]));
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["storage"], "unreachable");
    assert!(
        !body.to_string().contains(&*dir.to_string_lossy()),
        "{body}"
    );
    // `berth health` exits 1 while storage is gone, 0 once it is back.
    let cli = Client::new();
    let down = cli.run(&["health", "--url", &app.base]).await;
    assert_eq!(down.code, 1, "{}", down.stderr);
    assert!(down.stderr.contains("503"), "{}", down.stderr);
    std::fs::rename(&moved, &dir).unwrap();
    let up = cli.run(&["health", "--url", &app.base]).await.ok();
    assert!(up.stdout.contains("\"ok\""), "{}", up.stdout);
}

#[tokio::test]
async fn berth_health_exits_1_with_a_message_when_nothing_listens() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Client::new()
        .run(&["health", "--url", &format!("http://127.0.0.1:{port}")])
        .await;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("/readyz"), "{}", out.stderr);
}

#[tokio::test]
async fn status_lists_the_task_workers_with_recent_heartbeats() {
    let app = TestApp::spawn().await;
    let mut workers = vec![];
    for _ in 0..50 {
        let body: Value = app
            .get("/pulp/api/v3/status/")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        workers = body["online_workers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !workers.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!workers.is_empty(), "no online worker");
    for w in &workers {
        assert!(w["name"].as_str().unwrap().starts_with("berth-"), "{w}");
        assert!(
            w["last_heartbeat"].as_str().unwrap().starts_with("20"),
            "{w}"
        );
    }
}
