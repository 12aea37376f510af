//! A small registry client: `/v2/` with Basic credentials sent up front and Docker's token
//! flow on a `Bearer` challenge (tokens cached per scope), and berth's Pulp API (Basic; its
//! calls are in `pulp_api`), used when `GET /pulp/api/v3/status/` names the `berth`
//! component. Transport failures, 401 and 403 become the client's distinct errors.
use super::creds::{self, Credentials};
use super::error::{failed, ClientError, Result};
use super::http_errors::challenge_params;
pub use super::http_errors::{json_of, ok};
use super::refs::split_scheme;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// Every manifest type the client reads.
pub const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// How long the client waits for one task (an hour) before it gives up, saying how to go on.
pub const TASK_WAIT_SECS: u64 = 3600;

pub struct Registry {
    /// As written in `config.json` (`host[:port]`).
    pub host: String,
    /// `scheme://host[:port]`.
    pub base: String,
    http: reqwest::Client,
    creds: Option<Credentials>,
    tokens: Mutex<HashMap<String, String>>,
    /// Whether the registry has answered once (then a closed connection is no scheme mismatch).
    reached: std::sync::atomic::AtomicBool,
}

/// A request to (re)build for each attempt.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub headers: Vec<(reqwest::header::HeaderName, String)>,
    pub body: Option<Vec<u8>>,
}

impl Req {
    pub fn new(method: Method, path: impl Into<String>) -> Req {
        Req {
            method,
            path: path.into(),
            headers: vec![],
            body: None,
        }
    }

    pub fn header(mut self, name: reqwest::header::HeaderName, value: &str) -> Req {
        self.headers.push((name, value.to_string()));
        self
    }

    pub fn json(mut self, v: &Value) -> Req {
        self.body = Some(v.to_string().into_bytes());
        self.header(CONTENT_TYPE, "application/json")
    }
}

/// `http` for loopback hosts, `https` elsewhere; `BERTH_INSECURE_REGISTRY=1` forces `http`.
fn scheme(host: &str) -> &'static str {
    let h = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let local = h == "localhost" || h.starts_with("127.") || h == "[::1]";
    if local || std::env::var("BERTH_INSECURE_REGISTRY").is_ok_and(|v| v == "1") {
        "http"
    } else {
        "https"
    }
}

impl Registry {
    /// A client for `registry` (`[scheme://]host[:port]`) with the credentials stored for it.
    pub fn open(registry: &str) -> Result<Registry> {
        let creds = creds::lookup(split_scheme(registry).1)?;
        Registry::with_credentials(registry, creds)
    }

