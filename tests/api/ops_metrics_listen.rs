//! Operations: `--metrics-listen` serves `/metrics` on its own address (the real binary), and
//! then not on the main one; storage operations and task timings are exported and pass
//! `promtool check metrics`.
use crate::common::oci::bytes;
use crate::common::TestApp;
use crate::ops_metrics::promtool_check;
use std::process::Stdio;
use std::time::Duration;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GETs `url` until it answers (within 60 s), returning the status and body.
async fn get_when_up(url: &str) -> (u16, String) {
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(res) = client.get(url).send().await {
            let status = res.status().as_u16();
            return (status, res.text().await.unwrap_or_default());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} never answered");
}

#[tokio::test]
async fn metrics_listen_serves_metrics_on_its_own_address_and_not_on_the_main_one() {
    let dir = tempfile::tempdir().unwrap();
    let (main, metrics) = (free_port(), free_port());
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "serve"])
        .args(["--listen", &format!("127.0.0.1:{main}")])
        .args(["--metrics-listen", &format!("127.0.0.1:{metrics}")])
        .env("BERTH_ADMIN_PASSWORD", "metrics-admin-pass-1")
        .env_remove("BERTH_METRICS_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let (status, text) = get_when_up(&format!("http://127.0.0.1:{metrics}/metrics")).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("berth_build_info{version=\""), "{text}");
    let (status, body) = get_when_up(&format!("http://127.0.0.1:{main}/metrics")).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("--metrics-listen"), "{body}");
    let (status, _) = get_when_up(&format!("http://127.0.0.1:{main}/livez")).await;
    assert_eq!(status, 200);
    // Only /metrics is on the metrics address.
    let (status, _) = get_when_up(&format!("http://127.0.0.1:{metrics}/v2/")).await;
    assert_eq!(status, 404);
    promtool_check(&text).await;
    child.kill().await.unwrap();
}

#[tokio::test]
async fn metrics_time_storage_operations_and_tasks_from_queue_to_finish() {
    let app = TestApp::spawn().await;
    app.push_image("timing/app", "v1", &[bytes(21, 2048)]).await;
    app.push_blob("timing/lone", &bytes(22, 1000)).await;
    app.api_task(
        reqwest::Method::POST,
        "/pulp/api/v3/orphans/cleanup/",
        Some(serde_json::json!({"orphan_protection_time": 0})),
    )
    .await;
    let task = "pulpcore.app.tasks.orphan.orphan_cleanup";
    let mut text = String::new();
    // The runner records the duration right after its commit: wait for that instant to pass.
    for _ in 0..100 {
        text = app
            .anon(reqwest::Method::GET, "/metrics")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains(&format!(
            "berth_task_duration_seconds_count{{name=\"{task}\"}}"
        )) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let count = |prefix: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{prefix} missing:\n{text}"))
    };
    for action in ["put_part", "put_complete", "stat", "delete"] {
        let line = format!(
            "berth_storage_operation_duration_seconds_count{{backend=\"local\",action=\"{action}\"}} "
        );
        assert!(count(&line) >= 1, "{line}");
        let errors = format!(
            "berth_storage_operation_errors_total{{backend=\"local\",action=\"{action}\"}} "
        );
        count(&errors);
    }
    assert!(
        count(&format!(
            "berth_task_queue_latency_seconds_count{{name=\"{task}\"}} "
        )) >= 1
    );
    assert!(
        count(&format!(
            "berth_task_duration_seconds_count{{name=\"{task}\"}} "
        )) >= 1
    );
    assert!(
        text.contains(&format!(
            "berth_task_queue_latency_seconds_bucket{{name=\"{task}\",le=\"+Inf\"}}"
        )),
        "{text}"
    );
    assert!(!text.contains("timing/"), "no repository names: {text}");
    promtool_check(&text).await;
}
