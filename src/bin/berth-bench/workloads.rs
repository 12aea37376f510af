//! The workloads: push images and pull them back verified, manifest GET/HEAD and blob GET at
//! full rate, and catalog / tag listing over many repositories and tags. Each returns
//! (name, figure) pairs so two registries can be compared.
use crate::client::{
    self, digest, manifest, pull_scope, push_blob, put_manifest, random_bytes, Target, MT,
};
use crate::run::hammer;
use crate::Args;
use reqwest::Method;
use std::sync::Arc;

type Image = (String, String, Vec<String>);

/// Pushes one image to `bench/<run>-<i>`; returns (repo, manifest digest, layer digests).
async fn push_image(t: &Target, run: &str, i: usize, a: &Args) -> Result<Image, String> {
    let repo = format!("bench/{run}-{i}");
    let mut layers = vec![];
    for l in 0..a.layers {
        let seed = if a.shared_layers {
            format!("{run}-shared-{l}")
        } else {
            format!("{run}-{i}-{l}")
        };
        let body = random_bytes(&seed, a.layer_size);
        layers.push((digest(&body), a.layer_size));
        push_blob(t, &repo, body).await?;
    }
    let config =
        serde_json::json!({"architecture": "amd64", "os": "linux", "bench": format!("{run}-{i}")})
            .to_string()
            .into_bytes();
    push_blob(t, &repo, config.clone()).await?;
    let m = manifest(&config, &layers);
    let md = digest(m.as_bytes());
    put_manifest(t, &repo, "v1", m.into()).await?;
    Ok((repo, md, layers.into_iter().map(|(d, _)| d).collect()))
}

pub async fn images(t: &Arc<Target>, a: &Args, run: &str, out: &mut Vec<(String, f64)>) {
    let pushed = Arc::new(tokio::sync::Mutex::new(vec![]));
    let (tt, aa, rr, pp) = (t.clone(), a.clone(), run.to_string(), pushed.clone());
    let mut s = hammer("push image", a.concurrency, Some(a.images), 0, move |i| {
        let (t, a, run, pushed) = (tt.clone(), aa.clone(), rr.clone(), pp.clone());
        async move {
            let img = push_image(&t, &run, i, &a).await?;
            pushed.lock().await.push(img);
            Ok((a.layers * a.layer_size) as u64)
        }
    })
    .await;
    s.line("push image");
    out.push(("push MB/s".into(), s.mbs()));
    let images: Arc<Vec<Image>> = Arc::new(pushed.lock().await.clone());
    if images.is_empty() {
        return;
    }
    let (tt, im) = (t.clone(), images.clone());
    let mut s = hammer(
        "pull image",
        a.concurrency,
        Some(images.len()),
        0,
        move |i| {
            let (t, im) = (tt.clone(), im.clone());
            async move { client::pull_image(&t, &im[i].0, &im[i].1, &im[i].2).await }
        },
    )
    .await;
    s.line("pull image (verified)");
    out.push(("pull MB/s".into(), s.mbs()));
    for (label, m) in [
        ("manifest GET", Method::GET),
        ("manifest HEAD", Method::HEAD),
    ] {
        let (tt, im) = (t.clone(), images.clone());
        let mut s = hammer(label, a.concurrency * 2, None, a.seconds, move |i| {
            let (t, im, m) = (tt.clone(), im.clone(), m.clone());
            async move {
                let repo = &im[i % im.len()].0;
                let path = format!("/v2/{repo}/manifests/v1");
                let r = t
                    .send(m, &path, &pull_scope(repo), &[("Accept", MT)], None)
                    .await?;
                if !r.status().is_success() {
                    return Err(format!("status {}", r.status()));
                }
                Ok(r.bytes().await.map_err(|e| e.to_string())?.len() as u64)
            }
        })
        .await;
        out.push((format!("{label} /s"), s.line(label)));
    }
    let (tt, im) = (t.clone(), images.clone());
    let mut s = hammer("blob GET", a.concurrency * 2, None, a.seconds, move |i| {
        let (t, im) = (tt.clone(), im.clone());
        async move {
            let (repo, _, layers) = &im[i % im.len()];
            let d = &layers[i % layers.len()];
            let r = t
                .send(
                    Method::GET,
                    &format!("/v2/{repo}/blobs/{d}"),
                    &pull_scope(repo),
                    &[],
                    None,
                )
                .await?;
            Ok(r.bytes().await.map_err(|e| e.to_string())?.len() as u64)
        }
    })
    .await;
    s.line("blob GET");
    out.push(("blob GET MB/s".into(), s.mbs()));
}

