//! The served OpenAPI document: `docs/api.json`, `docs/api.yaml` (Pulp's `?pk_path=1` variant
//! with plain `{pulp_id}` paths; `bindings`, `component` and `include_html` are accepted and
//! change nothing), and Swagger UI at `swagger/` (`swagger` redirects there) from assets
//! compiled into the binary.
use super::common::Params;
use crate::api::openapi;
use actix_web::{HttpRequest, HttpResponse};

fn pk_path(req: &HttpRequest) -> bool {
    matches!(
        Params::from(req).get("pk_path"),
        Some("1" | "true" | "True" | "")
    )
}

pub async fn api_json(req: HttpRequest) -> HttpResponse {
    let body = if pk_path(&req) {
        openapi::document_pk_path()
    } else {
        openapi::document()
    };
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

pub async fn api_yaml(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(openapi::yaml(pk_path(&req)))
}

/// Swagger UI, reading this server's `docs/api.json?pk_path=1`: its detail paths take a plain
/// `{pulp_id}`, so "Try it out" builds a valid URL (the default document's `{task_href}`-style
/// parameters hold a whole path, which the browser cannot put in a URL).
pub fn swagger() -> utoipa_swagger_ui::SwaggerUi {
    utoipa_swagger_ui::SwaggerUi::new("/pulp/api/v3/swagger/{_:.*}").config(
        utoipa_swagger_ui::Config::from("/pulp/api/v3/docs/api.json?pk_path=1"),
    )
}

/// `GET /pulp/api/v3/swagger` (no slash): a permanent redirect to `swagger/`, whose relative
/// asset links resolve only under the slash.
pub async fn swagger_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("location", "/pulp/api/v3/swagger/"))
        .finish()
}
