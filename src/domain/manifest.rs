//! Parsing and validating pushed manifests (Docker schema 2, manifest lists, OCI manifests,
//! indexes and artifacts) into the facts the content model stores. Raw bytes are never
//! re-serialised: digests are over the bytes as pushed.
use super::digest::Digest;
use super::media_types as mt;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Largest manifest accepted, in bytes.
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    pub artifact_type: Option<String>,
    pub annotations: BTreeMap<String, String>,
    /// Foreign / non-distributable layers with `urls` need not be in the registry.
    pub foreign: bool,
}

#[derive(Debug, Clone)]
pub struct ParsedManifest {
    pub media_type: String,
    pub schema_version: i64,
    pub config: Option<Descriptor>,
    pub layers: Vec<Descriptor>,
    pub manifests: Vec<Descriptor>,
    pub subject: Option<Descriptor>,
    pub artifact_type: Option<String>,
    pub annotations: BTreeMap<String, String>,
}

impl ParsedManifest {
    pub fn is_index(&self) -> bool {
        mt::is_index(&self.media_type)
    }
    /// Pulp's manifest `type`: `image`, `artifact` or `index`.
    pub fn kind(&self) -> &'static str {
        if self.is_index() {
            return "index";
        }
        let cfg = self.config.as_ref().map(|c| c.media_type.as_str());
        match cfg {
            Some(mt::DOCKER_CONFIG) | Some(mt::OCI_CONFIG) if self.artifact_type.is_none() => {
                "image"
            }
            _ => "artifact",
        }
    }
    /// The artifact type reported by the referrers API.
    pub fn effective_artifact_type(&self) -> Option<String> {
        self.artifact_type
            .clone()
            .or_else(|| self.config.as_ref().map(|c| c.media_type.clone()))
    }
    pub fn compressed_size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDescriptor {
    media_type: Option<String>,
    digest: Option<String>,
    size: Option<i64>,
    #[serde(default)]
    urls: Vec<String>,
    artifact_type: Option<String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    schema_version: Option<i64>,
    media_type: Option<String>,
    config: Option<RawDescriptor>,
    layers: Option<Vec<RawDescriptor>>,
    manifests: Option<Vec<RawDescriptor>>,
    subject: Option<RawDescriptor>,
    artifact_type: Option<String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    // schema 1 marker
    fs_layers: Option<serde_json::Value>,
}

fn descriptor(raw: RawDescriptor, what: &str) -> Result<Descriptor, String> {
    let media_type = raw
        .media_type
        .ok_or_else(|| format!("{what}: mediaType is required"))?;
    let digest = raw
        .digest
        .ok_or_else(|| format!("{what}: digest is required"))?
        .parse::<Digest>()
        .map_err(|e| format!("{what}: {e}"))?;
    let size = raw
        .size
        .filter(|s| *s >= 0)
        .ok_or_else(|| format!("{what}: size must be a non-negative integer"))?;
    let foreign = !raw.urls.is_empty()
        && (media_type.contains("foreign") || media_type.contains("nondistributable"));
    Ok(Descriptor {
        media_type,
        digest,
        size: size as u64,
        artifact_type: raw.artifact_type,
        annotations: raw.annotations,
        foreign,
    })
}

/// Parses `body`, pushed with `content_type` (the request header, if any).
pub fn parse(body: &[u8], content_type: Option<&str>) -> Result<ParsedManifest, String> {
    let raw: RawManifest =
        serde_json::from_slice(body).map_err(|e| format!("manifest is not valid JSON: {e}"))?;
    let header_type = content_type
        .map(|c| c.split(';').next().unwrap_or("").trim().to_string())
        .filter(|c| mt::is_manifest(c) || mt::is_schema1(c));
    if raw.schema_version == Some(1) || raw.fs_layers.is_some() {
        return Err("Pushing manifests of the version V1 is not supported".into());
    }
    if raw.schema_version != Some(2) {
        return Err("schemaVersion must be 2".into());
    }
    if let (Some(body_type), Some(header)) = (&raw.media_type, &header_type) {
        if body_type != header {
            return Err(format!(
                "mediaType '{body_type}' does not match Content-Type '{header}'"
            ));
        }
    }
    let media_type = raw.media_type.clone().or(header_type).unwrap_or_else(|| {
        if raw.manifests.is_some() {
            mt::OCI_INDEX.to_string()
        } else {
            mt::OCI_MANIFEST.to_string()
        }
    });
    if mt::is_schema1(&media_type) {
        return Err("Pushing manifests of the version V1 is not supported".into());
    }
    if !mt::is_manifest(&media_type) {
        return Err(format!("unsupported manifest media type '{media_type}'"));
    }
    let subject = raw.subject.map(|s| descriptor(s, "subject")).transpose()?;
    let mut parsed = ParsedManifest {
        media_type,
        schema_version: 2,
        config: None,
        layers: vec![],
        manifests: vec![],
        subject,
        artifact_type: raw.artifact_type,
        annotations: raw.annotations,
    };
    if parsed.is_index() {
        let list = raw
            .manifests
            .ok_or("an index must have a manifests array")?;
        parsed.manifests = list
            .into_iter()
            .enumerate()
            .map(|(i, d)| descriptor(d, &format!("manifests[{i}]")))
            .collect::<Result<_, _>>()?;
        if raw.config.is_some() || raw.layers.is_some() {
            return Err("an index must not have config or layers".into());
        }
    } else {
        let cfg = raw.config.ok_or("an image manifest must have a config")?;
        parsed.config = Some(descriptor(cfg, "config")?);
        parsed.layers = raw
            .layers
            .ok_or("an image manifest must have a layers array")?
            .into_iter()
            .enumerate()
            .map(|(i, d)| descriptor(d, &format!("layers[{i}]")))
            .collect::<Result<_, _>>()?;
        if raw.manifests.is_some() {
            return Err("an image manifest must not have a manifests array".into());
        }
    }
    refuse_nul(&parsed)?;
    Ok(parsed)
}

