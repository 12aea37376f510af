//! `berth-bench`: drives any registry over the OCI API and prints throughput, p50/p99 latency
//! and errors: push N images (L layers × S bytes, random, unique per image unless
//! `--shared-layers`), pull them back verifying every digest, manifest GET/HEAD and blob GET at
//! full rate for T seconds, and (`--listing N`) catalog and tag listing over N repositories and
//! N tags. Authenticates like docker does (Bearer tokens from the registry's token service, or
//! Basic) when `--creds` is given. `--compare URL` runs the same workload against a second
//! registry and prints the ratios. `--chunked-blobs N` pushes N large blobs in chunks while
//! another client pushes small images, and reports the stall those see. Loopback targets only.
mod chunked;
mod client;
mod run;
mod workloads;

use clap::Parser;
use std::sync::Arc;

#[derive(Parser, Debug, Clone)]
#[command(about = "Benchmark an OCI registry (and optionally compare it with another)")]
pub struct Args {
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
    /// Seconds for each timed workload.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    #[arg(long)]
    shared_layers: bool,
    /// Create this many repositories and tags, then time catalog and tag listing (0: skip).
    #[arg(long, default_value_t = 0)]
    listing: usize,
    /// Push this many large blobs in chunks while small images are pushed beside them (0: skip).
    #[arg(long, default_value_t = 0)]
    chunked_blobs: usize,
    /// Size of each chunked blob in bytes.
    #[arg(long, default_value_t = 200 * 1_048_576)]
    chunked_size: usize,
    /// Bytes per PATCH of a chunked push.
    #[arg(long, default_value_t = 16 * 1_048_576)]
    chunk_size: usize,
    /// Credentials `user:password` for the first registry.
    #[arg(long)]
    creds: Option<String>,
    /// Credentials for the `--compare` registry.
    #[arg(long)]
    compare_creds: Option<String>,
}

fn creds(s: &Option<String>) -> Option<(String, String)> {
    s.as_ref()
        .and_then(|b| b.split_once(':'))
        .map(|(u, p)| (u.to_string(), p.to_string()))
}

async fn workload(base: &str, creds: Option<(String, String)>, a: &Args) -> Vec<(String, f64)> {
    let t = Arc::new(client::Target::new(base, creds));
    let run = format!("{:08x}", rand::random::<u32>());
    println!("{base}");
    let mut out = vec![];
    workloads::images(&t, a, &run, &mut out).await;
    if a.listing > 0 {
        workloads::listing(&t, a, &run, &mut out).await;
    }
    if a.chunked_blobs > 0 {
        chunked::chunked(&t, a, &run, &mut out).await;
    }
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
    let first = workload(&a.url, creds(&a.creds), &a).await;
    if let Some(other) = &a.compare {
        let second = workload(other, creds(&a.compare_creds), &a).await;
        println!("ratio {} / {}", a.url, other);
        for ((name, x), (_, y)) in first.iter().zip(second.iter()) {
            let r = if *y > 0.0 { x / y } else { f64::NAN };
            println!("  {name:<28} {x:>10.1} vs {y:>10.1}   {r:>6.2}x");
        }
    }
}
