//! A registry client as real ones behave: requests go out unauthenticated or with a cached
//! Bearer token; a `401` with a `Bearer` challenge fetches a token for the scope from the realm
//! (with Basic credentials when given) and retries once; a `Basic` challenge retries with the
//! credentials. Plus the image push/pull steps the workloads are made of.
use actix_web::web::Bytes;
use reqwest::{Method, Response};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use tokio::sync::Mutex;

pub const MT: &str = "application/vnd.oci.image.manifest.v1+json";

pub fn digest(b: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b)))
}

pub struct Target {
    pub base: String,
    http: reqwest::Client,
    creds: Option<(String, String)>,
    tokens: Mutex<HashMap<String, String>>,
}

/// `key="value"` pairs of a challenge.
fn challenge_params(h: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let rest = h.split_once(' ').map(|(_, r)| r).unwrap_or("");
    for part in rest.split(",") {
        if let Some((k, v)) = part.split_once('=') {
            out.insert(k.trim().to_string(), v.trim().trim_matches('"').to_string());
        }
    }
    out
}

impl Target {
    pub fn new(base: &str, creds: Option<(String, String)>) -> Target {
        Target {
            base: base.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            creds,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// Sends a request needing `scope`, answering one authentication challenge.
    pub async fn send(
        &self,
        m: Method,
        path: &str,
        scope: &str,
        headers: &[(&str, &str)],
        body: Option<Bytes>,
    ) -> Result<Response, String> {
        let build = |auth: Option<String>| {
            let mut r = self.http.request(m.clone(), self.url(path));
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            if let Some(a) = auth {
                r = r.header("Authorization", a);
            }
            if let Some(b) = &body {
                r = r.body(b.clone());
            }
            r
        };
        let cached = self.tokens.lock().await.get(scope).cloned();
        let res = build(cached).send().await.map_err(|e| e.to_string())?;
        if res.status() != 401 {
            return Ok(res);
        }
        let challenge = res
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let auth = if challenge.starts_with("Bearer") {
            let p = challenge_params(&challenge);
            let realm = p.get("realm").ok_or("challenge without realm")?;
            let mut q = vec![("service", p.get("service").cloned().unwrap_or_default())];
            if !scope.is_empty() {
                q.push(("scope", scope.to_string()));
            }
            let mut r = self.http.get(realm).query(&q);
            if let Some((u, pw)) = &self.creds {
                r = r.basic_auth(u, Some(pw));
            }
            let v: serde_json::Value = r
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            let token = v["token"].as_str().ok_or("token service gave no token")?;
            let h = format!("Bearer {token}");
            self.tokens
                .lock()
                .await
                .insert(scope.to_string(), h.clone());
            h
        } else {
            let (u, pw) = self.creds.as_ref().ok_or("registry wants credentials")?;
            use base64::Engine;
            let h = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{pw}"))
            );
            self.tokens
                .lock()
                .await
                .insert(scope.to_string(), h.clone());
            h
        };
        build(Some(auth)).send().await.map_err(|e| e.to_string())
    }
}

pub fn push_scope(repo: &str) -> String {
    format!("repository:{repo}:pull,push")
}

pub fn pull_scope(repo: &str) -> String {
    format!("repository:{repo}:pull")
}

/// The `Location` a registry answered with.
pub fn location(res: &Response) -> Result<String, String> {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or(format!("{}: no Location", res.status()))
}

/// Opens an upload session in `repo`; returns its location.
pub async fn start_upload(t: &Target, repo: &str, scope: &str) -> Result<String, String> {
    let res = t
        .send(
            Method::POST,
            &format!("/v2/{repo}/blobs/uploads/"),
            scope,
            &[],
            None,
        )
        .await?;
    location(&res).map_err(|e| format!("upload POST {e}"))
}

/// Monolithic-by-session blob push: POST, then PUT with the digest.
pub async fn push_blob(t: &Target, repo: &str, body: Vec<u8>) -> Result<(), String> {
    let d = digest(&body);
    let scope = push_scope(repo);
    let loc = start_upload(t, repo, &scope).await?;
    let sep = if loc.contains('?') { '&' } else { '?' };
    let ct = [("Content-Type", "application/octet-stream")];
    let res = t
        .send(
            Method::PUT,
            &format!("{loc}{sep}digest={d}"),
            &scope,
            &ct,
            Some(body.into()),
        )
        .await?;
    (res.status() == 201)
        .then_some(())
        .ok_or(format!("blob PUT {}", res.status()))
}

pub async fn put_manifest(
    t: &Target,
    repo: &str,
    tag: &str,
    manifest: Bytes,
) -> Result<(), String> {
    let res = t
        .send(
            Method::PUT,
            &format!("/v2/{repo}/manifests/{tag}"),
            &push_scope(repo),
            &[("Content-Type", MT)],
            Some(manifest),
        )
        .await?;
    (res.status() == 201)
        .then_some(())
        .ok_or(format!("manifest PUT {}", res.status()))
}

/// Deterministic pseudo-random bytes for `seed`.
pub fn random_bytes(seed: &str, len: usize) -> Vec<u8> {
    let mut body = vec![0u8; len];
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
    body
}

/// An image manifest over `config` and `layers` (digest, size).
pub fn manifest(config: &[u8], layers: &[(String, usize)]) -> String {
    let descs: Vec<_> = layers
        .iter()
        .map(|(d, s)| serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s}))
        .collect();
    serde_json::json!({"schemaVersion": 2, "mediaType": MT,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config), "size": config.len()},
        "layers": descs})
    .to_string()
}

/// GETs a manifest and each layer, verifying every digest; returns the bytes read.
pub async fn pull_image(
    t: &Target,
    repo: &str,
    md: &str,
    layers: &[String],
) -> Result<u64, String> {
    let scope = pull_scope(repo);
    let m = t
        .send(
            Method::GET,
            &format!("/v2/{repo}/manifests/v1"),
            &scope,
            &[("Accept", MT)],
            None,
        )
        .await?;
    let body = m.bytes().await.map_err(|e| e.to_string())?;
    if digest(&body) != md {
        return Err("manifest digest mismatch".into());
    }
    let mut n = body.len() as u64;
    for d in layers {
        let b = t
            .send(
                Method::GET,
                &format!("/v2/{repo}/blobs/{d}"),
                &scope,
                &[],
                None,
            )
            .await?;
        let bytes = b.bytes().await.map_err(|e| e.to_string())?;
        if &digest(&bytes) != d {
            return Err(format!("blob {d} digest mismatch"));
        }
        n += bytes.len() as u64;
    }
    Ok(n)
}
