//! `GET /pulp/api/v3/livez/`: liveness, as Pulp answers it (200, empty body).
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

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/pulp/api/v3/livez/", web::get().to(livez));
}
