//! Prometheus counters and histograms kept in process memory, rendered in the text exposition
//! format by hand (no extra crate). Names start with `berth_`; labels never carry a
//! repository or namespace name, and HTTP routes are route templates, never raw paths.
//! Per-request counters (HTTP, storage operations) live in per-thread shards (`shards`), so
//! recording them never contends; the rare ones (tasks, housekeeping) sit behind a lock.
use super::exposition::{esc, help, render_http, render_storage};
use super::histogram::{Histogram, FAST, SLOW};
use super::shards::{self, Op};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};

/// A task name's queue latency (enqueued → started) and run duration.
struct TaskTimes {
    queued: Histogram,
    ran: Histogram,
}

/// Every counter of this process.
#[derive(Default)]
pub struct Metrics {
    bytes_pushed: AtomicU64,
    bytes_pulled: AtomicU64,
    quota_refused_blob: AtomicU64,
    quota_refused_manifest: AtomicU64,
    tasks: Mutex<BTreeMap<(String, String), u64>>,
    task_times: Mutex<BTreeMap<String, TaskTimes>>,
    housekeeping: Mutex<BTreeMap<String, (u64, u64)>>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::default);

/// The process's counters.
pub fn global() -> &'static Metrics {
    &METRICS
}

/// Database and storage gauges (read by the caller, cached there).
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    pub repositories: i64,
    pub manifests: i64,
    pub blobs: i64,
    pub stored_bytes: i64,
}