/// Text that must not contain NUL characters (PostgreSQL cannot store them in text columns;
/// both databases refuse them alike).
fn no_nul(what: &str, v: &str) -> Result<(), String> {
    if v.contains('\0') {
        return Err(format!("{what} must not contain NUL characters"));
    }
    Ok(())
}

/// Refuses NUL characters in the media types and artifact types a manifest declares.
fn refuse_nul(p: &ParsedManifest) -> Result<(), String> {
    no_nul("mediaType", &p.media_type)?;
    if let Some(a) = &p.artifact_type {
        no_nul("artifactType", a)?;
    }
    let descriptors = p.config.iter().map(|d| ("config", d));
    let descriptors = descriptors
        .chain(p.layers.iter().map(|d| ("layers", d)))
        .chain(p.manifests.iter().map(|d| ("manifests", d)))
        .chain(p.subject.iter().map(|d| ("subject", d)));
    for (what, d) in descriptors {
        no_nul(&format!("{what}.mediaType"), &d.media_type)?;
        if let Some(a) = &d.artifact_type {
            no_nul(&format!("{what}.artifactType"), a)?;
        }
    }
    Ok(())
}

/// Image facts read from a config blob: os, architecture and labels.
#[derive(Debug, Default, Clone)]
pub struct ConfigFacts {
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub labels: BTreeMap<String, String>,
}

impl ConfigFacts {
    /// Refuses os, architecture or labels with NUL characters.
    pub fn check(&self) -> Result<(), String> {
        no_nul("config os", self.os.as_deref().unwrap_or(""))?;
        no_nul(
            "config architecture",
            self.architecture.as_deref().unwrap_or(""),
        )?;
        for (k, v) in &self.labels {
            no_nul("config label", k)?;
            no_nul("config label", v)?;
        }
        Ok(())
    }
}

pub fn config_facts(bytes: &[u8]) -> ConfigFacts {
    #[derive(Deserialize, Default)]
    struct Inner {
        #[serde(rename = "Labels", default)]
        labels: Option<BTreeMap<String, String>>,
    }
    #[derive(Deserialize)]
    struct Cfg {
        os: Option<String>,
        architecture: Option<String>,
        #[serde(default)]
        config: Option<Inner>,
    }
    match serde_json::from_slice::<Cfg>(bytes) {
        Ok(c) => ConfigFacts {
            os: c.os,
            architecture: c.architecture,
            labels: c.config.and_then(|i| i.labels).unwrap_or_default(),
        },
        Err(_) => ConfigFacts::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    #[test]
    fn an_oci_image_manifest_parses_with_its_config_and_layers() {
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"{}","digest":"{}","size":2}},"layers":[{{"mediaType":"x","digest":"{}","size":5}}]}}"#,
            mt::OCI_MANIFEST,
            mt::OCI_CONFIG,
            d('a'),
            d('b')
        );
        let m = parse(body.as_bytes(), None).unwrap();
        assert_eq!(m.kind(), "image");
        assert_eq!(m.layers.len(), 1);
        assert_eq!(m.compressed_size(), 5);
    }

    #[test]
    fn schema1_bad_json_and_mismatched_types_are_refused() {
        assert!(parse(br#"{"schemaVersion":1,"fsLayers":[]}"#, None).is_err());
        assert!(parse(b"not json", None).is_err());
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","manifests":[]}}"#,
            mt::OCI_INDEX
        );
        assert!(parse(body.as_bytes(), Some(mt::OCI_MANIFEST)).is_err());
        assert!(parse(body.as_bytes(), Some(mt::OCI_INDEX)).is_ok());
    }

    #[test]
    fn nul_characters_in_media_types_artifact_types_and_config_facts_are_refused() {
        let body = format!(
            r#"{{"schemaVersion":2,"artifactType":"a\u0000b","config":{{"mediaType":"x","digest":"{}","size":1}},"layers":[]}}"#,
            d('a')
        );
        assert!(parse(body.as_bytes(), None).is_err());
        let body = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"x\u0000","digest":"{}","size":1}},"layers":[]}}"#,
            d('a')
        );
        assert!(parse(body.as_bytes(), None).is_err());
        let facts = config_facts(br#"{"os":"li\u0000nux","architecture":"amd64"}"#);
        assert!(facts.check().is_err());
        assert!(config_facts(br#"{"os":"linux"}"#).check().is_ok());
    }

    #[test]
    fn a_descriptor_with_a_negative_size_or_bad_digest_is_refused() {
        let body = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"x","digest":"{}","size":-1}},"layers":[]}}"#,
            d('a')
        );
        assert!(parse(body.as_bytes(), None).is_err());
        let body = r#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:zz","size":1},"layers":[]}"#;
        assert!(parse(body.as_bytes(), None).is_err());
    }
}
