//! The Pulp (Django REST framework) error renderer: `{"detail": …}`, `{"field": ["…"]}`,
//! `{"errors": ["Invalid Filter: 'x'"]}`, with the statuses DRF uses. 5xx bodies are generic.
use crate::error::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Map, Value};

#[derive(Debug)]
pub struct PulpError(pub Error);

impl From<Error> for PulpError {
    fn from(e: Error) -> Self {
        PulpError(e)
    }
}

impl From<sea_orm::DbErr> for PulpError {
    fn from(e: sea_orm::DbErr) -> Self {
        PulpError(Error::from(e))
    }
}

impl std::fmt::Display for PulpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

pub type PulpResult<T> = Result<T, PulpError>;

fn render(e: &Error) -> (StatusCode, Value) {
    use Error::*;
    match e {
        Validation(fields) => {
            let mut m = Map::new();
            for (f, msg) in fields {
                let entry = m.entry(f.clone()).or_insert_with(|| Value::Array(vec![]));
                if let Value::Array(a) = entry {
                    a.push(Value::String(msg.clone()));
                }
            }
            (StatusCode::BAD_REQUEST, Value::Object(m))
        }
        InvalidFilter(name) => (
            StatusCode::BAD_REQUEST,
            json!({"errors": [format!("Invalid Filter: '{name}'")]}),
        ),
        NotFound(_) | NameUnknown(_) | ManifestUnknown(_) | BlobUnknown(_) | UploadUnknown => {
            (StatusCode::NOT_FOUND, json!({"detail": "Not found."}))
        }
        MethodNotAllowed(m) => (
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"detail": format!("Method \"{m}\" not allowed.")}),
        ),
        Unauthorized | Challenge(_) => (
            StatusCode::UNAUTHORIZED,
            json!({"detail": "Authentication credentials were not provided."}),
        ),
        Denied => (
            StatusCode::FORBIDDEN,
            json!({"detail": "You do not have permission to perform this action."}),
        ),
        Forbidden(msg) => (StatusCode::FORBIDDEN, json!({"detail": msg})),
        TooManyRequests { reason, .. } => {
            (StatusCode::TOO_MANY_REQUESTS, json!({"detail": reason}))
        }
        Conflict(msg) => (StatusCode::CONFLICT, json!({"detail": msg})),
        Db(_) | Storage(_) | Io(_) | Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"detail": "A server error occurred."}),
        ),
        BodyTimeout(_) => (
            StatusCode::REQUEST_TIMEOUT,
            json!({"detail": e.to_string()}),
        ),
        ManifestTooBig { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"detail": e.to_string()}),
        ),
        other => (
            StatusCode::BAD_REQUEST,
            json!({"detail": other.to_string()}),
        ),
    }
}

impl ResponseError for PulpError {
    fn status_code(&self) -> StatusCode {
        render(&self.0).0
    }

    fn error_response(&self) -> HttpResponse {
        if self.0.is_internal() {
            tracing::error!(error = ?self.0, "management request failed");
        }
        let (status, body) = render(&self.0);
        let mut res = HttpResponse::build(status);
        if status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"api\""));
        }
        if let Error::TooManyRequests { retry_after, .. } = &self.0 {
            res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        res.json(body)
    }
}

/// Gives every error answer under `/pulp/api/v3/` a JSON body, `{"detail": …}`: the refusals
/// actix makes itself (413 for a body over the payload limit, a query or path it cannot
/// extract) come as plain text otherwise. Headers other than the body's own are kept.
pub async fn json_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let status = res.status();
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return Ok(res.map_into_left_body());
    }
    let detail = match res.response().error() {
        Some(_) if status.is_server_error() => "A server error occurred.".to_string(),
        Some(e) => e.to_string(),
        None => status.canonical_reason().unwrap_or("Error").to_string(),
    };
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status).json(json!({ "detail": detail }));
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, new).map_into_right_body())
}

/// An error: `{"detail": "…"}`, `{"field": ["…"]}` or `{"errors": ["…"]}`, as DRF renders them.
// The bodies `render` builds from an `Error`, described for the document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[schema(as = ErrorResponse)]
pub struct ErrorResponse {
    detail: Option<String>,
    errors: Option<Vec<String>>,
    non_field_errors: Option<Vec<String>>,
}
