//! The request log and HTTP metrics, wrapped around every route: one line per request with its
//! correlation id (the caller's valid `Correlation-ID`, else a new one, shared with the Pulp
//! API's header), and `berth_http_*` counters by method, route template and status, plus the
//! blob bytes pulled (sized blob GET bodies; pushed bytes are counted where a blob is committed,
//! `service::uploads`).
use crate::api::pulp::common::CorrelationId;
use crate::telemetry::metrics;
use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use std::borrow::Cow;
use std::time::Instant;

pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let cid = crate::api::pulp::common::valid_correlation_id(req.headers())
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    req.extensions_mut().insert(CorrelationId(cid.clone()));
    let method = req.method().clone();
    let path = req.path().to_string();
    let peer = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let result = next.call(req).await;
    let seconds = start.elapsed().as_secs_f64();
    let (status, body) = match &result {
        Ok(res) => (res.status(), res.response().body().size()),
        Err(e) => (e.as_response_error().status_code(), BodySize::None),
    };
    // `/v2/` paths are classified without the matched pattern (no allocation on the hot path).
    let route = match &result {
        Ok(res) if !path.starts_with("/v2") => template(&path, res.request().match_pattern()),
        _ => template(&path, None),
    };
    let m = metrics::global();
    m.http_request(method.as_str(), &route, status.as_u16(), seconds);
    if status.is_success() && method == Method::GET && route == "/v2/{name}/blobs/{digest}" {
        if let BodySize::Sized(n) = body {
            m.bytes_pulled(n);
        }
    }
    tracing::info!(
        target: "berth::http",
        cid = %cid,
        peer = %peer,
        method = %method,
        path = %path,
        status = status.as_u16(),
        ms = (seconds * 1000.0).round() as u64,
        "request"
    );
    result
}

/// The route template: the `/v2/` path classified, else the matched pattern with regex
/// parts dropped, else `unmatched` (never the raw path).
fn template(path: &str, pattern: Option<String>) -> Cow<'static, str> {
    if let Some(tail) = path.strip_prefix("/v2") {
        return Cow::Borrowed(crate::api::oci::route_template(tail));
    }
    let Some(pattern) = pattern else {
        return Cow::Borrowed("unmatched");
    };
    let mut out = String::with_capacity(pattern.len());
    let mut in_regex = false;
    for ch in pattern.chars() {
        match ch {
            ':' if out.rfind('{') > out.rfind('}') => in_regex = true,
            '}' => {
                in_regex = false;
                out.push(ch);
            }
            _ if in_regex => {}
            _ => out.push(ch),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::template;

    #[test]
    fn templates_name_routes_not_repositories() {
        assert_eq!(
            template("/v2/team/app/manifests/1.0", Some("/v2/{tail:.*}".into())),
            "/v2/{name}/manifests/{reference}"
        );
        assert_eq!(
            template(
                "/pulp/api/v3/x/1/",
                Some("/pulp/api/v3/x/{id:[0-9]+}/".into())
            ),
            "/pulp/api/v3/x/{id}/"
        );
        assert_eq!(template("/nothing/here", None), "unmatched");
    }
}
