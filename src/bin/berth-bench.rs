//! `berth-bench`: drives any registry over the OCI API and prints throughput and latency:
//! push N images (L layers × S bytes, random, unique per image unless `--shared-layers`), pull
//! them back verifying every digest, then hammer manifest GET and blob GET for T seconds.
//! `--compare URL` runs the same workload against a second registry, alternating, and prints
//! the ratio. Loopback targets only.
use clap::Parser;
use sha2::{Digest as _, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser, Debug, Clone)]
#[command(about = "Benchmark an OCI registry (and optionally compare with another)")]
struct Args {
    /// Registry base URL, e.g. http://127.0.0.1:24817
    url: String,
    /// A second registry to run the same workload against.
    #[arg(long)]
    compare: Option<String>,
    #[arg(long, default_value_t = 8)]
    images: usize,
    #[arg(long, default_value_t = 3)]
    layers: usize,
    /// Layer size in bytes.
    #[arg(long, default_value_t = 1_048_576)]
    layer_size: usize,
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Seconds for each GET workload.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    #[arg(long)]
    shared_layers: bool,
    /// Basic credentials `user:password`.
    #[arg(long)]
    basic: Option<String>,
}

fn digest(b: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b)))
}

struct Target {
    base: String,
    http: reqwest::Client,
    auth: Option<(String, String)>,
}

impl Target {
    fn req(&self, m: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(m, format!("{}{}", self.base, path));
        match &self.auth {
            Some((u, p)) => r.basic_auth(u, Some(p)),
            None => r,
        }
    }
}

#[derive(Default)]
struct Stats {
    lat: Vec<f64>,
    bytes: u64,
    errors: u64,
    elapsed: f64,
}

