//! The served OpenAPI document: `docs/api.json`, `docs/api.yaml` (Pulp's `?pk_path=1` variant
//! with plain `{pulp_id}` paths; `bindings`, `component` and `include_html` are accepted and
//! change nothing), and Swagger UI at `swagger/` from assets compiled into the binary.
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

/// Swagger UI, reading `docs/api.json` of this server.
pub fn swagger() -> utoipa_swagger_ui::SwaggerUi {
    utoipa_swagger_ui::SwaggerUi::new("/pulp/api/v3/swagger/{_:.*}").config(
        utoipa_swagger_ui::Config::from("/pulp/api/v3/docs/api.json"),
    )
}