/// The method as a static label (`OTHER` for extension methods).
fn method_label(m: &str) -> &'static str {
    match m {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "PUT" => "PUT",
        "POST" => "POST",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

impl Metrics {
    /// One answered HTTP request: `route` is the matched template (or `unmatched`).
    pub fn http_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let method = method_label(method);
        shards::with(|s| {
            let by = match s.http.get_mut(route) {
                Some(by) => by,
                None => s.http.entry(route.to_string()).or_default(),
            };
            by.entry((method, status))
                .or_insert_with(|| Histogram::new(FAST))
                .observe(seconds);
        });
    }

    /// One storage operation on `backend` (`local`, `s3`, `memory`): `action` is `get`,
    /// `stat`, `put`, `put_multipart`, `put_part`, `put_complete`, `delete`, `copy`, `rename`
    /// or `list`.
    pub fn storage_op(&self, backend: &'static str, action: &'static str, seconds: f64, ok: bool) {
        shards::with(|s| {
            let op = s.storage.entry((backend, action)).or_insert_with(|| Op {
                durations: Histogram::new(FAST),
                errors: 0,
            });
            op.durations.observe(seconds);
            if !ok {
                op.errors += 1;
            }
        });
    }

    pub fn bytes_pushed(&self, n: u64) {
        self.bytes_pushed.fetch_add(n, Ordering::Relaxed);
    }

    pub fn bytes_pulled(&self, n: u64) {
        self.bytes_pulled.fetch_add(n, Ordering::Relaxed);
    }

    /// A push refused by a namespace quota, at `what` (`blob` or `manifest`).
    pub fn quota_refusal(&self, what: &str) {
        let c = if what == "manifest" {
            &self.quota_refused_manifest
        } else {
            &self.quota_refused_blob
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// A task reached `state` (e.g. `completed`, `failed`, `canceled`).
    pub fn task_finished(&self, name: &str, state: &str) {
        if let Ok(mut tasks) = self.tasks.lock() {
            *tasks
                .entry((name.to_string(), state.to_string()))
                .or_default() += 1;
        }
    }

    /// A task started after waiting `queued` seconds in the queue.
    pub fn task_started(&self, name: &str, queued: f64) {
        self.task_times(name, |t| t.queued.observe(queued));
    }

    /// A task's body ran for `seconds`.
    pub fn task_ran(&self, name: &str, seconds: f64) {
        self.task_times(name, |t| t.ran.observe(seconds));
    }

    fn task_times(&self, name: &str, f: impl FnOnce(&mut TaskTimes)) {
        if let Ok(mut times) = self.task_times.lock() {
            let t = times.entry(name.to_string()).or_insert_with(|| TaskTimes {
                queued: Histogram::new(SLOW),
                ran: Histogram::new(SLOW),
            });
            f(t);
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
        let hot = shards::snapshot();
        render_http(&mut out, &hot);
        render_storage(&mut out, &hot);
        for (name, what, v) in [
            (
                "berth_blob_bytes_pushed_total",
                "Blob bytes received by pushes.",
                &self.bytes_pushed,
            ),
            (
                "berth_blob_bytes_pulled_total",
                "Blob bytes served to pulls.",
                &self.bytes_pulled,
            ),
        ] {
            help(&mut out, name, "counter", what);
            let _ = writeln!(out, "{name} {}", v.load(Ordering::Relaxed));
        }
        help(
            &mut out,
            "berth_quota_refusals_total",
            "counter",
            "Pushes refused by a namespace storage quota, by where (blob upload or manifest).",
        );
        for (at, c) in [
            ("blob", &self.quota_refused_blob),
            ("manifest", &self.quota_refused_manifest),
        ] {
            let n = c.load(Ordering::Relaxed);
            let _ = writeln!(out, "berth_quota_refusals_total{{at=\"{at}\"}} {n}");
        }
        self.render_tasks(&mut out);
        self.render_housekeeping(&mut out);
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

    fn render_tasks(&self, out: &mut String) {
        help(
            out,
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
        let Ok(times) = self.task_times.lock() else {
            return;
        };
        help(
            out,
            "berth_task_queue_latency_seconds",
            "histogram",
            "Time tasks waited between being enqueued and starting, by task name.",
        );
        for (name, t) in times.iter() {
            let labels = format!("name=\"{}\"", esc(name));
            t.queued
                .write(out, "berth_task_queue_latency_seconds", &labels);
        }
        help(
            out,
            "berth_task_duration_seconds",
            "histogram",
            "Time tasks ran, from start to their outcome, by task name.",
        );
        for (name, t) in times.iter() {
            let labels = format!("name=\"{}\"", esc(name));
            t.ran.write(out, "berth_task_duration_seconds", &labels);
        }
    }

    fn render_housekeeping(&self, out: &mut String) {
        help(
            out,
            "berth_housekeeping_runs_total",
            "counter",
            "Orphan cleanup and retention runs finished by this process.",
        );
        help(
            out,
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_lists_requests_by_route_template_with_a_cumulative_histogram() {
        let m = Metrics::default();
        m.http_request("GET", "/v2/{name}/unit-test/{reference}", 200, 0.02);
        m.http_request("GET", "/v2/{name}/unit-test/{reference}", 200, 3.0);
        let text = m.render(None);
        let labels = "method=\"GET\",route=\"/v2/{name}/unit-test/{reference}\",status=\"200\"";
        assert!(
            text.contains(&format!("berth_http_requests_total{{{labels}}} 2")),
            "{text}"
        );
        let bucket = |le: &str, n: u64| {
            format!("berth_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {n}\n")
        };
        assert!(text.contains(&bucket("0.01", 0)), "{text}");
        assert!(text.contains(&bucket("0.025", 1)), "{text}");
        assert!(text.contains(&bucket("+Inf", 2)), "{text}");
        assert!(text.contains("berth_build_info{version="), "{text}");
    }

    #[test]
    fn storage_operations_count_durations_and_errors() {
        let m = Metrics::default();
        m.storage_op("memory", "unit_test", 0.002, true);
        m.storage_op("memory", "unit_test", 0.002, false);
        let text = m.render(None);
        let labels = "backend=\"memory\",action=\"unit_test\"";
        assert!(
            text.contains(&format!(
                "berth_storage_operation_duration_seconds_count{{{labels}}} 2"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "berth_storage_operation_errors_total{{{labels}}} 1"
            )),
            "{text}"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(esc("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(method_label("BREW"), "OTHER");
    }
}
