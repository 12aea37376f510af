//! The client's HTTP errors: a request without a response (unreachable registry, https/http
//! mismatch, untrusted certificate) and a response's failing status, each the client's
//! [`ClientError`] with its exit code; and reading a `Bearer` challenge.
use super::error::{failed, ClientError, Result};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashMap;

/// The client's error for a request that got no response: an https/http mismatch or an
/// untrusted certificate ([`ClientError::Tls`]), an unreachable registry, or another failure.
/// A closed connection means a mismatch only while the registry has never answered
/// (`reached`).
pub fn transport(base: &str, host: &str, reached: bool, e: reqwest::Error) -> ClientError {
    // The whole chain is matched; the innermost cause is shown.
    let mut chain = e.to_string();
    let mut detail = chain.clone();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        detail = s.to_string();
        chain = format!("{chain}: {detail}");
        source = s.source();
    }
    let https = base.starts_with("https://");
    let lower = chain.to_lowercase();
    let tls = ["tls", "ssl", "certificate", "corrupt message", "handshake"]
        .iter()
        .any(|w| lower.contains(w));
    if https && tls {
        let plain = format!("http://{}", host);
        if lower.contains("certificate") {
            ClientError::Tls(format!(
                "{}: the registry's certificate is not trusted ({detail})",
                base
            ))
        } else {
            ClientError::Tls(format!(
                "{}: TLS failed; does the registry serve plain http? Then write {plain} (or set BERTH_INSECURE_REGISTRY=1) ({detail})",
                base
            ))
        }
    } else if !https
        && !reached
        && ["connection closed", "reset", "invalid http", "parse"]
            .iter()
            .any(|w| lower.contains(w))
    {
        ClientError::Tls(format!(
            "{}: the registry closed the connection; does it serve https? Then write https://{} ({detail})",
            base, host
        ))
    } else if e.is_connect() || e.is_timeout() {
        ClientError::Unreachable(format!("cannot reach {}: {detail}", base))
    } else {
        failed(format!("{}: {detail}", base))
    }
}

/// `realm="…",service="…",scope="…"` (values may contain commas inside quotes).
pub fn challenge_params(s: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rest = s.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key.trim().trim_start_matches(',').trim().to_lowercase();
        let (value, tail) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            (&q[..end], q.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        out.insert(key, value.to_string());
        rest = tail.trim_start_matches(',');
    }
    out
}

/// The response if it succeeded; otherwise the error its status and body describe.
pub async fn ok(res: reqwest::Response, what: &str) -> Result<reqwest::Response> {
    let status = res.status();
    if status.is_success() {
        return Ok(res);
    }
    let body = res.text().await.unwrap_or_default();
    let detail: String = body.chars().take(300).collect();
    Err(match status {
        StatusCode::NOT_FOUND => ClientError::NotFound(format!("{what}: not found ({detail})")),
        StatusCode::METHOD_NOT_ALLOWED => ClientError::Unsupported(format!(
            "{what}: the registry does not allow this ({detail})"
        )),
        _ => failed(format!("{what}: {status}: {detail}")),
    })
}

pub async fn json_of(res: reqwest::Response, what: &str) -> Result<Value> {
    ok(res, what)
        .await?
        .json()
        .await
        .map_err(|e| failed(format!("{what}: not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bearer_challenges_are_read_with_quoted_commas() {
        let p = super::challenge_params(
            r#"realm="http://h/token/",service="h",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(p["realm"], "http://h/token/");
        assert_eq!(p["scope"], "repository:a/b:pull,push");
    }
}
