//! The hot-path counters (HTTP requests, storage operations), kept per thread so recording
//! never contends: each thread updates its own shard under its own, uncontended, lock; a
//! scrape merges every shard. A thread's shard is folded into the retired totals when the
//! thread ends, so counts survive it and the shard list stays bounded. Recording allocates
//! only the first time a route is seen on a thread.
use super::histogram::{Histogram, FAST};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// A storage operation's durations and failures.
#[derive(Debug, Clone)]
pub struct Op {
    pub durations: Histogram,
    pub errors: u64,
}

/// One thread's counters (or the merge of all of them).
#[derive(Debug, Default)]
pub struct Shard {
    /// route template → (method, status) → durations.
    pub http: HashMap<String, HashMap<(&'static str, u16), Histogram>>,
    /// (backend, action) → durations and errors.
    pub storage: HashMap<(&'static str, &'static str), Op>,
}

impl Shard {
    fn merge_into(&self, into: &mut Shard) {
        for (route, by) in &self.http {
            let dst = into.http.entry(route.clone()).or_default();
            for (k, h) in by {
                dst.entry(*k)
                    .or_insert_with(|| Histogram::new(FAST))
                    .merge(h);
            }
        }
        for (k, op) in &self.storage {
            let dst = into.storage.entry(*k).or_insert_with(|| Op {
                durations: Histogram::new(FAST),
                errors: 0,
            });
            dst.durations.merge(&op.durations);
            dst.errors += op.errors;
        }
    }
}

type Shared = Arc<Mutex<Shard>>;

/// The shards of live threads, and the merged counts of threads that ended.
#[derive(Default)]
struct Registry {
    live: Vec<Shared>,
    retired: Shard,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);

/// A thread's shard; folded into `retired` when the thread ends.
struct Local(Shared);

impl Local {
    fn register() -> Local {
        let shard = Shared::default();
        if let Ok(mut r) = REGISTRY.lock() {
            r.live.push(shard.clone());
        }
        Local(shard)
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        let Ok(mut r) = REGISTRY.lock() else { return };
        r.live.retain(|s| !Arc::ptr_eq(s, &self.0));
        if let Ok(mine) = self.0.lock() {
            mine.merge_into(&mut r.retired);
        }
    }
}

thread_local! {
    static LOCAL: Local = Local::register();
}

/// Runs `f` on this thread's shard (skipped while the thread is being torn down).
pub fn with(f: impl FnOnce(&mut Shard)) {
    let _ = LOCAL.try_with(|l| {
        if let Ok(mut s) = l.0.lock() {
            f(&mut s);
        }
    });
}

/// The sum of every shard, live and retired.
pub fn snapshot() -> Shard {
    let mut all = Shard::default();
    let Ok(r) = REGISTRY.lock() else { return all };
    r.retired.merge_into(&mut all);
    for s in &r.live {
        if let Ok(s) = s.lock() {
            s.merge_into(&mut all);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_an_ended_thread_are_kept() {
        let record = || {
            with(|s| {
                s.http
                    .entry("/shards-test/{x}".into())
                    .or_default()
                    .entry(("GET", 200))
                    .or_insert_with(|| Histogram::new(FAST))
                    .observe(0.001)
            })
        };
        std::thread::spawn(record).join().unwrap();
        record();
        let n = snapshot().http["/shards-test/{x}"][&("GET", 200)].count();
        assert_eq!(n, 2);
    }
}
