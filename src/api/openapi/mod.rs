//! The OpenAPI document of the management API and the token service, shaped like Pulp's so that
//! pulp-cli (pulp-glue) and clients generated from it work against berth.
//!
//! Schemas are the utoipa derives of the request and view types the handlers use (beside their
//! resource in `api::pulp`, and `api::oci::token`); operations are listed once in
//! `container_paths` / `core_paths` with Pulp's operationIds, tags and href parameter names, and
//! their list filters come from the same constants the handlers enforce. `berth openapi`,
//! `GET /pulp/api/v3/docs/api.json` and the committed `openapi/openapi.json` are one document;
//! `?pk_path=1` serves the same operations with plain `{pulp_id}` paths (see `ops`).
mod container_paths;
mod container_repo_paths;
mod core_paths;
mod ops;
mod retention_paths;
mod retention_run_paths;
mod schedule_paths;

use crate::api::pulp;
use crate::api::pulp::status::{CONTAINER_VERSION, CORE_VERSION};
use std::sync::OnceLock;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::PathItem;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{InfoBuilder, OpenApi as Document, Paths};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(components(schemas(
    pulp::namespaces::Namespace,
    pulp::namespaces::NamespaceResponse,
    pulp::namespaces::SetQuota,
    pulp::distributions::Distribution,
    pulp::distributions::PatchedDistribution,
    pulp::distributions::DistributionResponse,
    pulp::repositories::PushRepository,
    pulp::repositories::PatchedPushRepository,
    pulp::repositories::PushRepositoryResponse,
    pulp::versions::ContentSummaryEntry,
    pulp::versions::ContentSummary,
    pulp::versions::RepositoryVersionResponse,
    pulp::repository_actions::TagImage,
    pulp::repository_actions::UnTagImage,
    pulp::repository_actions::RemoveImage,
    pulp::restore::RestoreVersion,
    pulp::content_views::BlobResponse,
    pulp::content_views::ManifestResponse,
    pulp::content_views::TagResponse,
    pulp::object_roles::NestedRole,
    pulp::object_roles::NestedRoleResponse,
    pulp::object_roles::ObjectRolesResponse,
    pulp::object_roles::MyPermissionsResponse,
    pulp::task_models::AsyncOperationResponse,
    pulp::task_models::TaskState,
    pulp::task_models::TaskResponse,
    pulp::task_models::TaskError,
    pulp::task_models::ProgressReport,
    pulp::task_models::PatchedTaskCancel,
    pulp::task_models::Purge,
    pulp::orphans::OrphansCleanup,
    pulp::task_schedule_models::TaskSchedule,
    pulp::task_schedule_models::PatchedTaskSchedule,
    pulp::task_schedule_models::TaskScheduleResponse,
    pulp::retention_runs::RetentionRun,
    pulp::retention_runs::RetentionKept,
    pulp::retention_runs::RetentionRemoved,
    pulp::retention_runs::RetentionRepositoryPreview,
    pulp::retention_runs::RetentionTotals,
    pulp::retention_runs::RetentionPreview,
    pulp::status::VersionResponse,
    pulp::status::AppStatusResponse,
    pulp::status::ConnectionStatus,
    pulp::status::StorageResponse,
    pulp::status::ContentSettingsResponse,
    pulp::status::StatusResponse,
    pulp::status::ContentStorageResponse,
    pulp::user_models::User,
    pulp::user_models::PatchedUser,
    pulp::user_models::UserGroupResponse,
    pulp::user_models::HiddenFieldsResponse,
    pulp::user_models::UserResponse,
    pulp::role_models::UserRole,
    pulp::role_models::UserRoleResponse,
    pulp::role_models::Role,
    pulp::role_models::PatchedRole,
    pulp::role_models::RoleResponse,
    pulp::retention_policy_models::RetentionPolicy,
    pulp::retention_policy_models::PatchedRetentionPolicy,
    pulp::retention_policy_models::RetentionPolicyResponse,
    pulp::errors::ErrorResponse,
    crate::api::oci::token::TokenResponse,
    pulp::container_repos::ContainerRepository,
    pulp::container_repos::PatchedContainerRepository,
    pulp::container_repos::ContainerRepositoryResponse,
    pulp::container_repo_actions::RecursiveManage,
    pulp::container_repo_actions::TagCopy,
    pulp::container_repo_actions::ManifestCopy,
)))]
struct Schemas;

