//! The bodies of a push repository's `tag/`, `untag/` and `remove_image/` actions (also their
//! OpenAPI schemas), read in the order Pulp checks their fields.
use super::body::Body;
use super::errors::PulpResult;
use crate::service::push_repos as svc;
use utoipa::ToSchema;

/// Tag a manifest of the latest version.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagImage {
    #[schema(min_length = 1)]
    pub tag: String,
    #[schema(min_length = 1)]
    pub digest: String,
}

/// Remove a tag from the latest version.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnTagImage {
    #[schema(min_length = 1)]
    pub tag: String,
}

/// Remove an image (manifest, its tags, and what only it referenced) from the latest version.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveImage {
    #[schema(min_length = 1)]
    pub digest: String,
}

impl TagImage {
    /// The tag is checked before the digest is read, as Pulp does.
    pub fn parse(bytes: &[u8]) -> PulpResult<TagImage> {
        let b = Body::parse::<TagImage>(bytes)?;
        let tag = b.required_string("tag")?;
        svc::check_tag(&tag)?;
        Ok(TagImage {
            tag,
            digest: b.required_string("digest")?,
        })
    }
}

impl UnTagImage {
    pub fn parse(bytes: &[u8]) -> PulpResult<UnTagImage> {
        let b = Body::parse::<UnTagImage>(bytes)?;
        let tag = b.required_string("tag")?;
        svc::check_tag(&tag)?;
        Ok(UnTagImage { tag })
    }
}

impl RemoveImage {
    pub fn parse(bytes: &[u8]) -> PulpResult<RemoveImage> {
        let b = Body::parse::<RemoveImage>(bytes)?;
        Ok(RemoveImage {
            digest: b.required_string("digest")?,
        })
    }
}
