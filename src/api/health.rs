//! `GET /pulp/api/v3/livez/` (liveness, as Pulp answers it: 200, empty body) and the served
//! OpenAPI document.
use actix_web::{web, HttpResponse};

#[utoipa::path(
    get,
    path = "/pulp/api/v3/livez/",
    operation_id = "livez_read",
    tag = "Livez",
    responses((status = 200, description = "The server is alive"))
)]
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// `GET /pulp/api/v3/docs/api.json`: the OpenAPI document this server implements.
pub async fn api_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(crate::api::openapi::document())
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/pulp/api/v3/livez/", web::get().to(livez))
        .route("/pulp/api/v3/docs/api.json", web::get().to(api_json));
}
