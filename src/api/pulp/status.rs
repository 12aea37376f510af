//! `GET /pulp/api/v3/status/`: versions (as `core` and `container` components so Pulp's clients
//! accept berth), database connectivity and stored bytes. No authentication, as in Pulp.
use crate::service::status;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

/// The Pulp versions berth's API corresponds to (what pulp-glue checks).
pub const CORE_VERSION: &str = "3.117.0";
pub const CONTAINER_VERSION: &str = "2.29.0";

pub async fn status(st: web::Data<AppState>) -> HttpResponse {
    let connected = status::database_connected(&st.db).await;
    let used = status::stored_bytes(&st.db).await;
    let now = crate::domain::hrefs::timestamp(chrono::Utc::now());
    let versions = json!([
        {"component": "core", "version": CORE_VERSION, "package": "pulpcore", "module": "pulpcore.app", "domain_compatible": true},
        {"component": "container", "version": CONTAINER_VERSION, "package": "pulp-container", "module": "pulp_container.app", "domain_compatible": true},
        {"component": "berth", "version": env!("CARGO_PKG_VERSION"), "package": "berth", "module": "berth", "domain_compatible": false},
    ]);
    // Each app lists the same components as `{component: version}` (pulpcore's AppStatusResponse).
    let app_versions: serde_json::Map<String, serde_json::Value> = versions
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                v["component"].as_str().unwrap_or("").to_string(),
                v["version"].clone(),
            )
        })
        .collect();
    HttpResponse::Ok().json(json!({
        "versions": versions,
        "online_workers": [],
        "online_api_apps": [{"name": format!("berth@{}", std::process::id()), "last_heartbeat": now, "versions": app_versions}],
        "online_content_apps": [],
        "database_connection": {"connected": connected},
        "redis_connection": {"connected": false},
        "storage": {"total": null, "used": used, "free": null},
        "content_settings": {"content_origin": null, "content_path_prefix": "/v2/"},
        "domain_enabled": false,
    }))
}
