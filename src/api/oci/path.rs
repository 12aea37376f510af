//! Parsing `/v2/<tail>` into a route: `<name>/manifests/<ref>`, `<name>/blobs/<digest>`,
//! `<name>/blobs/uploads/[<id>]`, `<name>/tags/list`, `<name>/referrers/<digest>`, `_catalog`.
use crate::domain::digest::Digest;
use crate::domain::name::{Reference, RepoName};
use crate::error::{Error, Result};
use uuid::Uuid;

#[derive(Debug)]
pub enum Route {
    Base,
    Catalog,
    Tags(RepoName),
    Manifest(RepoName, Reference),
    Blob(RepoName, Digest),
    UploadStart(RepoName),
    Upload(RepoName, UploadRef),
    Referrers(RepoName, Digest),
}

/// An upload id from the URL; an id that is not ours answers `BLOB_UPLOAD_UNKNOWN`.
pub type UploadRef = Option<Uuid>;

fn name(s: &str) -> Result<RepoName> {
    RepoName::parse(s).ok_or_else(|| Error::NameInvalid(s.chars().take(300).collect()))
}

pub fn digest(s: &str) -> Result<Digest> {
    s.parse::<Digest>()
        .map_err(|e| Error::DigestInvalid(e.to_string()))
}

pub fn parse(tail: &str) -> Result<Route> {
    let tail = tail.trim_start_matches('/');
    if tail.is_empty() {
        return Ok(Route::Base);
    }
    if tail == "_catalog" {
        return Ok(Route::Catalog);
    }
    if let Some(n) = tail.strip_suffix("/tags/list") {
        return Ok(Route::Tags(name(n)?));
    }
    if let Some(n) = tail
        .strip_suffix("/blobs/uploads/")
        .or_else(|| tail.strip_suffix("/blobs/uploads"))
    {
        return Ok(Route::UploadStart(name(n)?));
    }
    if let Some((n, id)) = tail.rsplit_once("/blobs/uploads/") {
        if !id.contains('/') {
            return Ok(Route::Upload(name(n)?, Uuid::parse_str(id).ok()));
        }
    }
    if let Some((n, r)) = tail.rsplit_once("/manifests/") {
        if !r.contains('/') && !r.is_empty() {
            return Ok(Route::Manifest(name(n)?, Reference::parse(r)?));
        }
    }
    if let Some((n, d)) = tail.rsplit_once("/blobs/") {
        if !d.contains('/') && !d.is_empty() {
            return Ok(Route::Blob(name(n)?, digest(d)?));
        }
    }
    if let Some((n, d)) = tail.rsplit_once("/referrers/") {
        if !d.contains('/') && !d.is_empty() {
            return Ok(Route::Referrers(name(n)?, digest(d)?));
        }
    }
    Err(Error::NameUnknown(tail.chars().take(300).collect()))
}

/// The route template of a `/v2/` path (for metrics: never the repository name).
pub fn route_template(tail: &str) -> &'static str {
    match parse(tail) {
        Ok(Route::Base) => "/v2/",
        Ok(Route::Catalog) => "/v2/_catalog",
        Ok(Route::Tags(_)) => "/v2/{name}/tags/list",
        Ok(Route::Manifest(..)) => "/v2/{name}/manifests/{reference}",
        Ok(Route::Blob(..)) => "/v2/{name}/blobs/{digest}",
        Ok(Route::UploadStart(_)) => "/v2/{name}/blobs/uploads/",
        Ok(Route::Upload(..)) => "/v2/{name}/blobs/uploads/{uuid}",
        Ok(Route::Referrers(..)) => "/v2/{name}/referrers/{digest}",
        Err(_) => "/v2/{invalid}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_names_and_every_route_shape_parse() {
        let d = format!("sha256:{}", "a".repeat(64));
        assert!(matches!(parse("").unwrap(), Route::Base));
        assert!(matches!(parse("_catalog").unwrap(), Route::Catalog));
        assert!(
            matches!(parse("a/b/c/tags/list").unwrap(), Route::Tags(n) if n.as_str() == "a/b/c")
        );
        assert!(
            matches!(parse("a/manifests/x/manifests/latest").unwrap(), Route::Manifest(n, _) if n.as_str() == "a/manifests/x")
        );
        assert!(matches!(
            parse(&format!("a/b/blobs/{d}")).unwrap(),
            Route::Blob(..)
        ));
        assert!(matches!(
            parse("a/b/blobs/uploads/").unwrap(),
            Route::UploadStart(_)
        ));
        assert!(matches!(
            parse("a/b/blobs/uploads/not-a-uuid").unwrap(),
            Route::Upload(_, None)
        ));
        assert!(matches!(
            parse(&format!("a/referrers/{d}")).unwrap(),
            Route::Referrers(..)
        ));
    }

    #[test]
    fn bad_names_and_digests_are_refused() {
        assert!(matches!(
            parse("UPPER/tags/list"),
            Err(Error::NameInvalid(_))
        ));
        assert!(matches!(
            parse("a/blobs/sha256:zz"),
            Err(Error::DigestInvalid(_))
        ));
        assert!(matches!(
            parse("a/manifests/bad tag!"),
            Err(Error::TagInvalid(_))
        ));
    }
}