/// Walks a paginated list (`Link: <…>; rel="next"`) to its end; returns the entries seen.
async fn walk(t: &Target, first: String, scope: &str, key: &str) -> Result<u64, String> {
    let (mut next, mut n) = (Some(first), 0u64);
    while let Some(path) = next {
        let r = t.send(Method::GET, &path, scope, &[], None).await?;
        if !r.status().is_success() {
            return Err(format!("{path}: {}", r.status()));
        }
        next = r
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.split_once('<'))
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(p, _)| p.to_string());
        let v: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
        n += v[key].as_array().map(|a| a.len() as u64).unwrap_or(0);
    }
    Ok(n)
}

/// `--listing N`: N repositories and N tags in one repository, then full catalog and tag
/// listings (pages of 100 and 1000) at full rate.
pub async fn listing(t: &Arc<Target>, a: &Args, run: &str, out: &mut Vec<(String, f64)>) {
    let n = a.listing;
    let layer = random_bytes(&format!("{run}-listing"), 512);
    let config = br#"{"architecture":"amd64","os":"linux"}"#.to_vec();
    let m = Arc::new(manifest(&config, &[(digest(&layer), layer.len())]));
    let (tt, mm, rr, l, c) = (
        t.clone(),
        m.clone(),
        run.to_string(),
        layer.clone(),
        config.clone(),
    );
    let mut s = hammer(
        "create repositories",
        a.concurrency * 2,
        Some(n),
        0,
        move |i| {
            let (t, m, run, l, c) = (tt.clone(), mm.clone(), rr.clone(), l.clone(), c.clone());
            async move {
                let repo = format!("list-{run}/r{i:06}");
                push_blob(&t, &repo, l).await?;
                push_blob(&t, &repo, c).await?;
                put_manifest(&t, &repo, "v1", m.as_str().to_owned().into()).await?;
                Ok(0)
            }
        },
    )
    .await;
    s.line("create repositories");
    let (tt, mm, rr) = (t.clone(), m.clone(), run.to_string());
    let mut s = hammer("create tags", a.concurrency * 2, Some(n), 0, move |i| {
        let (t, m, run) = (tt.clone(), mm.clone(), rr.clone());
        async move {
            put_manifest(
                &t,
                &format!("list-{run}/r000000"),
                &format!("t{i:06}"),
                m.as_str().to_owned().into(),
            )
            .await?;
            Ok(0)
        }
    })
    .await;
    s.line("create tags");
    let tags_repo = format!("list-{run}/r000000");
    for (label, path, scope, key) in [
        (
            "catalog walk (n=100)",
            "/v2/_catalog?n=100".to_string(),
            "registry:catalog:*".to_string(),
            "repositories",
        ),
        (
            "tags walk (n=1000)",
            format!("/v2/{tags_repo}/tags/list?n=1000"),
            pull_scope(&tags_repo),
            "tags",
        ),
    ] {
        let tt = t.clone();
        let mut s = hammer(label, a.concurrency, None, a.seconds, move |_| {
            let (t, path, scope) = (tt.clone(), path.clone(), scope.clone());
            async move { walk(&t, path, &scope, key).await }
        })
        .await;
        let entries = if s.lat.is_empty() {
            0.0
        } else {
            s.bytes as f64 / s.lat.len() as f64
        };
        s.bytes = 0;
        let rate = s.line(label);
        println!("  {:<24} {entries:.0} entries per walk", "");
        out.push((format!("{label} /s"), rate));
    }
}
