//! The Pulp (Django REST framework) error renderer: `{"detail": …}`, `{"field": ["…"]}`,
//! `{"errors": ["Invalid Filter: 'x'"]}`, with the statuses DRF uses. 5xx bodies are generic.
use crate::error::Error;
use actix_web::http::{header, StatusCode};
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
        PulpError(Error::Db(e))
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
