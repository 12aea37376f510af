//! `GET /metrics`: Prometheus text format. Open unless `BERTH_METRICS_TOKEN` is set (then
//! `Authorization: Bearer <token>`); it carries no repository or namespace names. With
//! `--metrics-listen` it is served only there (`startup::metrics_server`), not on the main
//! address. The database gauges are read at most every 30 s, so scrapes stay cheap.
use crate::service::usage;
use crate::state::AppState;
use crate::telemetry::metrics::{self, Gauges};
use actix_web::{web, HttpRequest, HttpResponse};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const GAUGE_TTL: Duration = Duration::from_secs(30);

static CACHE: Mutex<Option<(Instant, String, Gauges)>> = Mutex::new(None);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(scrape));
}

/// Marks the app of the separate metrics address.
#[derive(Clone, Copy)]
pub struct MetricsAddress;

async fn scrape(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if state.settings.metrics_listen.is_some() && req.app_data::<MetricsAddress>().is_none() {
        return HttpResponse::NotFound().json(serde_json::json!({
            "detail": "/metrics is served on the separate metrics address (--metrics-listen)"
        }));
    }
    if let Some(token) = &state.settings.metrics_token {
        let given = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
            return HttpResponse::Unauthorized()
                .insert_header(("WWW-Authenticate", "Bearer realm=\"metrics\""))
                .json(serde_json::json!({"detail": "/metrics needs the configured bearer token"}));
        }
    }
    let gauges = gauges(&state).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics::global().render(gauges))
}

/// The cached gauges of this database (keyed by its URL: tests run several in one process).
async fn gauges(state: &AppState) -> Option<Gauges> {
    let key = &state.settings.database_url;
    if let Ok(cache) = CACHE.lock() {
        if let Some((at, k, g)) = cache.as_ref() {
            if k == key && at.elapsed() < GAUGE_TTL {
                return Some(*g);
            }
        }
    }
    let c = usage::counts(&state.db).await?;
    let g = Gauges {
        repositories: c.repositories,
        manifests: c.manifests,
        blobs: c.blobs,
        stored_bytes: c.stored_bytes,
    };
    if let Ok(mut cache) = CACHE.lock() {
        *cache = Some((Instant::now(), key.clone(), g));
    }
    Some(g)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
