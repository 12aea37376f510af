//! Listings: the catalog, a repository's tags and the referrers of a manifest.
use super::repositories::{require, resolve};
use crate::domain::digest::Digest;
use crate::domain::name::RepoName;
use crate::error::Result;
use crate::repo::{manifests, repositories, Db};
use serde_json::{json, Map, Value};

/// Page size when the client sends no `n`, and the largest page served.
pub const DEFAULT_PAGE: u64 = 100;
pub const MAX_PAGE: u64 = 1000;

pub fn page_size(n: Option<u64>) -> u64 {
    n.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE)
}

/// The catalog page of repositories `caller` may pull.
pub async fn catalog(
    db: &Db,
    caller: &crate::service::policy::Caller,
    last: Option<&str>,
    n: u64,
) -> Result<Vec<String>> {
    if n == 0 {
        return Ok(vec![]);
    }
    let visible = crate::service::access::pull_scope(caller);
    Ok(repositories::catalog(&db.conn, last, n, visible.as_ref()).await?)
}

pub async fn tags(db: &Db, name: &RepoName, last: Option<&str>, n: u64) -> Result<Vec<String>> {
    let repo = require(db, name).await?;
    if n == 0 {
        return Ok(vec![]);
    }
    Ok(manifests::tag_names(&db.conn, repo.id, repo.snapshot(), last, n).await?)
}

/// The referrers index of `digest` in `name`, filtered by `artifact_type` when given.
pub async fn referrers(
    db: &Db,
    name: &RepoName,
    digest: &Digest,
    artifact_type: Option<&str>,
) -> Result<Value> {
    // The spec forbids 404 here: an unknown repository simply has no referrers.
    let rows = match resolve(db, name).await? {
        Some(repo) => {
            manifests::referrers(&db.conn, repo.id, repo.snapshot(), &digest.to_string()).await?
        }
        None => vec![],
    };
    let descriptors: Vec<Value> = rows
        .into_iter()
        .filter(|r| artifact_type.is_none() || r.artifact_type.as_deref() == artifact_type)
        .map(|r| {
            let mut d = Map::new();
            d.insert("mediaType".into(), r.media_type.into());
            d.insert("digest".into(), r.digest.into());
            d.insert("size".into(), r.size.into());
            if let Some(at) = r.artifact_type {
                d.insert("artifactType".into(), at.into());
            }
            let ann: Map<String, Value> = serde_json::from_str(&r.annotations).unwrap_or_default();
            if !ann.is_empty() {
                d.insert("annotations".into(), Value::Object(ann));
            }
            Value::Object(d)
        })
        .collect();
    Ok(json!({
        "schemaVersion": 2,
        "mediaType": crate::domain::media_types::OCI_INDEX,
        "manifests": descriptors,
    }))
}
