//! `--chunked-blobs N`: chunked pushes of large blobs (POST, one PATCH per chunk, PUT with the
//! digest), one after another, while a second client keeps pushing small tagged images. The
//! final PUT's latency is the cost of joining the parts; the small pushes' worst latency is the
//! stall a large blob's finishing causes for everyone else.
use crate::client::{
    digest, location, manifest, push_blob, push_scope, put_manifest, random_bytes, start_upload,
    Target,
};
use crate::Args;
use reqwest::Method;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Pushes `body` in `chunk`-byte PATCHes; returns the final PUT's latency in ms.
async fn push_chunked(t: &Target, repo: &str, body: &[u8], chunk: usize) -> Result<f64, String> {
    let scope = push_scope(repo);
    let mut loc = start_upload(t, repo, &scope).await?;
    for (i, part) in body.chunks(chunk.max(1)).enumerate() {
        let start = i * chunk;
        let range = format!("{start}-{}", start + part.len() - 1);
        let headers = [
            ("Content-Type", "application/octet-stream"),
            ("Content-Range", range.as_str()),
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
    }
    let sep = if loc.contains('?') { '&' } else { '?' };
    let t0 = Instant::now();
    let res = t
        .send(
            Method::PUT,
            &format!("{loc}{sep}digest={}", digest(body)),
            &scope,
            &[],
            None,
        )
        .await?;
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    (res.status() == 201)
        .then_some(ms)
        .ok_or(format!("final PUT {}", res.status()))
}

/// One small tagged image (a 1 KiB layer, a config and a manifest).
async fn push_small(t: &Target, run: &str, i: usize) -> Result<(), String> {
    let repo = format!("bench/{run}-small");
    let layer = random_bytes(&format!("{run}-small-{i}"), 1024);
    let layers = [(digest(&layer), layer.len())];
    push_blob(t, &repo, layer).await?;
    let config = format!("{{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":{i}}}").into_bytes();
    push_blob(t, &repo, config.clone()).await?;
    put_manifest(
        t,
        &repo,
        &format!("t{i}"),
        manifest(&config, &layers).into(),
    )
    .await
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(i).copied().unwrap_or(0.0)
}

pub async fn chunked(t: &Arc<Target>, a: &Args, run: &str, out: &mut Vec<(String, f64)>) {
    let stop = Arc::new(AtomicBool::new(false));
    let (tt, rr, st) = (t.clone(), run.to_string(), stop.clone());
    let small = tokio::spawn(async move {
        let (mut lat, mut errors, mut i) = (vec![], 0u64, 0);
        while !st.load(Ordering::Relaxed) {
            let t0 = Instant::now();
            match push_small(&tt, &rr, i).await {
                Ok(()) => lat.push(t0.elapsed().as_secs_f64() * 1000.0),
                Err(_) => errors += 1,
            }
            i += 1;
        }
        (lat, errors)
    });
    let repo = format!("bench/{run}-chunked");
    let (mut puts, mut errors, mut bytes) = (vec![], 0u64, 0u64);
    let start = Instant::now();
    for i in 0..a.chunked_blobs {
        let body = random_bytes(&format!("{run}-chunked-{i}"), a.chunked_size);
        match push_chunked(t, &repo, &body, a.chunk_size).await {
            Ok(ms) => {
                puts.push(ms);
                bytes += body.len() as u64;
            }
            Err(e) => {
                eprintln!("chunked push: {e}");
                errors += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    stop.store(true, Ordering::Relaxed);
    let (mut lat, small_errors) = small.await.unwrap_or_default();
    puts.sort_by(|x, y| x.total_cmp(y));
    lat.sort_by(|x, y| x.total_cmp(y));
    let mbs = bytes as f64 / secs / 1e6;
    let put_max = puts.last().copied().unwrap_or(0.0);
    let stall = lat.last().copied().unwrap_or(0.0);
    println!(
        "  {:<24} {:>8} ops {:>10.1} MB/s  final PUT p50 {:>8.1} ms  max {:>8.1} ms  errors {errors}",
        "chunked push",
        puts.len(),
        mbs,
        quantile(&puts, 0.5),
        put_max
    );
    println!(
        "  {:<24} {:>8} ops  p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>8.1} ms  errors {small_errors}",
        "concurrent small push",
        lat.len(),
        quantile(&lat, 0.5),
        quantile(&lat, 0.99),
        stall
    );
    out.push(("chunked push MB/s".into(), mbs));
    out.push(("chunked final PUT max ms".into(), put_max));
    out.push(("concurrent push max ms".into(), stall));
}
