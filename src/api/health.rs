//! Health endpoints: Pulp's `GET /pulp/api/v3/livez/` (200, empty body), and at the root
//! `GET /livez` (the process answers) and `GET /readyz` (the database and the storage answer
//! within a timeout; 503 with a JSON body naming what failed).
use crate::service::readiness;
use crate::state::AppState;
use actix_web::{web, HttpResponse};

pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// Registers `/livez` and `/readyz` at the root.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/livez", web::get().to(root_livez))
        .route("/readyz", web::get().to(readyz));
}

async fn root_livez() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let checks = readiness::check(&state.db, &state.store, readiness::PROBE_TIMEOUT).await;
    let failed = checks.failed();
    let body = serde_json::json!({
        "status": if failed.is_empty() { "ok" } else { "unavailable" },
        "failed": failed,
        "checks": checks,
    });
    match failed.is_empty() {
        true => HttpResponse::Ok().json(body),
        false => HttpResponse::ServiceUnavailable().json(body),
    }
}
