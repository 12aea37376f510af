//! Schemas of pulpcore's resources as berth renders them (tasks, status, users, roles, orphan
//! cleanup, the 202 body, error bodies, the registry token), under Pulp's component names.
//! Description only, like `container_models`.
#![allow(dead_code)]

use utoipa::ToSchema;

/// An error: `{"detail": "…"}`, `{"field": ["…"]}` or `{"errors": ["…"]}`, as DRF renders them.
#[derive(ToSchema)]
#[schema(as = ErrorResponse)]
pub struct ErrorResponse {
    detail: Option<String>,
    errors: Option<Vec<String>>,
    non_field_errors: Option<Vec<String>>,
}

/// A registry bearer token (docker's token protocol).
#[derive(ToSchema)]
pub struct TokenResponse {
    token: String,
    access_token: String,
    expires_in: i64,
    #[schema(format = DateTime)]
    issued_at: String,
}