    pub fn with_credentials(registry: &str, creds: Option<Credentials>) -> Result<Registry> {
        let (given, host) = split_scheme(registry);
        let http = reqwest::Client::builder()
            .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(10))
            // Servers close idle connections (berth after 5 s, while someone reads a table):
            // reuse a connection only briefly, so no request goes out on a closing one.
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .timeout(std::time::Duration::from_secs(300))
            .build()
            .map_err(|e| failed(format!("HTTP client: {e}")))?;
        Ok(Registry {
            host: host.to_string(),
            base: format!("{}://{host}", given.unwrap_or_else(|| scheme(host))),
            http,
            creds,
            tokens: Mutex::new(HashMap::new()),
            reached: std::sync::atomic::AtomicBool::new(false),
        })
    }

    pub fn has_credentials(&self) -> bool {
        self.creds.is_some()
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    async fn attempt_once(&self, r: &Req, auth: Auth<'_>) -> Result<reqwest::Response> {
        let mut b = self.http.request(r.method.clone(), self.url(&r.path));
        for (k, v) in &r.headers {
            b = b.header(k, v);
        }
        if let Some(body) = &r.body {
            b = b.body(body.clone());
        }
        b = match auth {
            Auth::None => b,
            Auth::Basic(c) => b.basic_auth(&c.username, Some(&c.password)),
            Auth::Bearer(t) => b.bearer_auth(t),
        };
        match b.send().await {
            Ok(res) => {
                self.reached
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                Ok(res)
            }
            Err(e) => Err(self.transport(e)),
        }
    }

    /// [`Self::attempt_once`] again once when a read (GET, HEAD) met a connection the server
    /// had just closed.
    async fn attempt(&self, r: &Req, auth: Auth<'_>) -> Result<reqwest::Response> {
        match self.attempt_once(r, auth).await {
            Err(ClientError::Failed(m))
                if (r.method == Method::GET || r.method == Method::HEAD)
                    && m.contains("connection closed") =>
            {
                self.attempt_once(r, auth).await
            }
            other => other,
        }
    }

    fn transport(&self, e: reqwest::Error) -> ClientError {
        let reached = self.reached.load(std::sync::atomic::Ordering::Relaxed);
        super::http_errors::transport(&self.base, &self.host, reached, e)
    }

    /// Sends `r`, answering a `Bearer` challenge with a token; the response may have any
    /// status except 401 (an [`ClientError::Auth`]) and 403 ([`ClientError::Denied`]).
    pub async fn send(&self, r: Req) -> Result<reqwest::Response> {
        let first = match &self.creds {
            Some(c) => Auth::Basic(c),
            None => Auth::None,
        };
        let key = token_key(&r);
        let cached = self.tokens.lock().ok().and_then(|t| t.get(&key).cloned());
        let mut res = match &cached {
            Some(t) => self.attempt(&r, Auth::Bearer(t)).await?,
            None => self.attempt(&r, first).await?,
        };
        if res.status() == StatusCode::UNAUTHORIZED {
            let challenge = header(res.headers(), WWW_AUTHENTICATE);
            if let Some(params) = challenge.strip_prefix("Bearer ") {
                let token = self.token(params).await?;
                if let Ok(mut t) = self.tokens.lock() {
                    t.insert(key, token.clone());
                }
                res = self.attempt(&r, Auth::Bearer(&token)).await?;
            }
        }
        match res.status() {
            StatusCode::BAD_REQUEST
                if self.base.starts_with("http://")
                    && res
                        .headers()
                        .get(CONTENT_TYPE)
                        .is_none_or(|v| !v.as_bytes().starts_with(b"application/json")) =>
            {
                let body = res.text().await.unwrap_or_default();
                if body.contains("HTTPS") || body.contains("https") {
                    Err(ClientError::Tls(format!(
                        "{}: the registry speaks https; write https://{}",
                        self.base, self.host
                    )))
                } else {
                    Err(failed(format!(
                        "{} {}: 400 Bad Request: {}",
                        r.method,
                        r.path,
                        body.chars().take(300).collect::<String>()
                    )))
                }
            }
            StatusCode::UNAUTHORIZED => Err(self.unauthorized()),
            StatusCode::FORBIDDEN => Err(ClientError::Denied(format!(
                "{} {}: not allowed{}",
                r.method,
                r.path,
                self.creds
                    .as_ref()
                    .map(|c| format!(" for user '{}'", c.username))
                    .unwrap_or_default()
            ))),
            _ => Ok(res),
        }
    }

    fn unauthorized(&self) -> ClientError {
        match &self.creds {
            Some(c) => ClientError::Auth(format!(
                "{} refused the credentials of '{}' (wrong user name or password?); run: berth login {}",
                self.host, c.username, self.host
            )),
            None => ClientError::Auth(format!(
                "{} needs credentials; run: berth login {}",
                self.host, self.host
            )),
        }
    }

    /// Docker's token flow: `GET realm?service=…&scope=…` with Basic credentials.
    async fn token(&self, params: &str) -> Result<String> {
        let p = challenge_params(params);
        let realm = p
            .get("realm")
            .ok_or_else(|| failed(format!("{}: a Bearer challenge without realm", self.host)))?;
        let mut q = vec![];
        for k in ["service", "scope"] {
            if let Some(v) = p.get(k) {
                q.push((k, v.as_str()));
            }
        }
        let mut b = self.http.get(realm).query(&q);
        if let Some(c) = &self.creds {
            b = b.basic_auth(&c.username, Some(&c.password));
        }
        let res = b.send().await.map_err(|e| self.transport(e))?;
        if res.status() == StatusCode::UNAUTHORIZED || res.status() == StatusCode::FORBIDDEN {
            return Err(self.unauthorized());
        }
        let v: Value = res
            .json()
            .await
            .map_err(|e| failed(format!("token from {realm}: {e}")))?;
        v["token"]
            .as_str()
            .or(v["access_token"].as_str())
            .map(str::to_string)
            .ok_or_else(|| failed(format!("{realm} answered no token")))
    }

    /// GET of a JSON document; 404 is [`ClientError::NotFound`], other failures name the body.
    pub async fn get_json(&self, path: &str) -> Result<Value> {
        let res = self.send(Req::new(Method::GET, path)).await?;
        json_of(res, path).await
    }

    /// A manifest by tag or digest: (body, digest, media type).
    pub async fn manifest(&self, name: &str, reference: &str) -> Result<(Value, String, String)> {
        let path = format!("/v2/{name}/manifests/{reference}");
        let res = self
            .send(Req::new(Method::GET, &path).header(ACCEPT, MANIFEST_TYPES))
            .await?;
        let res = ok(res, &path).await?;
        let digest = header(res.headers(), "docker-content-digest".parse().ok());
        let media = header(res.headers(), Some(CONTENT_TYPE));
        let bytes = res
            .bytes()
            .await
            .map_err(|e| failed(format!("{path}: {e}")))?;
        let digest = if digest.is_empty() {
            use sha2::Digest as _;
            format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)))
        } else {
            digest
        };
        let v: Value =
            serde_json::from_slice(&bytes).map_err(|e| failed(format!("{path}: not JSON: {e}")))?;
        let media = v["mediaType"].as_str().map(str::to_string).unwrap_or(media);
        Ok((v, digest, media))
    }

    /// Whether the server is berth (its Pulp API's status names the `berth` component).
    pub async fn is_berth(&self) -> Result<bool> {
        let res = self
            .attempt(&Req::new(Method::GET, "/pulp/api/v3/status/"), Auth::None)
            .await?;
        if !res.status().is_success() {
            return Ok(false);
        }
        let v: Value = res.json().await.unwrap_or(Value::Null);
        Ok(v["versions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["component"] == "berth")))
    }
}

/// Which cached token a request may reuse: one per repository and kind of access (reads,
/// writes), so listing many manifests or configs asks for one token, not one each.
fn token_key(r: &Req) -> String {
    let read = r.method == Method::GET || r.method == Method::HEAD;
    let repo = ["/manifests/", "/blobs/", "/tags/"]
        .iter()
        .filter_map(|m| r.path.find(m).map(|i| &r.path[..i]))
        .min_by_key(|p| p.len())
        .unwrap_or(&r.path);
    format!("{} {repo}", if read { "read" } else { "write" })
}

#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    Basic(&'a Credentials),
    Bearer(&'a str),
}

fn header(h: &HeaderMap, name: impl Into<Option<reqwest::header::HeaderName>>) -> String {
    name.into()
        .and_then(|n| h.get(n))
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}
