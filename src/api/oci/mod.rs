//! The registry at `/v2/`: OCI Distribution 1.1. Repository names contain `/`, so one catch-all
//! route parses the path into a [`Route`] and dispatches by method. Every response carries
//! `Docker-Distribution-Api-Version: registry/2.0`.
pub mod auth;
mod blobs;
pub mod errors;
mod listing;
mod manifests;
mod path;
pub use path::route_template;
pub mod token;
mod uploads;

use crate::error::Error;
use crate::state::AppState;
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use errors::{OciError, OciResult};
use path::Route;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/v2")
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add(("Docker-Distribution-Api-Version", "registry/2.0")),
            )
            .route("", web::to(dispatch))
            .route("/{tail:.*}", web::to(dispatch)),
    );
}

async fn dispatch(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> OciResult<HttpResponse> {
    let tail = req.match_info().get("tail").unwrap_or("");
    let st = state.get_ref();
    let route = match path::parse(tail) {
        Ok(r) => r,
        Err(e) => {
            // Malformed paths are refused only after the caller is known, so an anonymous
            // probe learns nothing more than the challenge.
            auth::check(&req, st, &auth::Need::Login).await?;
            return Err(e.into());
        }
    };
    let m = req.method().clone();
    let who = auth::check(&req, st, &auth::need(&route, &m)).await?;
    match (&route, &m) {
        (Route::UploadStart(name), &Method::POST) | (Route::Manifest(name, _), &Method::PUT) => {
            crate::service::repositories::ensure_for(&st.db, name, who.caller.user_id()).await?;
        }
        _ => {}
    }
    match (route, m) {
        (Route::Base, Method::GET | Method::HEAD) => {
            Ok(HttpResponse::Ok().json(serde_json::json!({})))
        }
        (Route::Catalog, Method::GET) => listing::catalog(&req, st, &who.caller).await,
        (Route::Tags(name), Method::GET) => listing::tags(&req, st, &name).await,
        (Route::Referrers(name, d), Method::GET) => listing::referrers(&req, st, &name, &d).await,
        (Route::Manifest(name, r), Method::GET) => manifests::get(&req, st, &name, &r, true).await,
        (Route::Manifest(name, r), Method::HEAD) => {
            manifests::get(&req, st, &name, &r, false).await
        }
        (Route::Manifest(name, r), Method::PUT) => manifests::put(&req, st, &name, &r, body).await,
        (Route::Manifest(name, r), Method::DELETE) => manifests::delete(st, &name, &r).await,
        (Route::Blob(name, d), Method::GET) => blobs::get(&req, st, &name, &d, true).await,
        (Route::Blob(name, d), Method::HEAD) => blobs::get(&req, st, &name, &d, false).await,
        (Route::Blob(name, d), Method::DELETE) => blobs::delete(st, &name, &d).await,
        (Route::UploadStart(name), Method::POST) => {
            uploads::start(&req, st, &who, &name, body).await
        }
        (Route::Upload(name, id), Method::PATCH) => uploads::patch(&req, st, &name, id, body).await,
        (Route::Upload(name, id), Method::PUT) => uploads::put(&req, st, &name, id, body).await,
        (Route::Upload(name, id), Method::GET | Method::HEAD) => {
            uploads::status(st, &name, id).await
        }
        (Route::Upload(name, id), Method::DELETE) => uploads::cancel(st, &name, id).await,
        (_, m) => Err(OciError(Error::Unsupported(format!(
            "method {m} not allowed here"
        )))),
    }
}
