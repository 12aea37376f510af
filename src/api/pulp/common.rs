//! Shared plumbing of the Pulp dialect: query parameters and filter validation, limit/offset
//! pagination with absolute `next`/`previous`, `fields`/`exclude_fields`, views as JSON values
//! and the `Correlation-ID` middleware (callers come from `caller`, bodies from `body`).
use super::errors::PulpResult;
use crate::error::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

/// Parameters every list accepts besides its filters.
pub const ALWAYS: &[&str] = &[
    "limit",
    "offset",
    "ordering",
    "fields",
    "exclude_fields",
    "minimal",
    "page_size",
    "format",
];
pub const DEFAULT_LIMIT: u64 = 100;

pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn from(req: &HttpRequest) -> Params {
        Params(
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// Refuses any parameter that is not a known filter of this list, and NUL characters
    /// (which no stored text holds and PostgreSQL refuses in queries).
    pub fn check(&self, filters: &[&str]) -> Result<(), Error> {
        for (k, v) in &self.0 {
            if !ALWAYS.contains(&k.as_str()) && !filters.contains(&k.as_str()) {
                return Err(Error::InvalidFilter(k.clone()));
            }
            if v.contains('\0') {
                return Err(Error::field(k, NUL_MESSAGE));
            }
        }
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `__in` values: comma separated (or repeated keys).
    pub fn list(&self, key: &str) -> Option<Vec<String>> {
        let vals: Vec<String> = self
            .0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect();
        self.0.iter().any(|(k, _)| k == key).then_some(vals)
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, Error> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| Error::field(key, "Enter a number.")),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, Error> {
        match self.get(key).map(|s| s.to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) if v == "true" || v == "1" => Ok(Some(true)),
            Some(v) if v == "false" || v == "0" => Ok(Some(false)),
            Some(_) => Err(Error::field(key, "Select a valid choice.")),
        }
    }

    /// `(limit, offset)`; DRF ignores unusable values and falls back to the defaults.
    pub fn page(&self) -> (u64, u64) {
        let num = |k: &str| self.get(k).and_then(|v| v.parse::<u64>().ok());
        let limit = num("limit")
            .or_else(|| num("page_size"))
            .filter(|l| *l > 0)
            .unwrap_or(DEFAULT_LIMIT);
        (limit, num("offset").unwrap_or(0))
    }
}

/// The paginated list body, with `fields`/`exclude_fields` applied to each result.
pub fn paginated(
    req: &HttpRequest,
    params: &Params,
    count: u64,
    results: Vec<Value>,
) -> HttpResponse {
    let (limit, offset) = params.page();
    let conn = req.connection_info();
    let base = format!("{}://{}{}", conn.scheme(), conn.host(), req.path());
    let link = |new_offset: u64| {
        let mut q: Vec<(String, String)> = params
            .0
            .iter()
            .filter(|(k, _)| k != "offset" && k != "limit")
            .cloned()
            .collect();
        q.push(("limit".into(), limit.to_string()));
        if new_offset > 0 {
            q.push(("offset".into(), new_offset.to_string()));
        }
        let qs = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(q)
            .finish();
        format!("{base}?{qs}")
    };
    let next = (offset + limit < count).then(|| link(offset + limit));
    let previous = (offset > 0).then(|| link(offset.saturating_sub(limit)));
    let results: Vec<Value> = results
        .into_iter()
        .map(|v| select_fields(params, v))
        .collect();
    HttpResponse::Ok()
        .json(json!({"count": count, "next": next, "previous": previous, "results": results}))
}

/// One object, with `fields`/`exclude_fields` applied.
pub fn object(params: &Params, v: Value) -> HttpResponse {
    HttpResponse::Ok().json(select_fields(params, v))
}

fn select_fields(params: &Params, v: Value) -> Value {
    let Value::Object(map) = v else { return v };
    let keep = params.list("fields");
    let drop = params.list("exclude_fields").unwrap_or_default();
    let out: Map<String, Value> = map
        .into_iter()
        .filter(|(k, _)| {
            keep.as_ref().is_none_or(|f| f.is_empty() || f.contains(k)) && !drop.contains(k)
        })
        .collect();
    Value::Object(out)
}

/// A view type as the JSON value responses carry (keys in serde_json's order, as `json!` gives).
pub fn view<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or_else(|_| json!({}))
}

/// `202 {"task": href}`.
pub fn task_accepted(task_href: String) -> HttpResponse {
    let body = super::task_models::AsyncOperationResponse { task: task_href };
    HttpResponse::Accepted().json(view(&body))
}

/// DRF's message for a NUL character in text.
const NUL_MESSAGE: &str = crate::error::field_errors::NUL;

/// The request's correlation id (set by [`correlation_id`]).
#[derive(Clone, Debug)]
pub struct CorrelationId(pub String);

pub fn cid(req: &HttpRequest) -> String {
    req.extensions()
        .get::<CorrelationId>()
        .map(|c| c.0.clone())
        .unwrap_or_default()
}

/// The caller's `Correlation-ID` when it is 1-64 letters, digits and dashes.
pub fn valid_correlation_id(headers: &actix_web::http::header::HeaderMap) -> Option<String> {
    headers
        .get("Correlation-ID")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string)
}

/// Echoes a valid incoming `Correlation-ID` (else generates one) and records it for tasks.
pub async fn correlation_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // The request log (`api::request_log`) has usually chosen it already.
    let known = req.extensions().get::<CorrelationId>().map(|c| c.0.clone());
    let cid = known
        .or_else(|| valid_correlation_id(req.headers()))
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    req.extensions_mut().insert(CorrelationId(cid.clone()));
    let mut res = next.call(req).await?;
    if let Ok(v) = HeaderValue::from_str(&cid) {
        res.headers_mut()
            .insert(HeaderName::from_static("correlation-id"), v);
        res.headers_mut().insert(
            HeaderName::from_static("access-control-expose-headers"),
            HeaderValue::from_static("Correlation-ID"),
        );
    }
    Ok(res)
}

/// The start of every list (after its caller extractor): parameters that are all known
/// filters (the union of `groups`).
pub fn list_params(req: &HttpRequest, groups: &[&[&str]]) -> PulpResult<Params> {
    let p = Params::from(req);
    let allowed: Vec<&str> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    p.check(&allowed)?;
    Ok(p)
}
