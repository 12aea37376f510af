//! Registry and repository references as crane and regctl write them:
//! `REGISTRY[/NAME][:TAG|@DIGEST]`; with `BERTH_REGISTRY` set a bare `NAME` names a repository
//! of that registry. A first segment is a registry when it has a `.` or `:` or is `localhost`.
//! A registry may be written with its scheme (`https://127.0.0.1:5000`) to choose it.
use super::error::{usage, Result};

/// A registry with an optional repository (or namespace) path and reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub registry: String,
    /// The repository name (or namespace for `ls`), possibly empty.
    pub name: String,
    pub reference: Option<Reference>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Tag(String),
    Digest(String),
}

fn is_registry(segment: &str) -> bool {
    segment.contains('.') || segment.contains(':') || segment == "localhost"
}

/// The default registry (`BERTH_REGISTRY`), without a scheme or trailing slash.
pub fn default_registry() -> Option<String> {
    std::env::var("BERTH_REGISTRY")
        .ok()
        .map(|r| clean_registry(&r))
        .filter(|r| !r.is_empty())
}

/// ` https://host:port/ ` → `https://host:port` (a scheme written is kept; without one
/// [`super::http`] chooses it).
pub fn clean_registry(r: &str) -> String {
    r.trim().trim_end_matches('/').to_string()
}

/// `https://host:port` → (`Some("https")`, `host:port`).
pub fn split_scheme(r: &str) -> (Option<&'static str>, &str) {
    if let Some(h) = r.strip_prefix("https://") {
        (Some("https"), h)
    } else if let Some(h) = r.strip_prefix("http://") {
        (Some("http"), h)
    } else {
        (None, r)
    }
}

/// The registry as credentials are stored for it: `host[:port]`, no scheme.
pub fn host_of(r: &str) -> String {
    split_scheme(&clean_registry(r)).1.to_string()
}

/// Reads `REGISTRY[/NAME]` or, with `BERTH_REGISTRY`, `NAME`; `None` means the default registry.
pub fn parse(arg: Option<&str>) -> Result<Target> {
    let arg = arg.map(clean_registry).unwrap_or_default();
    let (scheme, bare) = split_scheme(&arg);
    let (first, rest) = bare.split_once('/').unwrap_or((bare, ""));
    let (registry, path) = if !first.is_empty() && (is_registry(first) || scheme.is_some()) {
        let prefix = scheme.map(|s| format!("{s}://")).unwrap_or_default();
        (format!("{prefix}{first}"), rest.to_string())
    } else {
        match default_registry() {
            Some(r) => (r, arg.clone()),
            None if arg.is_empty() => {
                return Err(usage(
                    "name a registry (e.g. 127.0.0.1:24817) or set BERTH_REGISTRY",
                ))
            }
            None => {
                return Err(usage(format!(
                    "'{arg}' names no registry: write REGISTRY/NAME (e.g. 127.0.0.1:24817/{arg}) or set BERTH_REGISTRY"
                )))
            }
        }
    };
    let (name, reference) = split_reference(&path)?;
    Ok(Target {
        registry,
        name,
        reference,
    })
}

fn split_reference(path: &str) -> Result<(String, Option<Reference>)> {
    if let Some((name, digest)) = path.split_once('@') {
        if !digest.contains(':') {
            return Err(usage(format!("'{digest}' is not a digest (sha256:…)")));
        }
        return Ok((
            name.to_string(),
            Some(Reference::Digest(digest.to_string())),
        ));
    }
    let slash = path.rfind('/').map_or(0, |i| i + 1);
    match path[slash..].split_once(':') {
        Some((last, tag)) if !tag.is_empty() => Ok((
            format!("{}{last}", &path[..slash]),
            Some(Reference::Tag(tag.to_string())),
        )),
        _ => Ok((path.to_string(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_registry_name_and_tag_or_digest() {
        let t = parse(Some("127.0.0.1:5000/library/alpine:3.20")).unwrap();
        assert_eq!(t.registry, "127.0.0.1:5000");
        assert_eq!(t.name, "library/alpine");
        assert_eq!(t.reference, Some(Reference::Tag("3.20".into())));
        let t = parse(Some("localhost/a@sha256:00")).unwrap();
        assert_eq!(t.name, "a");
        assert_eq!(t.reference, Some(Reference::Digest("sha256:00".into())));
        let t = parse(Some("http://reg.example:80/")).unwrap();
        assert_eq!(
            (t.registry.as_str(), t.name.as_str()),
            ("http://reg.example:80", ""),
            "a scheme written is kept"
        );
        let t = parse(Some("https://reg/a/b:1")).unwrap();
        assert_eq!(
            (t.registry.as_str(), t.name.as_str()),
            ("https://reg", "a/b")
        );
        assert_eq!(host_of("https://reg.example:80/"), "reg.example:80");
    }
}
