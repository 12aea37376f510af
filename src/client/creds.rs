//! Credentials as docker and podman keep them: `config.json` in `$DOCKER_CONFIG` (default
//! `~/.docker`) with `auths.<registry>.auth` (base64 `user:password`), `credHelpers` per
//! registry and `credsStore` (run as `docker-credential-<name> get|store|erase`); podman's
//! `auth.json` (`$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`) is read too.
//! `berth login` writes where docker would: the registry's helper, else `credsStore`, else
//! `auths` (file mode 0600).
use super::error::{failed, Result};
use base64::Engine as _;
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A user name and password (or identity token) for one registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// docker's `config.json`.
pub fn docker_config_path() -> PathBuf {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".docker"));
    dir.join("config.json")
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// podman's auth files that exist, in the order podman reads them.
fn podman_paths() -> Vec<PathBuf> {
    let mut out = vec![];
    if let Some(p) = std::env::var_os("REGISTRY_AUTH_FILE") {
        out.push(PathBuf::from(p));
    }
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR") {
        out.push(PathBuf::from(d).join("containers/auth.json"));
    }
    out.push(home().join(".config/containers/auth.json"));
    out
}

fn read_json(path: &PathBuf) -> Result<Value> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| failed(format!("{} is not valid JSON: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(json!({})),
        Err(e) => Err(failed(format!("cannot read {}: {e}", path.display()))),
    }
}

/// The keys a registry may be stored under (docker writes Docker Hub with a URL).
fn keys(registry: &str) -> [String; 3] {
    [
        registry.to_string(),
        format!("https://{registry}"),
        format!("http://{registry}"),
    ]
}

/// The credentials stored for `registry`, if any.
pub fn lookup(registry: &str) -> Result<Option<Credentials>> {
    let cfg = read_json(&docker_config_path())?;
    if let Some(helper) = cfg["credHelpers"][registry].as_str() {
        return helper_get(helper, registry);
    }
    if let Some(c) = from_auths(&cfg, registry) {
        return Ok(Some(c));
    }
    if let Some(store) = cfg["credsStore"].as_str() {
        if let Some(c) = helper_get(store, registry)? {
            return Ok(Some(c));
        }
    }
    for p in podman_paths() {
        if let Some(c) = from_auths(&read_json(&p)?, registry) {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

fn from_auths(cfg: &Value, registry: &str) -> Option<Credentials> {
    keys(registry).iter().find_map(|k| {
        let entry = &cfg["auths"][k];
        if let Some(token) = entry["identitytoken"].as_str().filter(|t| !t.is_empty()) {
            return Some(Credentials {
                username: "<token>".into(),
                password: token.into(),
            });
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(entry["auth"].as_str()?.trim())
            .ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (u, p) = text.split_once(':')?;
        Some(Credentials {
            username: u.into(),
            password: p.into(),
        })
    })
}

/// Runs `docker-credential-<helper> <verb>` with `input` on stdin.
fn helper(helper: &str, verb: &str, input: &str) -> Result<(bool, String)> {
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg(verb)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("cannot run the credential helper {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .map_err(|e| failed(format!("{program}: {e}")))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| failed(format!("{program}: {e}")))?;
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    Ok((out.status.success(), text))
}

fn helper_get(name: &str, registry: &str) -> Result<Option<Credentials>> {
    let (ok, text) = helper(name, "get", registry)?;
    if !ok {
        if text.to_lowercase().contains("not found") {
            return Ok(None);
        }
        return Err(failed(format!(
            "docker-credential-{name} get failed: {}",
            text.trim()
        )));
    }
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| failed(format!("docker-credential-{name} answered no JSON: {e}")))?;
    Ok(Some(Credentials {
        username: v["Username"].as_str().unwrap_or_default().into(),
        password: v["Secret"].as_str().unwrap_or_default().into(),
    }))
}

/// Which helper docker would use for `registry`, if any.
fn helper_for(cfg: &Value, registry: &str) -> Option<String> {
    cfg["credHelpers"][registry]
        .as_str()
        .or(cfg["credsStore"].as_str())
        .map(str::to_string)
}

/// Stores `c` for `registry`; returns where.
pub fn store(registry: &str, c: &Credentials) -> Result<String> {
    let path = docker_config_path();
    let mut cfg = read_json(&path)?;
    if let Some(h) = helper_for(&cfg, registry) {
        let input = json!({"ServerURL": registry, "Username": c.username, "Secret": c.password});
        let (ok, text) = helper(&h, "store", &input.to_string())?;
        if !ok {
            return Err(failed(format!(
                "docker-credential-{h} store failed: {}",
                text.trim()
            )));
        }
        return Ok(format!("credential helper docker-credential-{h}"));
    }
    let auth =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.username, c.password));
    if !cfg.is_object() {
        cfg = json!({});
    }
    if !cfg["auths"].is_object() {
        cfg["auths"] = json!({});
    }
    cfg["auths"][registry] = json!({ "auth": auth });
    write_private(&path, &cfg)?;
    Ok(path.display().to_string())
}

/// Removes what is stored for `registry`; returns whether anything was.
pub fn erase(registry: &str) -> Result<bool> {
    let path = docker_config_path();
    let mut cfg = read_json(&path)?;
    let mut found = false;
    if let Some(auths) = cfg.get_mut("auths").and_then(Value::as_object_mut) {
        for k in keys(registry) {
            found |= auths.remove(&k).is_some();
        }
    }
    if found {
        write_private(&path, &cfg)?;
    }
    if let Some(h) = helper_for(&cfg, registry) {
        let (ok, _) = helper(&h, "erase", registry)?;
        found |= ok;
    }
    Ok(found)
}

fn write_private(path: &PathBuf, cfg: &Value) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
    }
    let text = serde_json::to_string_pretty(cfg).map_err(|e| failed(e.to_string()))?;
    let tmp = path.with_extension("json.tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(&tmp)
        .map_err(|e| failed(format!("cannot write {}: {e}", tmp.display())))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.write_all(b"\n"))
        .map_err(|e| failed(format!("cannot write {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(|e| failed(format!("cannot write {}: {e}", path.display())))
}
