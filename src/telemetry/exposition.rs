//! The text exposition format's pieces: `# HELP`/`# TYPE` lines, label escaping, and the
//! per-thread counters (HTTP requests, storage operations) written from a merged snapshot.
use super::histogram::Histogram;
use super::shards::Shard;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// HTTP counters, sorted by route, method and status.
pub fn render_http(out: &mut String, hot: &Shard) {
    let mut rows: Vec<(String, &Histogram)> = Vec::new();
    for (route, by) in &hot.http {
        for ((method, status), h) in by {
            let labels = format!(
                "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                esc(route)
            );
            rows.push((labels, h));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    help(
        out,
        "berth_http_requests_total",
        "counter",
        "HTTP requests by method, route template and status.",
    );
    for (labels, h) in &rows {
        let _ = writeln!(out, "berth_http_requests_total{{{labels}}} {}", h.count());
    }
    help(
        out,
        "berth_http_request_duration_seconds",
        "histogram",
        "HTTP request durations by method, route template and status.",
    );
    for (labels, h) in &rows {
        h.write(out, "berth_http_request_duration_seconds", labels);
    }
}

/// Storage operations by backend and action.
pub fn render_storage(out: &mut String, hot: &Shard) {
    let sorted: BTreeMap<_, _> = hot.storage.iter().collect();
    help(
        out,
        "berth_storage_operation_duration_seconds",
        "histogram",
        "Blob storage operation durations by backend and action.",
    );
    for ((backend, action), op) in &sorted {
        let labels = format!("backend=\"{backend}\",action=\"{action}\"");
        op.durations
            .write(out, "berth_storage_operation_duration_seconds", &labels);
    }
    help(
        out,
        "berth_storage_operation_errors_total",
        "counter",
        "Failed blob storage operations (a missing object is not a failure) by backend and action.",
    );
    for ((backend, action), op) in &sorted {
        let _ = writeln!(
            out,
            "berth_storage_operation_errors_total{{backend=\"{backend}\",action=\"{action}\"}} {}",
            op.errors
        );
    }
}

pub fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}\n# TYPE {name} {kind}");
}

/// A label value escaped as the exposition format requires.
pub fn esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
