//! The chunked-push workload (`--chunked-mb N`): pushes `--chunked-count` blobs of N MiB each in
//! PATCH chunks of `--chunk-mb` MiB, then the closing PUT, the way resumable clients do, while a
//! second client keeps pushing 1 KiB blobs. It prints the big pushes' throughput and closing-PUT
//! latency, and the latency the small pusher saw (p50, p99, max): the stall a concurrent pusher
//! suffers while the registry joins a large upload.
use crate::client::{digest, push_blob, push_scope, random_bytes, Target};
use crate::Args;
use reqwest::Method;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Follows a response's `Location` (absolute or relative).
fn location(res: &reqwest::Response) -> Result<String, String> {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or(format!("{}: no Location", res.status()))
}

/// One chunked push: POST, PATCH × n, PUT. Returns the closing PUT's latency in ms.
async fn push_chunked(t: &Target, repo: &str, body: &[u8], chunk: usize) -> Result<f64, String> {
    let scope = push_scope(repo);
    let d = digest(body);
    let res = t
        .send(
            Method::POST,
            &format!("/v2/{repo}/blobs/uploads/"),
            &scope,
            &[],
            None,
        )
        .await?;
    let mut loc = location(&res)?;
    let mut offset = 0usize;
    for part in body.chunks(chunk) {
        let range = format!("{}-{}", offset, offset + part.len() - 1);
        let len = part.len().to_string();
        let headers = [
            ("Content-Type", "application/octet-stream"),
            ("Content-Range", range.as_str()),
            ("Content-Length", len.as_str()),
        ];
        let res = t
            .send(
                Method::PATCH,
                &loc,
                &scope,
                &headers,
                Some(part.to_vec().into()),
            )
            .await?;
        if res.status() != 202 {
            return Err(format!("PATCH {}", res.status()));
        }
        loc = location(&res)?;
        offset += part.len();
    }
    let sep = if loc.contains('?') { '&' } else { '?' };
    let started = Instant::now();
    let res = t
        .send(
            Method::PUT,
            &format!("{loc}{sep}digest={d}"),
            &scope,
            &[],
            None,
        )
        .await?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    (res.status() == 201)
        .then_some(ms)
        .ok_or(format!("closing PUT {}", res.status()))
}

fn pct(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 * q) as usize).min(v.len().saturating_sub(1));
    v.get(i).copied().unwrap_or(0.0)
}

pub async fn run(t: &Arc<Target>, a: &Args, run: &str, out: &mut Vec<(String, f64)>) {
    let size = a.chunked_mb * 1024 * 1024;
    let chunk = (a.chunk_mb * 1024 * 1024).max(1);
    let stop = Arc::new(AtomicBool::new(false));
    let small = {
        let (t, stop, repo) = (t.clone(), stop.clone(), format!("bench/{run}-small"));
        tokio::spawn(async move {
            let (mut lat, mut errors, mut i) = (vec![], 0u64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                let body = random_bytes(&format!("{repo}-{i}"), 1024);
                let started = Instant::now();
                match push_blob(&t, &repo, body).await {
                    Ok(()) => lat.push(started.elapsed().as_secs_f64() * 1e3),
                    Err(_) => errors += 1,
                }
                i += 1;
            }
            (lat, errors)
        })
    };
    let (mut put_ms, mut errors) = (vec![], 0);
    let started = Instant::now();
    for i in 0..a.chunked_count {
        let repo = format!("bench/{run}-chunked");
        let body = random_bytes(&format!("{run}-chunked-{i}"), size);
        eprint!("\r  chunked push {}/{} ", i + 1, a.chunked_count);
        match push_chunked(t, &repo, &body, chunk).await {
            Ok(ms) => put_ms.push(ms),
            Err(e) => {
                eprintln!("chunked push failed: {e}");
                errors += 1;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let (mut lat, small_errors) = small.await.unwrap_or_default();
    let mbs = (put_ms.len() * size) as f64 / secs.max(1e-9) / 1e6;
    let (put_p50, put_max) = (pct(&mut put_ms, 0.5), pct(&mut put_ms, 1.0));
    let (p50, p99, max) = (pct(&mut lat, 0.5), pct(&mut lat, 0.99), pct(&mut lat, 1.0));
    eprintln!();
    println!(
        "  chunked push {} × {} MiB   {mbs:>8.1} MB/s  closing PUT p50 {put_p50:>8.1} ms  max {put_max:>8.1} ms  errors {errors}",
        a.chunked_count, a.chunked_mb
    );
    println!(
        "  concurrent 1 KiB pushes   {:>8} ops  p50 {p50:>7.2} ms  p99 {p99:>7.2} ms  max {max:>8.1} ms  errors {small_errors}",
        lat.len()
    );
    out.push(("chunked push MB/s".into(), mbs));
    out.push(("chunked closing PUT max ms".into(), put_max));
    out.push(("concurrent push max ms".into(), max));
}
