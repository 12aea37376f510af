//! Client-test helpers: the built `berth` binary run with its own docker config directory,
//! a real CNCF distribution (`docker-registry`, Debian's 2.8) on a free port, and image pushes
//! through plain `/v2/` (so the same helper feeds both registries).
use super::oci::{bytes, sha256};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

/// The `berth` client with a private `DOCKER_CONFIG` and `HOME`.
pub struct Client {
    pub home: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }

    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Client {
    pub fn new() -> Client {
        Client {
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub fn config_path(&self) -> PathBuf {
        self.home.path().join(".docker/config.json")
    }

    /// Writes `auths.<registry>.auth` as `docker login` does.
    pub fn write_auth(&self, registry: &str, user: &str, password: &str) {
        use base64::Engine as _;
        std::fs::create_dir_all(self.home.path().join(".docker")).unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let cfg = json!({"auths": {registry: {"auth": auth}}});
        std::fs::write(self.config_path(), cfg.to_string()).unwrap();
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "").await
    }

    pub async fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        self.run_env(args, stdin, &[]).await
    }

    /// Runs with `env` added (e.g. `PATH` with a credential helper, `REGISTRY_AUTH_FILE`).
    pub async fn run_env(&self, args: &[&str], stdin: &str, env: &[(&str, String)]) -> Run {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_berth"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("DOCKER_CONFIG", self.home.path().join(".docker"))
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).await.unwrap();
        drop(input);
        let out = child.wait_with_output().await.unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into(),
            stderr: String::from_utf8_lossy(&out.stderr).into(),
        }
    }
}

/// A CNCF distribution registry (Debian's `docker-registry`) with deletes enabled.
pub struct Distribution {
    pub host: String,
    pub base: String,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl Drop for Distribution {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const DISTRIBUTION: &str = "/usr/bin/docker-registry";

impl Distribution {
    /// Starts one, or `None` (with a message) when the binary is not installed.
    pub async fn start() -> Option<Distribution> {
        if !std::path::Path::new(DISTRIBUTION).exists() {
            eprintln!("SKIPPED: {DISTRIBUTION} is absent (apt-get install docker-registry)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        let cfg = dir.path().join("config.yml");
        std::fs::write(&cfg, config).unwrap();
        let child = std::process::Command::new(DISTRIBUTION)
            .arg("serve")
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let host = format!("127.0.0.1:{port}");
        let base = format!("http://{host}");
        let d = Distribution {
            host,
            base,
            child,
            _dir: dir,
        };
        for _ in 0..100 {
            if reqwest::get(format!("{}/v2/", d.base))
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return Some(d);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("docker-registry did not start on {}", d.host);
    }
}

/// Pushes an image through `/v2/` (POST then PUT uploads; any registry) with a config whose
/// `created` is `created`; returns the manifest digest.
pub async fn push(
    base: &str,
    auth: Option<(&str, &str)>,
    name: &str,
    tag: &str,
    seed: u64,
    created: &str,
) -> String {
    push_arch(base, auth, name, tag, seed, created, "amd64")
        .await
        .0
}

/// [`push`] for one architecture; returns the manifest digest and size.
pub async fn push_arch(
    base: &str,
    auth: Option<(&str, &str)>,
    name: &str,
    tag: &str,
    seed: u64,
    created: &str,
    arch: &str,
) -> (String, usize) {
    let http = reqwest::Client::new();
    let req = |m: reqwest::Method, url: String| {
        let r = http.request(m, url);
        match auth {
            Some((u, p)) => r.basic_auth(u, Some(p)),
            None => r,
        }
    };
    let layer = bytes(seed, 2000 + seed as usize);
    let config = json!({"architecture": arch, "os": "linux", "created": created,
        "rootfs": {"type": "layers", "diff_ids": [sha256(&layer)]}})
    .to_string()
    .into_bytes();
    for blob in [&config, &layer] {
        let res = req(
            reqwest::Method::POST,
            format!("{base}/v2/{name}/blobs/uploads/"),
        )
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 202, "start upload");
        let loc = res.headers()["location"].to_str().unwrap().to_string();
        let loc = if loc.starts_with('/') {
            format!("{base}{loc}")
        } else {
            loc
        };
        let sep = if loc.contains('?') { '&' } else { '?' };
        let res = req(
            reqwest::Method::PUT,
            format!("{loc}{sep}digest={}", sha256(blob)),
        )
        .header("Content-Type", "application/octet-stream")
        .body(blob.to_vec())
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 201, "finish upload");
    }
    let manifest = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(&config), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha256(&layer), "size": layer.len()}]})
    .to_string()
    .into_bytes();
    let res = req(
        reqwest::Method::PUT,
        format!("{base}/v2/{name}/manifests/{tag}"),
    )
    .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
    .body(manifest.clone())
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    (sha256(&manifest), manifest.len())
}

/// Pushes an amd64 and an arm64 image and an OCI index of both under `tag`; returns the
/// index digest.
pub async fn push_index(base: &str, auth: Option<(&str, &str)>, name: &str, tag: &str) -> String {
    let mut descs = vec![];
    for (i, arch) in ["amd64", "arm64"].iter().enumerate() {
        let (d, size) = push_arch(
            base,
            auth,
            name,
            &format!("{tag}-{arch}"),
            40 + i as u64,
            "2021-01-01T00:00:00Z",
            arch,
        )
        .await;
        descs.push(json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": size,
                          "platform": {"os": "linux", "architecture": arch}}));
    }
    let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": descs})
        .to_string()
        .into_bytes();
    let http = reqwest::Client::new();
    let mut r = http
        .put(format!("{base}/v2/{name}/manifests/{tag}"))
        .header("Content-Type", "application/vnd.oci.image.index.v1+json")
        .body(index.clone());
    if let Some((u, p)) = auth {
        r = r.basic_auth(u, Some(p));
    }
    let res = r.send().await.unwrap();
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    sha256(&index)
}

/// Tags `digest` as `tag` too (PUT of the same manifest bytes).
pub async fn tag(base: &str, auth: Option<(&str, &str)>, name: &str, digest: &str, tag: &str) {
    let http = reqwest::Client::new();
    let with = |r: reqwest::RequestBuilder| match auth {
        Some((u, p)) => r.basic_auth(u, Some(p)),
        None => r,
    };
    let res = with(http.get(format!("{base}/v2/{name}/manifests/{digest}")))
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.bytes().await.unwrap();
    let res = with(http.put(format!("{base}/v2/{name}/manifests/{tag}")))
        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}
