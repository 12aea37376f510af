//! Loading what the engine judges: the repositories a policy covers and each one's latest
//! version as an engine [`Snapshot`] (six queries per repository, none per tag).
use super::engine::{index_by_id, Manifest, Snapshot, Tag};
use crate::domain::retention::Policy;
use crate::error::Result;
use crate::repo::retention_snapshot as q;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use uuid::Uuid;

pub use crate::repo::retention_snapshot::RepoRef;

/// The repositories `policy` covers, by name: for a namespace's policy, push repositories of
/// that namespace (matched by full or namespace-relative name); for a policy of every
/// namespace (`namespace` `None`), every repository, push or plain, matched by full name.
pub async fn covered(
    c: &impl ConnectionTrait,
    policy: &Policy,
    namespace: Option<Uuid>,
) -> Result<Vec<RepoRef>> {
    let scoped = namespace.is_some();
    Ok(q::repositories(c, namespace)
        .await?
        .into_iter()
        .filter(|r| policy.covers(&r.name, r.namespace.as_deref().filter(|_| scoped)))
        .collect())
}

/// The latest version of `repo` as the engine sees it.
pub async fn load(c: &impl ConnectionTrait, repo: Uuid) -> Result<Snapshot> {
    let mut content = q::content(c, repo).await?;
    // A manifest both in the version and pending counts once, as in the version.
    let mut seen = std::collections::HashSet::new();
    content.manifests.retain(|m| seen.insert(m.id));
    let pulls: HashMap<Uuid, _> = content.pulls.into_iter().collect();
    let mut manifests: Vec<Manifest> = content
        .manifests
        .iter()
        .map(|m| Manifest {
            id: m.id,
            digest: m.digest.clone(),
            media_type: m.media_type.clone(),
            pushed: m.pushed,
            last_pulled: pulls.get(&m.id).copied(),
            blobs: vec![],
            children: vec![],
            subject: None,
            pending: m.pending,
        })
        .collect();
    let by_id = index_by_id(&manifests);
    let by_digest: HashMap<String, usize> = manifests
        .iter()
        .enumerate()
        .map(|(i, m)| (m.digest.clone(), i))
        .collect();
    for (i, m) in content.manifests.iter().enumerate() {
        manifests[i].subject = m
            .subject_digest
            .as_ref()
            .and_then(|d| by_digest.get(d).copied())
            .filter(|s| *s != i);
    }
    for (m, blob, size) in content.blobs {
        if let Some(i) = by_id.get(&m) {
            manifests[*i].blobs.push((blob, size));
        }
    }
    for (list, child) in content.children {
        if let (Some(l), Some(c)) = (by_id.get(&list), by_id.get(&child)) {
            manifests[*l].children.push(*c);
        }
    }
    let tags = content
        .tags
        .into_iter()
        .filter_map(|t| {
            Some(Tag {
                manifest: *by_id.get(&t.manifest_id)?,
                last_pulled: pulls.get(&t.id).copied(),
                id: t.id,
                name: t.name,
                pushed: t.pushed,
            })
        })
        .collect();
    Ok(Snapshot { tags, manifests })
}
