//! `GET /pulp/api/v3/livez/`: liveness, as Pulp answers it (200, empty body).
use actix_web::HttpResponse;

pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().finish()
}
