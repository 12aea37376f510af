//! A Prometheus histogram kept by one owner (a per-thread shard, or behind a lock), mergeable
//! into another, and written in the text exposition format.
use std::fmt::Write as _;

/// Upper bounds (seconds) for request and storage-operation durations.
pub const FAST: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Upper bounds (seconds) for task queue latency and duration.
pub const SLOW: &[f64] = &[
    0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0,
];

#[derive(Debug, Clone)]
pub struct Histogram {
    bounds: &'static [f64],
    /// Non-cumulative: `counts[i]` observations fell in bucket `i` (≤ `bounds[i]`, above the
    /// previous bound); made cumulative when written.
    counts: Vec<u64>,
    count: u64,
    sum: f64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            counts: vec![0; bounds.len()],
            count: 0,
            sum: 0.0,
        }
    }

    pub fn observe(&mut self, seconds: f64) {
        self.count += 1;
        self.sum += seconds;
        if let Some(i) = self.bounds.iter().position(|b| seconds <= *b) {
            self.counts[i] += 1;
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Adds `other`'s observations (same bounds).
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.count += other.count;
        self.sum += other.sum;
    }

    /// `name_bucket`, `name_sum` and `name_count` lines with `labels` (`k="v",…` or empty).
    pub fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, n) in self.bounds.iter().zip(&self.counts) {
            cumulative += n;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let plain = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{plain} {}", self.sum);
        let _ = writeln!(out, "{name}_count{plain} {}", self.count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_written_cumulative_and_merges_add_up() {
        let mut a = Histogram::new(FAST);
        a.observe(0.02);
        let mut b = Histogram::new(FAST);
        b.observe(3.0);
        b.observe(60.0);
        a.merge(&b);
        let mut out = String::new();
        a.write(&mut out, "x", "k=\"v\"");
        assert!(out.contains("x_bucket{k=\"v\",le=\"0.01\"} 0\n"), "{out}");
        assert!(out.contains("x_bucket{k=\"v\",le=\"0.025\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{k=\"v\",le=\"5\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{k=\"v\",le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_count{k=\"v\"} 3\n"), "{out}");
    }
}
