//! Running an operation many times at a fixed concurrency (for a count or a duration) with a
//! progress line on stderr, and summarising throughput, p50/p99 latency and errors.
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Stats {
    pub lat: Vec<f64>,
    pub bytes: u64,
    pub errors: u64,
    pub elapsed: f64,
}

impl Stats {
    /// Prints one result line; returns the operation rate.
    pub fn line(&mut self, what: &str) -> f64 {
        self.lat.sort_by(|a, b| a.total_cmp(b));
        let p = |q: f64| {
            let i = ((self.lat.len() as f64 * q) as usize).min(self.lat.len().saturating_sub(1));
            self.lat.get(i).copied().unwrap_or(0.0)
        };
        let rate = self.lat.len() as f64 / self.elapsed.max(1e-9);
        println!(
            "  {what:<24} {:>8} ops {:>10.1} ops/s {:>9.1} MB/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
            self.lat.len(),
            rate,
            self.mbs(),
            p(0.5),
            p(0.99),
            self.errors
        );
        rate
    }

    pub fn mbs(&self) -> f64 {
        self.bytes as f64 / self.elapsed.max(1e-9) / 1e6
    }
}

/// Runs `op(i)` with `concurrency` workers until `count` operations are done or, without a
/// count, until `seconds` have passed. `op` returns the bytes it moved.
pub async fn hammer<F, Fut>(
    label: &str,
    concurrency: usize,
    count: Option<usize>,
    seconds: u64,
    op: F,
) -> Stats
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<u64, String>> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let progress = {
        let (done, label) = (done.clone(), label.to_string());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let n = done.load(Ordering::Relaxed);
                let of = count.map(|c| format!("/{c}")).unwrap_or_else(|| {
                    format!(" ({:.0}s/{seconds}s)", start.elapsed().as_secs_f64())
                });
                eprint!("\r  {label:<24} {n}{of}   ");
            }
        })
    };
    let mut handles = vec![];
    for _ in 0..concurrency.max(1) {
        let (op, next, done) = (op.clone(), next.clone(), done.clone());
        handles.push(tokio::spawn(async move {
            let mut s = Stats::default();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if count.is_some_and(|c| i >= c) || (count.is_none() && Instant::now() > deadline) {
                    break;
                }
                let t0 = Instant::now();
                match op(i).await {
                    Ok(b) => {
                        s.lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                        s.bytes += b;
                    }
                    Err(e) => {
                        s.errors += 1;
                        if s.errors <= 3 {
                            eprintln!("\nerror: {e}");
                        }
                    }
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            s
        }));
    }
    let mut total = Stats::default();
    for h in handles {
        if let Ok(s) = h.await {
            total.lat.extend(s.lat);
            total.bytes += s.bytes;
            total.errors += s.errors;
        }
    }
    progress.abort();
    eprint!("\r{:<60}\r", "");
    total.elapsed = start.elapsed().as_secs_f64();
    total
}
