//! Schemas of pulp_container's resources as berth renders them, under Pulp's component names
//! (`container.ContainerNamespaceResponse`, `Patchedcontainer.ContainerDistribution`, …) so
//! generated clients get Pulp's class names. These types only describe JSON; the handlers in
//! `api::pulp` build the bodies, and the schemathesis run in `tests/clients/` checks that every
//! response they give matches these shapes.
#![allow(dead_code)]

use std::collections::HashMap;
use utoipa::ToSchema;

/// Count and list link of one content type in a version summary.
#[derive(ToSchema)]
pub struct ContentSummaryEntry {
    count: i64,
    href: String,
}

/// What a version added, removed and holds, per content type (`container.blob`, …).
#[derive(ToSchema)]
#[schema(as = ContentSummaryResponse)]
pub struct ContentSummary {
    added: HashMap<String, ContentSummaryEntry>,
    removed: HashMap<String, ContentSummaryEntry>,
    present: HashMap<String, ContentSummaryEntry>,
}

/// An immutable repository version.
#[derive(ToSchema)]
#[schema(as = RepositoryVersionResponse)]
pub struct RepositoryVersionResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    number: i64,
    repository: String,
    base_version: Option<String>,
    content_summary: ContentSummary,
    vuln_report: Option<String>,
}

/// A blob content unit.
#[derive(ToSchema)]
#[schema(as = container::BlobResponse)]
pub struct BlobResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    pulp_labels: HashMap<String, String>,
    vuln_report: Option<String>,
    artifact: Option<String>,
    digest: String,
}

/// A manifest content unit (image manifest or index).
#[derive(ToSchema)]
#[schema(as = container::ManifestResponse)]
pub struct ManifestResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    pulp_labels: HashMap<String, String>,
    vuln_report: Option<String>,
    digest: String,
    schema_version: i64,
    media_type: String,
    listed_manifests: Vec<String>,
    config_blob: Option<String>,
    blobs: Vec<String>,
    annotations: HashMap<String, String>,
    labels: HashMap<String, String>,
    is_bootable: bool,
    is_flatpak: bool,
    r#type: Option<String>,
    architecture: Option<String>,
    os: Option<String>,
    compressed_image_size: Option<i64>,
}

/// A tag content unit: a name pointing at a manifest.
#[derive(ToSchema)]
#[schema(as = container::TagResponse)]
pub struct TagResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    pulp_labels: HashMap<String, String>,
    vuln_report: Option<String>,
    name: String,
    tagged_manifest: String,
}
