//! Manifest and blob media types berth knows by name.
pub const DOCKER_MANIFEST_V1: &str = "application/vnd.docker.distribution.manifest.v1+json";
pub const DOCKER_MANIFEST_V1_SIGNED: &str =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
pub const DOCKER_MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// Whether `media_type` is one of the manifest types this registry stores.
pub fn is_manifest(media_type: &str) -> bool {
    matches!(
        media_type,
        DOCKER_MANIFEST_V2 | DOCKER_MANIFEST_LIST | OCI_MANIFEST | OCI_INDEX
    )
}

pub fn is_index(media_type: &str) -> bool {
    matches!(media_type, DOCKER_MANIFEST_LIST | OCI_INDEX)
}

pub fn is_schema1(media_type: &str) -> bool {
    matches!(media_type, DOCKER_MANIFEST_V1 | DOCKER_MANIFEST_V1_SIGNED)
}

/// Whether an `Accept` header value admits `media_type`. An absent or empty header, `*/*`,
/// or a header naming no manifest type at all (e.g. `application/json`) admits anything.
pub fn accepts(accept: &[String], media_type: &str) -> bool {
    let types: Vec<&str> = accept
        .iter()
        .flat_map(|h| h.split(','))
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .filter(|t| !t.is_empty())
        .collect();
    if types.is_empty() || types.iter().any(|t| *t == "*/*" || *t == media_type) {
        return true;
    }
    !types
        .iter()
        .any(|t| is_manifest(t) || is_schema1(t) || *t == "application/vnd.oci.image.*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_admit_the_stored_type_wildcards_and_unrelated_lists() {
        let h = |s: &str| vec![s.to_string()];
        assert!(accepts(&[], OCI_MANIFEST));
        assert!(accepts(&h("*/*"), OCI_MANIFEST));
        assert!(accepts(
            &h(&format!("{OCI_INDEX}, {OCI_MANIFEST};q=0.5")),
            OCI_MANIFEST
        ));
        assert!(!accepts(&h(DOCKER_MANIFEST_V2), OCI_MANIFEST));
        assert!(accepts(&h("application/json"), OCI_MANIFEST));
    }
}
