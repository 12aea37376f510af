//! Client-test helpers: the built `berth` binary run with its own docker config directory,
//! a real CNCF distribution (`docker-registry`, Debian's 2.8) on a free port, image pushes by
//! the real `skopeo` (the same helper feeds both registries), and a pseudo-terminal driver.
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

/// [`push`] for one architecture, by the real `skopeo` (`copy --preserve-digests` from an OCI
/// layout written here); returns the manifest digest and size.
pub async fn push_arch(
    base: &str,
    auth: Option<(&str, &str)>,
    name: &str,
    tag: &str,
    seed: u64,
    created: &str,
    arch: &str,
) -> (String, usize) {
    let layer = bytes(seed, 2000 + seed as usize);
    let config = json!({"architecture": arch, "os": "linux", "created": created,
        "rootfs": {"type": "layers", "diff_ids": [sha256(&layer)]}})
    .to_string()
    .into_bytes();
    let manifest = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(&config), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha256(&layer), "size": layer.len()}]})
    .to_string()
    .into_bytes();
    let dir = tempfile::tempdir().unwrap();
    let blobs = dir.path().join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    for b in [&config, &layer, &manifest] {
        std::fs::write(blobs.join(&sha256(b)[7..]), b).unwrap();
    }
    std::fs::write(
        dir.path().join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(&manifest),
        "size": manifest.len(), "annotations": {"org.opencontainers.image.ref.name": tag}}]});
    std::fs::write(dir.path().join("index.json"), index.to_string()).unwrap();
    skopeo_copy(
        &format!("oci:{}:{tag}", dir.path().display()),
        &format!(
            "docker://{}/{name}:{tag}",
            base.trim_start_matches("http://")
        ),
        auth,
    )
    .await;
    (sha256(&manifest), manifest.len())
}

/// `skopeo copy --preserve-digests SRC DEST` to a plain-http registry, as `auth` or anonymous.
pub async fn skopeo_copy(src: &str, dest: &str, auth: Option<(&str, &str)>) {
    let mut args = vec![
        "copy".to_string(),
        "--preserve-digests".into(),
        "--dest-tls-verify=false".into(),
    ];
    match auth {
        Some((u, p)) => args.push(format!("--dest-creds={u}:{p}")),
        None => args.push("--dest-no-creds".into()),
    }
    args.extend([src.to_string(), dest.to_string()]);
    let out = tokio::process::Command::new("skopeo")
        .args(&args)
        .output()
        .await
        .expect("skopeo must be installed (apt-get install skopeo; .ci/run installs it)");
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
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

/// A command on a pseudo-terminal (util-linux `script` runs it there and relays our input to
/// the terminal): read what it shows, type into it when a prompt is up.
pub struct Pty {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    stdout: tokio::process::ChildStdout,
    pub screen: String,
    seen: usize,
}

impl Pty {
    /// Runs `command` (a shell line) with the client's `HOME` and `DOCKER_CONFIG`.
    pub fn spawn(cli: &Client, command: &str, env: &[(&str, String)]) -> Pty {
        let mut child = tokio::process::Command::new("script")
            .args(["-qec", command, "/dev/null"])
            .env("HOME", cli.home.path())
            .env("DOCKER_CONFIG", cli.home.path().join(".docker"))
            .env("TERM", "dumb")
            .env_remove("BERTH_REGISTRY")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("util-linux script");
        Pty {
            stdin: child.stdin.take(),
            stdout: child.stdout.take().unwrap(),
            child,
            screen: String::new(),
            seen: 0,
        }
    }

    /// Reads until `text` shows after what was expected before (30 s at most).
    pub async fn expect(&mut self, text: &str) {
        use tokio::io::AsyncReadExt;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Some(at) = self.screen[self.seen..].find(text) {
                self.seen += at + text.len();
                return;
            }
            let mut buf = [0u8; 4096];
            let n = tokio::time::timeout_at(deadline, self.stdout.read(&mut buf))
                .await
                .unwrap_or_else(|_| panic!("'{text}' did not show: {}", self.screen))
                .unwrap();
            assert!(
                n > 0,
                "the terminal closed before '{text}': {}",
                self.screen
            );
            self.screen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }

    /// Types `text` into the terminal.
    pub async fn send(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(text.as_bytes()).await.unwrap();
        stdin.flush().await.unwrap();
    }

    /// Waits for the command to end (30 s at most); its exit code and everything shown.
    pub async fn finish(mut self) -> (i32, String) {
        use tokio::io::AsyncReadExt;
        drop(self.stdin.take());
        let mut rest = vec![];
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            self.stdout.read_to_end(&mut rest),
        )
        .await;
        assert!(read.is_ok(), "the command did not end: {}", self.screen);
        self.screen.push_str(&String::from_utf8_lossy(&rest));
        let status = tokio::time::timeout(std::time::Duration::from_secs(30), self.child.wait())
            .await
            .expect("script ends")
            .unwrap();
        (status.code().unwrap_or(-1), self.screen)
    }
}
