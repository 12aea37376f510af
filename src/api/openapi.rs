//! The root OpenAPI document (`berth openapi`, committed as `openapi/openapi.json`).
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "berth API",
        description = "Pulp-compatible management API of the berth registry"
    ),
    paths(crate::api::health::livez)
)]
pub struct ApiDoc;

/// The document as pretty JSON with a trailing newline.
pub fn document() -> String {
    let mut s = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