/// The items of every paginated list, whose `Paginated…List` schemas are generated.
const PAGED: &[&str] = &[
    "container.ContainerNamespaceResponse",
    "container.ContainerDistributionResponse",
    "container.ContainerPushRepositoryResponse",
    "RepositoryVersionResponse",
    "container.BlobResponse",
    "container.ManifestResponse",
    "container.TagResponse",
    "TaskResponse",
    "UserResponse",
    "UserRoleResponse",
    "RoleResponse",
    "berth.RetentionPolicyResponse",
    "TaskScheduleResponse",
    "container.ContainerRepositoryResponse",
];

/// Builds the document; `pk_path` selects plain `{pulp_id}` detail paths over href templates.
pub fn build(pk_path: bool) -> Document {
    let mut doc = Schemas::openapi();
    doc.info = InfoBuilder::new()
        .title("berth API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Pulp-compatible management API of the berth container registry. Detail paths are \
             href templates: substitute the whole `pulp_href` of the object.",
        ))
        .extensions(Some(
            ExtensionsBuilder::new()
                .add(
                    "x-pulp-app-versions",
                    serde_json::json!({"core": CORE_VERSION, "container": CONTAINER_VERSION}),
                )
                .add("x-pulp-domain-enabled", false)
                .build(),
        ))
        .build();
    let mut paths = Paths::new();
    let mut tags: Vec<&str> = vec![];
    let ops = container_paths::ops()
        .into_iter()
        .chain(core_paths::ops())
        .chain(retention_paths::ops())
        .chain(retention_run_paths::ops())
        .chain(schedule_paths::ops())
        .chain(container_repo_paths::ops());
    for op in ops {
        if !tags.contains(&op.tag) {
            tags.push(op.tag);
        }
        let item = PathItem::new(op.method.clone(), op.render(pk_path));
        match paths.paths.get_mut(&op.path(pk_path)) {
            Some(existing) => existing.merge_operations(item),
            None => {
                paths.paths.insert(op.path(pk_path), item);
            }
        }
    }
    doc.paths = paths;
    tags.sort_unstable();
    doc.tags = Some(
        tags.into_iter()
            .map(|t| TagBuilder::new().name(t).build())
            .collect(),
    );
    if let Some(components) = doc.components.as_mut() {
        for item in PAGED {
            components.schemas.insert(
                ops::paginated_name(item),
                ops::paginated_schema(item).into(),
            );
        }
        components.add_security_scheme(
            "basicAuth",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
    }
    doc
}

/// The document as pretty JSON with a trailing newline (`berth openapi`, `docs/api.json`).
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| render_json(&build(false)))
}

/// The `pk_path=1` variant.
pub fn document_pk_path() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| render_json(&build(true)))
}

/// The methods the document declares for a request path (`GET, POST`), for `Allow` on a 405.
/// Literal segments must match, `{…}` segments match anything.
pub fn allowed_methods(path: &str) -> Option<String> {
    static ROUTES: OnceLock<Vec<(Vec<String>, String)>> = OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        let doc: serde_json::Value = serde_json::from_str(document_pk_path()).unwrap_or_default();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        paths
            .into_iter()
            .map(|(p, item)| {
                let mut methods: Vec<String> = item
                    .as_object()
                    .map(|m| m.keys().map(|k| k.to_ascii_uppercase()).collect())
                    .unwrap_or_default();
                methods.sort();
                (p.split('/').map(String::from).collect(), methods.join(", "))
            })
            .collect()
    });
    let segments: Vec<&str> = path.split('/').collect();
    routes.iter().find_map(|(pattern, methods)| {
        let fits = pattern.len() == segments.len()
            && pattern
                .iter()
                .zip(&segments)
                .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()));
        fits.then(|| methods.clone())
    })
}

/// YAML of either variant (`docs/api.yaml`), built once per variant.
pub fn yaml(pk_path: bool) -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    static PK: OnceLock<String> = OnceLock::new();
    (if pk_path { &PK } else { &HREF }).get_or_init(|| {
        build(pk_path)
            .to_yaml()
            .unwrap_or_else(|e| format!("# the document could not be rendered: {e}\n"))
    })
}

/// Pretty JSON with every object's keys sorted: utoipa keeps extensions in a `HashMap`, so
/// without sorting two runs could print the same document differently.
fn render_json(doc: &Document) -> String {
    let value = serde_json::to_value(doc).map(sorted).unwrap_or_default();
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

fn sorted(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted).collect())
        }
        other => other,
    }
}