impl Stats {
    fn line(&mut self, what: &str) -> f64 {
        self.lat.sort_by(|a, b| a.total_cmp(b));
        let p = |q: f64| {
            self.lat
                .get(((self.lat.len() as f64 * q) as usize).min(self.lat.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0.0)
        };
        let rate = self.lat.len() as f64 / self.elapsed.max(1e-9);
        println!(
            "  {what:<22} {:>8} ops {:>10.1} ops/s {:>9.1} MB/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
            self.lat.len(),
            rate,
            self.bytes as f64 / self.elapsed.max(1e-9) / 1e6,
            p(0.5),
            p(0.99),
            self.errors
        );
        rate
    }
}

async fn push_blob(t: &Target, repo: &str, body: Vec<u8>) -> Result<(), String> {
    let d = digest(&body);
    let res = t
        .req(reqwest::Method::POST, &format!("/v2/{repo}/blobs/uploads/"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let loc = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("no Location")?
        .to_string();
    let url = if loc.starts_with("http") {
        loc
    } else {
        format!("{}{loc}", t.base)
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let res = t
        .http
        .put(format!("{url}{sep}digest={d}"))
        .header("Content-Type", "application/octet-stream")
        .body(body);
    let res = match &t.auth {
        Some((u, p)) => res.basic_auth(u, Some(p)),
        None => res,
    };
    let res = res.send().await.map_err(|e| e.to_string())?;
    (res.status() == 201)
        .then_some(())
        .ok_or(format!("blob PUT {}", res.status()))
}

const MT: &str = "application/vnd.oci.image.manifest.v1+json";

/// Pushes one image; returns (repo, manifest digest, layer digests).
async fn push_image(
    t: &Target,
    run: &str,
    i: usize,
    a: &Args,
) -> Result<(String, String, Vec<String>), String> {
    let repo = format!("bench/{run}-{i}");
    let mut descs = vec![];
    let mut digests = vec![];
    for l in 0..a.layers {
        let seed = if a.shared_layers {
            format!("{run}-shared-{l}")
        } else {
            format!("{run}-{i}-{l}")
        };
        let mut body = vec![0u8; a.layer_size];
        let mut x = u64::from_le_bytes(
            Sha256::digest(seed.as_bytes())[..8]
                .try_into()
                .unwrap_or([1; 8]),
        ) | 1;
        for b in body.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        let d = digest(&body);
        push_blob(t, &repo, body).await?;
        descs.push(serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": a.layer_size}));
        digests.push(d);
    }
    let config =
        serde_json::json!({"architecture": "amd64", "os": "linux", "bench": format!("{run}-{i}")})
            .to_string()
            .into_bytes();
    let cd = digest(&config);
    let clen = config.len();
    push_blob(t, &repo, config).await?;
    let manifest = serde_json::json!({"schemaVersion": 2, "mediaType": MT,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": clen}, "layers": descs})
    .to_string();
    let md = digest(manifest.as_bytes());
    let res = t
        .req(reqwest::Method::PUT, &format!("/v2/{repo}/manifests/v1"))
        .header("Content-Type", MT)
        .body(manifest)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    (res.status() == 201)
        .then_some((repo, md, digests))
        .ok_or("manifest PUT failed".into())
}

async fn pull_image(t: &Target, repo: &str, md: &str, layers: &[String]) -> Result<u64, String> {
    let m = t
        .req(reqwest::Method::GET, &format!("/v2/{repo}/manifests/v1"))
        .header("Accept", MT)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let body = m.bytes().await.map_err(|e| e.to_string())?;
    if digest(&body) != md {
        return Err("manifest digest mismatch".into());
    }
    let mut n = body.len() as u64;
    for d in layers {
        let b = t
            .req(reqwest::Method::GET, &format!("/v2/{repo}/blobs/{d}"))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let bytes = b.bytes().await.map_err(|e| e.to_string())?;
        if &digest(&bytes) != d {
            return Err(format!("blob {d} digest mismatch"));
        }
        n += bytes.len() as u64;
    }
    Ok(n)
}

/// Runs `op` with `concurrency` workers until `deadline` or `count` ops; collects latencies.
async fn hammer<F, Fut>(concurrency: usize, count: Option<usize>, seconds: u64, op: F) -> Stats
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<u64, String>> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut handles = vec![];
    for _ in 0..concurrency {
        let (op, next) = (op.clone(), next.clone());
        handles.push(tokio::spawn(async move {
            let mut s = Stats::default();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
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
                            eprintln!("error: {e}");
                        }
                    }
                }
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
    total.elapsed = start.elapsed().as_secs_f64();
    total
}

async fn workload(base: &str, a: &Args) -> Vec<(String, f64)> {
    let auth = a
        .basic
        .as_ref()
        .and_then(|b| b.split_once(':'))
        .map(|(u, p)| (u.to_string(), p.to_string()));
    let t = Arc::new(Target {
        base: base.trim_end_matches('/').to_string(),
        http: reqwest::Client::new(),
        auth,
    });
    let run = format!("{:08x}", rand::random::<u32>());
    println!("{base}");
    let mut out = vec![];
    let pushed = Arc::new(tokio::sync::Mutex::new(vec![]));
    let (tt, aa, rr, pp) = (t.clone(), a.clone(), run.clone(), pushed.clone());
    let mut s = hammer(a.concurrency, Some(a.images), 0, move |i| {
        let (t, a, run, pushed) = (tt.clone(), aa.clone(), rr.clone(), pp.clone());
        async move {
            let img = push_image(&t, &run, i, &a).await?;
            pushed.lock().await.push(img);
            Ok((a.layers * a.layer_size) as u64)
        }
    })
    .await;
    out.push(("push image".to_string(), s.line("push image")));
    let images = Arc::new(pushed.lock().await.clone());
    if images.is_empty() {
        return out;
    }
    let (tt, im) = (t.clone(), images.clone());
    let mut s = hammer(a.concurrency, Some(images.len()), 0, move |i| {
        let (t, im) = (tt.clone(), im.clone());
        async move {
            let (repo, md, layers) = &im[i];
            pull_image(&t, repo, md, layers).await
        }
    })
    .await;
    out.push(("pull image".to_string(), s.line("pull image (verified)")));
    for (label, head) in [("manifest GET", false), ("manifest HEAD", true)] {
        let (tt, im) = (t.clone(), images.clone());
        let mut s = hammer(a.concurrency * 2, None, a.seconds, move |i| {
            let (t, im) = (tt.clone(), im.clone());
            async move {
                let (repo, _, _) = &im[i % im.len()];
                let m = if head {
                    reqwest::Method::HEAD
                } else {
                    reqwest::Method::GET
                };
                let r = t
                    .req(m, &format!("/v2/{repo}/manifests/v1"))
                    .header("Accept", MT)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !r.status().is_success() {
                    return Err(format!("status {}", r.status()));
                }
                Ok(r.bytes().await.map_err(|e| e.to_string())?.len() as u64)
            }
        })
        .await;
        out.push((label.to_string(), s.line(label)));
    }
    let (tt, im) = (t.clone(), images.clone());
    let mut s = hammer(a.concurrency * 2, None, a.seconds, move |i| {
        let (t, im) = (tt.clone(), im.clone());
        async move {
            let (repo, _, layers) = &im[i % im.len()];
            let d = &layers[i % layers.len()];
            let r = t
                .req(reqwest::Method::GET, &format!("/v2/{repo}/blobs/{d}"))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            Ok(r.bytes().await.map_err(|e| e.to_string())?.len() as u64)
        }
    })
    .await;
    let mbs = s.bytes as f64 / s.elapsed.max(1e-9) / 1e6;
    s.line("blob GET");
    out.push(("blob GET MB/s".to_string(), mbs));
    out
}

fn loopback(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]")
        })
        .unwrap_or(false)
}

#[tokio::main]
async fn main() {
    let a = Args::parse();
    for u in std::iter::once(&a.url).chain(a.compare.iter()) {
        if !loopback(u) {
            eprintln!("berth-bench: refusing non-loopback target {u}");
            std::process::exit(2);
        }
    }
    let first = workload(&a.url, &a).await;
    if let Some(other) = &a.compare {
        let second = workload(other, &a).await;
        println!("ratio {} / {}", a.url, other);
        for ((name, x), (_, y)) in first.iter().zip(second.iter()) {
            println!(
                "  {name:<22} {:>6.2}x",
                if *y > 0.0 { x / y } else { f64::NAN }
            );
        }
    }
}
