//! The views of container content units (`container.BlobResponse`, `ManifestResponse`,
//! `TagResponse`), which are also their OpenAPI schemas.
use crate::domain::content::ContentKind;
use crate::domain::hrefs;
use crate::service::lists as q;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A blob content unit.
#[derive(ToSchema, serde::Serialize)]
#[schema(as = container::BlobResponse)]
pub struct BlobResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    pulp_labels: HashMap<String, String>,
    #[schema(required = true)]
    vuln_report: Option<String>,
    #[schema(required = true)]
    artifact: Option<String>,
    digest: String,
}

/// A manifest content unit (image manifest or index).
#[derive(ToSchema, serde::Serialize)]
#[schema(as = container::ManifestResponse)]
pub struct ManifestResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    pulp_labels: HashMap<String, String>,
    #[schema(required = true)]
    vuln_report: Option<String>,
    digest: String,
    schema_version: i64,
    media_type: String,
    listed_manifests: Vec<String>,
    #[schema(required = true)]
    config_blob: Option<String>,
    blobs: Vec<String>,
    #[schema(value_type = HashMap<String, String>)]
    annotations: Value,
    #[schema(value_type = HashMap<String, String>)]
    labels: Value,
    is_bootable: bool,
    is_flatpak: bool,
    #[schema(required = true)]
    r#type: Option<String>,
    #[schema(required = true)]
    architecture: Option<String>,
    #[schema(required = true)]
    os: Option<String>,
    #[schema(required = true)]
    compressed_image_size: Option<i64>,
}

/// A tag content unit: a name pointing at a manifest.
#[derive(ToSchema, serde::Serialize)]
#[schema(as = container::TagResponse)]
pub struct TagResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    pulp_labels: HashMap<String, String>,
    #[schema(required = true)]
    vuln_report: Option<String>,
    name: String,
    tagged_manifest: String,
}

impl From<&q::BlobUnit> for BlobResponse {
    fn from(b: &q::BlobUnit) -> Self {
        BlobResponse {
            pulp_href: hrefs::content(ContentKind::Blob, b.id),
            prn: hrefs::prn(ContentKind::Blob.model(), b.id),
            pulp_created: hrefs::timestamp(b.created_at),
            pulp_last_updated: hrefs::timestamp(b.created_at),
            pulp_labels: HashMap::new(),
            vuln_report: None,
            artifact: None,
            digest: b.digest.clone(),
        }
    }
}

impl From<&q::ManifestUnit> for ManifestResponse {
    fn from(u: &q::ManifestUnit) -> Self {
        let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or_else(|_| json!({}));
        let blob = |i: &Uuid| hrefs::content(ContentKind::Blob, *i);
        ManifestResponse {
            pulp_href: hrefs::content(ContentKind::Manifest, u.id),
            prn: hrefs::prn(ContentKind::Manifest.model(), u.id),
            pulp_created: hrefs::timestamp(u.created_at),
            pulp_last_updated: hrefs::timestamp(u.created_at),
            pulp_labels: HashMap::new(),
            vuln_report: None,
            digest: u.digest.clone(),
            schema_version: u.schema_version,
            media_type: u.media_type.clone(),
            listed_manifests: u
                .listed
                .iter()
                .map(|i| hrefs::content(ContentKind::Manifest, *i))
                .collect(),
            config_blob: u.config_blob_id.as_ref().map(blob),
            blobs: u.blobs.iter().map(blob).collect(),
            annotations: parse(&u.annotations),
            labels: parse(&u.labels),
            is_bootable: false,
            is_flatpak: false,
            r#type: Some(u.kind.clone()),
            architecture: u.architecture.clone(),
            os: u.os.clone(),
            compressed_image_size: Some(u.compressed_size),
        }
    }
}

impl From<&q::TagUnit> for TagResponse {
    fn from(t: &q::TagUnit) -> Self {
        TagResponse {
            pulp_href: hrefs::content(ContentKind::Tag, t.id),
            prn: hrefs::prn(ContentKind::Tag.model(), t.id),
            pulp_created: hrefs::timestamp(t.created_at),
            pulp_last_updated: hrefs::timestamp(t.created_at),
            pulp_labels: HashMap::new(),
            vuln_report: None,
            name: t.name.clone(),
            tagged_manifest: hrefs::content(ContentKind::Manifest, t.manifest_id),
        }
    }
}
