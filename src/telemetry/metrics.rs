//! Prometheus counters and histograms kept in process memory, rendered in the text exposition
//! format by hand (no extra crate). Names start with `berth_`; labels never carry a
//! repository or namespace name, and HTTP routes are route templates, never raw paths.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};

/// Upper bounds (seconds) of the request-duration histogram.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Every counter of this process.
#[derive(Default)]
pub struct Metrics {
    http: Mutex<BTreeMap<(String, String, u16), Histogram>>,
    bytes_pushed: AtomicU64,
    bytes_pulled: AtomicU64,
    tasks: Mutex<BTreeMap<(String, String), u64>>,
    housekeeping: Mutex<BTreeMap<String, (u64, u64)>>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::default);

/// The process's counters.
pub fn global() -> &'static Metrics {
    &METRICS
}

/// Database gauges (read by the caller, cached there).
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    pub repositories: i64,
    pub manifests: i64,
    pub blobs: i64,
    pub stored_bytes: i64,
}

impl Metrics {
    /// One answered HTTP request: `route` is the matched template (or `unmatched`).
    pub fn http_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut http) = self.http.lock() else {
            return;
        };
        let h = http
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        h.count += 1;
        h.sum += seconds;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
    }

    pub fn bytes_pushed(&self, n: u64) {
        self.bytes_pushed.fetch_add(n, Ordering::Relaxed);
    }

    pub fn bytes_pulled(&self, n: u64) {
        self.bytes_pulled.fetch_add(n, Ordering::Relaxed);
    }

    /// A task reached `state` (e.g. `completed`, `failed`, `canceled`).
    pub fn task_finished(&self, name: &str, state: &str) {
        if let Ok(mut tasks) = self.tasks.lock() {
            *tasks
                .entry((name.to_string(), state.to_string()))
                .or_default() += 1;
        }
    }

    /// A housekeeping run (`orphan_cleanup`, `retention`) that freed `bytes`.
    pub fn housekeeping_run(&self, kind: &str, bytes: u64) {
        if let Ok(mut runs) = self.housekeeping.lock() {
            let e = runs.entry(kind.to_string()).or_default();
            e.0 += 1;
            e.1 += bytes;
        }
    }

    /// The text exposition format (version 0.0.4).
    pub fn render(&self, gauges: Option<Gauges>) -> String {
        let mut out = String::new();
        help(
            &mut out,
            "berth_build_info",
            "gauge",
            "Build information; always 1.",
        );
        let _ = writeln!(
            out,
            "berth_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        self.render_http(&mut out);
        help(
            &mut out,
            "berth_blob_bytes_pushed_total",
            "counter",
            "Blob bytes received by pushes.",
        );
        let _ = writeln!(
            out,
            "berth_blob_bytes_pushed_total {}",
            self.bytes_pushed.load(Ordering::Relaxed)
        );
        help(
            &mut out,
            "berth_blob_bytes_pulled_total",
            "counter",
            "Blob bytes served to pulls.",
        );
        let _ = writeln!(
            out,
            "berth_blob_bytes_pulled_total {}",
            self.bytes_pulled.load(Ordering::Relaxed)
        );
        help(
            &mut out,
            "berth_tasks_total",
            "counter",
            "Tasks finished by this process, by name and final state.",
        );
        if let Ok(tasks) = self.tasks.lock() {
            for ((name, state), n) in tasks.iter() {
                let _ = writeln!(
                    out,
                    "berth_tasks_total{{name=\"{}\",state=\"{}\"}} {n}",
                    esc(name),
                    esc(state)
                );
            }
        }
        help(
            &mut out,
            "berth_housekeeping_runs_total",
            "counter",
            "Orphan cleanup and retention runs finished by this process.",
        );
        help(
            &mut out,
            "berth_housekeeping_freed_bytes_total",
            "counter",
            "Bytes freed by orphan cleanup and retention runs.",
        );
        if let Ok(runs) = self.housekeeping.lock() {
            for (kind, (n, bytes)) in runs.iter() {
                let _ = writeln!(
                    out,
                    "berth_housekeeping_runs_total{{kind=\"{}\"}} {n}",
                    esc(kind)
                );
                let _ = writeln!(
                    out,
                    "berth_housekeeping_freed_bytes_total{{kind=\"{}\"}} {bytes}",
                    esc(kind)
                );
            }
        }
        if let Some(g) = gauges {
            for (name, what, v) in [
                ("berth_repositories", "Repositories.", g.repositories),
                ("berth_manifests", "Stored manifests.", g.manifests),
                ("berth_blobs", "Stored blobs.", g.blobs),
                (
                    "berth_stored_bytes",
                    "Bytes of every stored blob.",
                    g.stored_bytes,
                ),
            ] {
                help(&mut out, name, "gauge", what);
                let _ = writeln!(out, "{name} {v}");
            }
        }
        out
    }

    fn render_http(&self, out: &mut String) {
        help(
            out,
            "berth_http_requests_total",
            "counter",
            "HTTP requests by method, route template and status.",
        );
        let Ok(http) = self.http.lock() else { return };
        for ((method, route, status), h) in http.iter() {
            let labels = format!(
                "method=\"{}\",route=\"{}\",status=\"{status}\"",
                esc(method),
                esc(route)
            );
            let _ = writeln!(out, "berth_http_requests_total{{{labels}}} {}", h.count);
        }
        help(
            out,
            "berth_http_request_duration_seconds",
            "histogram",
            "HTTP request durations by method, route template and status.",
        );
        for ((method, route, status), h) in http.iter() {
            let labels = format!(
                "method=\"{}\",route=\"{}\",status=\"{status}\"",
                esc(method),
                esc(route)
            );
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "berth_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "berth_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "berth_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "berth_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
    }
}

fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}\n# TYPE {name} {kind}");
}

/// A label value escaped as the exposition format requires.
fn esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_lists_requests_by_route_template_with_a_cumulative_histogram() {
        let m = Metrics::default();
        m.http_request("GET", "/v2/{name}/manifests/{reference}", 200, 0.02);
        m.http_request("GET", "/v2/{name}/manifests/{reference}", 200, 3.0);
        let text = m.render(None);
        assert!(text.contains("berth_http_requests_total{method=\"GET\",route=\"/v2/{name}/manifests/{reference}\",status=\"200\"} 2"), "{text}");
        assert!(text.contains("le=\"0.01\"} 0"), "{text}");
        assert!(text.contains("le=\"0.025\"} 1"), "{text}");
        assert!(text.contains("le=\"+Inf\"} 2"), "{text}");
        assert!(text.contains("berth_build_info{version="), "{text}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(esc("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
