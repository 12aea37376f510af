//! `GET /pulp/api/v3/status/`: versions (as `core` and `container` components so Pulp's clients
//! accept berth), database connectivity and stored bytes, and (berth) `content_storage`: the
//! stored and unreferenced bytes, for superusers only (its query grows with the number of blobs,
//! so anonymous callers do not get to run it). No authentication needed, as in Pulp.
use crate::service::status;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::HashMap;
use utoipa::ToSchema;

/// The Pulp versions whose behaviour berth's API has (what pulp-glue checks): pulp_container
/// 2.28.1, the last release in which a registry push creates a push repository (2.29 creates a
/// plain `container` repository), and pulpcore 3.115.2, the pulpcore release current when 2.28.1
/// was published (2.28.1 requires `pulpcore>=3.111.0,<3.130`). README lists where berth differs.
pub const CORE_VERSION: &str = "3.115.2";
pub const CONTAINER_VERSION: &str = "2.28.1";

pub async fn status(req: HttpRequest, st: web::Data<AppState>) -> HttpResponse {
    let connected = status::database_connected(&st.db).await;
    let used = status::stored_bytes(&st.db).await;
    // Credentials are optional here: wrong or missing ones just leave the totals out.
    let superuser = matches!(
        crate::api::auth::authenticate(&req, &st).await,
        Ok(Some(p)) if p.is_superuser
    );
    let totals = match superuser {
        true => crate::service::usage::totals(&st.db).await,
        false => None,
    };
    let now = crate::domain::hrefs::timestamp(chrono::Utc::now());
    let component =
        |component: &str, version: &str, package: &str, module: &str, dc: bool| VersionResponse {
            component: component.into(),
            version: version.into(),
            package: package.into(),
            module: module.into(),
            domain_compatible: dc,
        };
    let versions = vec![
        component("core", CORE_VERSION, "pulpcore", "pulpcore.app", true),
        component(
            "container",
            CONTAINER_VERSION,
            "pulp-container",
            "pulp_container.app",
            true,
        ),
        component("berth", env!("CARGO_PKG_VERSION"), "berth", "berth", false),
    ];
    // Each app lists the same components as `{component: version}` (pulpcore's AppStatusResponse).
    let app_versions: HashMap<String, String> = versions
        .iter()
        .map(|v| (v.component.clone(), v.version.clone()))
        .collect();
    let capacity = st.store.capacity().await;
    let view = StatusResponse {
        versions,
        online_workers: status::online_workers(&st.tasks)
            .await
            .into_iter()
            .map(|(name, seen)| AppStatusResponse {
                name,
                last_heartbeat: crate::domain::hrefs::timestamp(seen),
                versions: app_versions.clone(),
            })
            .collect(),
        online_api_apps: vec![AppStatusResponse {
            name: format!("berth@{}", std::process::id()),
            last_heartbeat: now,
            versions: app_versions,
        }],
        online_content_apps: vec![],
        database_connection: ConnectionStatus { connected },
        redis_connection: Some(ConnectionStatus { connected: false }),
        storage: Some(StorageResponse {
            total: capacity.map(|(t, _)| t as i64),
            used,
            free: capacity.map(|(_, f)| f as i64),
        }),
        content_settings: ContentSettingsResponse {
            content_origin: None,
            content_path_prefix: "/v2/".into(),
        },
        domain_enabled: false,
        content_storage: totals.map(|t| ContentStorageResponse {
            stored_bytes: t.stored_bytes,
            unreferenced_bytes: t.unreferenced_bytes,
            blobs: t.blobs,
        }),
    };
    HttpResponse::Ok().json(super::common::view(&view))
}

/// One component's version.
#[derive(ToSchema, serde::Serialize)]
pub struct VersionResponse {
    component: String,
    version: String,
    package: String,
    module: String,
    domain_compatible: bool,
}

/// A running process.
#[derive(ToSchema, serde::Serialize)]
pub struct AppStatusResponse {
    name: String,
    #[schema(format = DateTime)]
    last_heartbeat: String,
    /// `{component: version}`.
    versions: HashMap<String, String>,
}

/// Whether a backing service answers.
#[derive(ToSchema, serde::Serialize)]
pub struct ConnectionStatus {
    connected: bool,
}

/// Storage: `used` is the bytes of berth's stored blobs; `total` and `free` are those of the
/// file system holding a local blob directory (`null` where the backend cannot tell, as S3).
#[derive(ToSchema, serde::Serialize)]
pub struct StorageResponse {
    #[schema(required = true)]
    total: Option<i64>,
    #[schema(required = true)]
    used: Option<i64>,
    #[schema(required = true)]
    free: Option<i64>,
}

/// Where content is served.
#[derive(ToSchema, serde::Serialize)]
pub struct ContentSettingsResponse {
    #[schema(required = true)]
    content_origin: Option<String>,
    content_path_prefix: String,
}

/// berth: what the stored blobs hold.
#[derive(ToSchema, serde::Serialize)]
pub struct ContentStorageResponse {
    /// Bytes of every stored blob.
    stored_bytes: i64,
    /// Bytes of the blobs no repository version references (what orphan cleanup can free once
    /// their protection time has passed).
    unreferenced_bytes: i64,
    /// How many blobs are stored.
    blobs: i64,
}

/// `GET /status/`.
#[derive(ToSchema, serde::Serialize)]
pub struct StatusResponse {
    versions: Vec<VersionResponse>,
    online_workers: Vec<AppStatusResponse>,
    online_api_apps: Vec<AppStatusResponse>,
    online_content_apps: Vec<AppStatusResponse>,
    database_connection: ConnectionStatus,
    #[schema(required = true)]
    redis_connection: Option<ConnectionStatus>,
    #[schema(required = true)]
    storage: Option<StorageResponse>,
    content_settings: ContentSettingsResponse,
    domain_enabled: bool,
    /// berth: storage totals (absent when the database cannot say).
    #[serde(skip_serializing_if = "Option::is_none")]
    content_storage: Option<ContentStorageResponse>,
}
