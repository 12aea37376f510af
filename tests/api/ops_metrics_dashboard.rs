//! Operations: every metric `deploy/grafana-dashboard.json` queries is one berth exports (a
//! sample name in `/metrics` after a push, a pull, a task, a cleanup and a quota refusal).
use crate::common::oci::{bytes, sha256};
use crate::common::TestApp;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Every `berth_*` metric name in the dashboard's query expressions.
fn dashboard_metrics() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/grafana-dashboard.json");
    let dash: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut exprs = Vec::new();
    collect_exprs(&dash, &mut exprs);
    assert!(exprs.len() >= 15, "{exprs:?}");
    let mut names = BTreeSet::new();
    for e in exprs {
        let mut rest = e.as_str();
        while let Some(at) = rest.find("berth_") {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(tail.len());
            names.insert(tail[..end].to_string());
            rest = &tail[end..];
        }
    }
    names
}

fn collect_exprs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                match (k.as_str(), v) {
                    ("expr" | "definition", Value::String(s)) => out.push(s.clone()),
                    _ => collect_exprs(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_exprs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_metric_the_grafana_dashboard_queries_is_exported() {
    let app = TestApp::spawn().await;
    let layer = bytes(31, 3000);
    app.push_image("dash/app", "v1", std::slice::from_ref(&layer))
        .await;
    let pulled = app
        .get(&format!("/v2/dash/app/blobs/{}", sha256(&layer)))
        .send()
        .await
        .unwrap();
    assert_eq!(pulled.status(), 200);
    app.push_blob("dash/lone", &bytes(32, 500)).await;
    app.api_task(
        reqwest::Method::POST,
        "/pulp/api/v3/orphans/cleanup/",
        Some(json!({"orphan_protection_time": 0})),
    )
    .await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=dash")
        .await;
    let (s, v) = app
        .api(
            reqwest::Method::POST,
            &format!("{}set_quota/", ns["pulp_href"].as_str().unwrap()),
            Some(json!({"quota_bytes": 0})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let refused = app
        .post(&format!(
            "/v2/dash/app/blobs/uploads/?digest={}",
            sha256(b"over")
        ))
        .body("over")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    let wanted = dashboard_metrics();
    let mut text = String::new();
    let mut missing: Vec<&String> = wanted.iter().collect();
    // Task counters are recorded right after the task's commit: give that instant a moment.
    for _ in 0..100 {
        text = app
            .anon(reqwest::Method::GET, "/metrics")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let exported: BTreeSet<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split(['{', ' ']).next())
            .collect();
        missing = wanted
            .iter()
            .filter(|n| !exported.contains(n.as_str()))
            .collect();
        if missing.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        missing.is_empty(),
        "the dashboard queries metrics berth does not export: {missing:?}\n{text}"
    );
    assert!(wanted.contains("berth_task_queue_latency_seconds_bucket"));
}
