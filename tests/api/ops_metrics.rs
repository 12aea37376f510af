//! Operations: `/metrics` in Prometheus text format (checked by `promtool check metrics` when
//! installed), route templates instead of paths, no repository names, the optional token.
use crate::common::oci::bytes;
use crate::common::TestApp;

async fn scrape(app: &TestApp) -> String {
    let res = app
        .anon(reqwest::Method::GET, "/metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    res.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_bytes_without_repository_names() {
    let app = TestApp::spawn().await;
    let layer = bytes(7, 4096);
    app.push_image("secret-team/hidden-app", "v1", std::slice::from_ref(&layer))
        .await;
    let digest = crate::common::oci::sha256(&layer);
    let pulled = app
        .get(&format!("/v2/secret-team/hidden-app/blobs/{digest}"))
        .send()
        .await
        .unwrap();
    assert_eq!(pulled.bytes().await.unwrap().len(), 4096);
    let text = scrape(&app).await;
    assert!(
        !text.contains("secret-team") && !text.contains("hidden-app"),
        "{text}"
    );
    assert!(text.contains("berth_build_info{version=\""), "{text}");
    assert!(
        text.contains("method=\"PUT\",route=\"/v2/{name}/manifests/{reference}\",status=\"201\""),
        "{text}"
    );
    assert!(
        text.contains("berth_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    let value = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing: {text}"))
    };
    assert!(value("berth_blob_bytes_pushed_total") >= 4096);
    assert!(value("berth_blob_bytes_pulled_total") >= 4096);
    assert_eq!(value("berth_repositories"), 1);
    assert_eq!(value("berth_manifests"), 1);
    assert_eq!(value("berth_blobs"), 2);
    assert!(value("berth_stored_bytes") > 4096);
    promtool_check(&text).await;
}

/// `promtool check metrics` on `text`; skipped with a message when promtool is absent
/// (CI installs Debian's `prometheus`).
pub(crate) async fn promtool_check(text: &str) {
    use tokio::io::AsyncWriteExt;
    let child = tokio::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("promtool not installed (Debian package prometheus): format check skipped");
        return;
    };
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(text.as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn metrics_need_the_bearer_token_when_one_is_configured() {
    let app = TestApp::spawn_with(|s| s.metrics_token = Some("scrape-secret".into())).await;
    let none = app
        .anon(reqwest::Method::GET, "/metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    let wrong = app
        .anon(reqwest::Method::GET, "/metrics")
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = app
        .anon(reqwest::Method::GET, "/metrics")
        .bearer_auth("scrape-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    assert!(right.text().await.unwrap().contains("berth_build_info"));
}

#[tokio::test]
async fn metrics_count_finished_tasks_and_the_bytes_an_orphan_cleanup_freed() {
    let app = TestApp::spawn().await;
    app.push_blob("ops/lone", &bytes(11, 3000)).await;
    let t = app
        .api_task(
            reqwest::Method::POST,
            "/pulp/api/v3/orphans/cleanup/",
            Some(serde_json::json!({"orphan_protection_time": 0})),
        )
        .await;
    let freed = t["result"]["bytes"].as_u64().unwrap();
    assert!(freed >= 3000, "{t}");
    // The runner counts right after its commit: wait for that instant to pass.
    // (Counters are process-wide: other tests' cleanups add to them, hence `>=`.)
    let read = |text: &str, prefix: &str| -> Option<u64> {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|v| v.trim().parse().ok())
    };
    let freed_line = "berth_housekeeping_freed_bytes_total{kind=\"orphan_cleanup\"} ";
    let mut text = scrape(&app).await;
    for _ in 0..50 {
        if read(&text, freed_line).is_some_and(|n| n >= freed) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        text = scrape(&app).await;
    }
    let value =
        |prefix: &str| read(&text, prefix).unwrap_or_else(|| panic!("{prefix} missing: {text}"));
    let name = "pulpcore.app.tasks.orphan.orphan_cleanup";
    assert!(
        value(&format!(
            "berth_tasks_total{{name=\"{name}\",state=\"completed\"}} "
        )) >= 1
    );
    assert!(value("berth_housekeeping_runs_total{kind=\"orphan_cleanup\"} ") >= 1);
    assert!(value(freed_line) >= freed);
    promtool_check(&text).await;
}
