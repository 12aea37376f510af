//! The OCI error renderer: one table from domain errors to the spec's codes and statuses, and
//! the `{"errors":[{code,message,detail}]}` body. 5xx bodies are generic; the cause is logged.
use crate::error::Error;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Value};

#[derive(Debug)]
pub struct OciError(pub Error);

impl From<Error> for OciError {
    fn from(e: Error) -> Self {
        OciError(e)
    }
}

impl std::fmt::Display for OciError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

fn table(e: &Error) -> (StatusCode, &'static str, Value) {
    use Error::*;
    match e {
        NameInvalid(n) | ReadOnly(n) => {
            (StatusCode::BAD_REQUEST, "NAME_INVALID", json!({"name": n}))
        }
        NameUnknown(n) => (StatusCode::NOT_FOUND, "NAME_UNKNOWN", json!({"name": n})),
        DigestInvalid(d) => (
            StatusCode::BAD_REQUEST,
            "DIGEST_INVALID",
            json!({"reason": d}),
        ),
        TagInvalid(t) => (
            StatusCode::BAD_REQUEST,
            "MANIFEST_INVALID",
            json!({"tag": t}),
        ),
        BlobUnknown(d) => (
            StatusCode::NOT_FOUND,
            "BLOB_UNKNOWN",
            json!({"digest": d.to_string()}),
        ),
        UploadUnknown => (StatusCode::NOT_FOUND, "BLOB_UPLOAD_UNKNOWN", json!({})),
        UploadInvalid(r) => (
            StatusCode::BAD_REQUEST,
            "BLOB_UPLOAD_INVALID",
            json!({"reason": r}),
        ),
        RangeInvalid { offset } => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            "BLOB_UPLOAD_INVALID",
            json!({"offset": offset}),
        ),
        BlobRangeInvalid { size } => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            "BLOB_UNKNOWN",
            json!({"size": size}),
        ),
        SizeInvalid(r) => (
            StatusCode::BAD_REQUEST,
            "SIZE_INVALID",
            json!({"reason": r}),
        ),
        ManifestInvalid(r) => (
            StatusCode::BAD_REQUEST,
            "MANIFEST_INVALID",
            json!({"reason": r}),
        ),
        ManifestTooBig { size, limit } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "SIZE_INVALID",
            json!({"size": size, "limit": limit}),
        ),
        ManifestUnknown(r) => (
            StatusCode::NOT_FOUND,
            "MANIFEST_UNKNOWN",
            json!({"reference": r}),
        ),
        ManifestBlobUnknown { digest, .. } => (
            StatusCode::BAD_REQUEST,
            "MANIFEST_BLOB_UNKNOWN",
            json!({"digest": digest.to_string()}),
        ),
        PaginationInvalid(r) => (
            StatusCode::BAD_REQUEST,
            "PAGINATION_NUMBER_INVALID",
            json!({"reason": r}),
        ),
        Validation(_) | InvalidFilter(_) => (StatusCode::BAD_REQUEST, "UNSUPPORTED", json!({})),
        NotFound(r) => (StatusCode::NOT_FOUND, "NAME_UNKNOWN", json!({"reason": r})),
        BodyTimeout(s) => (
            StatusCode::REQUEST_TIMEOUT,
            "BLOB_UPLOAD_INVALID",
            json!({"idle_seconds": s}),
        ),
        MethodNotAllowed(_) | Unsupported(_) => {
            (StatusCode::METHOD_NOT_ALLOWED, "UNSUPPORTED", json!({}))
        }
        Unauthorized | Challenge(_) => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED", json!({})),
        Denied | Forbidden(_) => (StatusCode::FORBIDDEN, "DENIED", json!({})),
        TooManyRequests { retry_after, .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "TOOMANYREQUESTS",
            json!({"retry_after": retry_after}),
        ),
        Conflict(r) => (StatusCode::CONFLICT, "UNSUPPORTED", json!({"reason": r})),
        Db(_) | Storage(_) | Io(_) | Internal(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "UNKNOWN", json!({}))
        }
    }
}

impl ResponseError for OciError {
    fn status_code(&self) -> StatusCode {
        table(&self.0).0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code, detail) = table(&self.0);
        let message = if self.0.is_internal() {
            tracing::error!(error = ?self.0, "request failed");
            "internal server error".to_string()
        } else {
            self.0.to_string()
        };
        let mut res = HttpResponse::build(status);
        res.insert_header(("Docker-Distribution-Api-Version", "registry/2.0"));
        match &self.0 {
            Error::Unauthorized => {
                res.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"berth\""));
            }
            Error::Challenge(c) => {
                res.insert_header((header::WWW_AUTHENTICATE, c.as_str()));
            }
            Error::TooManyRequests { retry_after, .. } => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Error::BlobRangeInvalid { size } => {
                res.insert_header((header::CONTENT_RANGE, format!("bytes */{size}")));
            }
            _ => {}
        }
        res.json(json!({"errors": [{"code": code, "message": message, "detail": detail}]}))
    }
}

pub type OciResult<T> = Result<T, OciError>;
