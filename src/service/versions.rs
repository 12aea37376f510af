//! The one function that creates repository versions. Every change to a repository's content,
//! from a registry push or a management task, goes through [`apply`], which:
//! locks the repository row, applies the container rules (one tag name per version; removing a
//! manifest removes its tags; optional recursive removal of what only the removed manifests
//! used), writes only the difference, records the content summary, and discards empty versions.
use crate::domain::content::ContentKind::{self, Blob, Manifest, Tag};
use crate::error::Result;
use crate::repo::versions as q;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

#[derive(Debug, Default)]
pub struct Change {
    pub add: Vec<(Uuid, ContentKind)>,
    pub remove: Vec<(Uuid, ContentKind)>,
    /// Names of the tags in `add`, so same-named tags pointing elsewhere are replaced.
    pub tag_names: Vec<String>,
    /// Remove, with each removed manifest, the children and blobs nothing remaining uses.
    pub recursive: bool,
}

/// A version [`apply`] created: its id (which its PRN names) and its number in the repository
/// (which its href names); `domain::hrefs` makes both from these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewVersion {
    pub id: Uuid,
    pub number: i64,
}

/// Applies `change` to `repo` inside the caller's transaction; returns the new version, or
/// `None` when nothing changed (no version is created).
pub async fn apply(
    c: &impl ConnectionTrait,
    repo: Uuid,
    change: Change,
) -> Result<Option<NewVersion>> {
    let number = q::lock(c, repo).await?;
    let mut remove = change.remove;
    let add_ids: Vec<Uuid> = dedup(change.add.iter().map(|(id, _)| *id));
    let add_set: HashSet<Uuid> = add_ids.iter().copied().collect();
    let replaced = q::current_tags_named(c, repo, &change.tag_names).await?;
    remove.extend(
        replaced
            .into_iter()
            .filter(|t| !add_set.contains(t))
            .map(|t| (t, Tag)),
    );
    let removed_manifests: Vec<Uuid> = remove
        .iter()
        .filter(|(_, ty)| *ty == Manifest)
        .map(|(id, _)| *id)
        .collect();
    if !removed_manifests.is_empty() {
        if change.recursive {
            remove = expand(c, repo, remove, &removed_manifests).await?;
        } else {
            let tags = q::current_tags_of(c, repo, &removed_manifests).await?;
            remove.extend(tags.into_iter().map(|t| (t, Tag)));
        }
    }

    let present: HashSet<Uuid> = q::present_among(c, repo, &add_ids)
        .await?
        .into_iter()
        .collect();
    let mut seen = HashSet::new();
    let added: Vec<(Uuid, ContentKind)> = change
        .add
        .iter()
        .filter(|(id, _)| !present.contains(id) && seen.insert(*id))
        .map(|(id, ty)| (*id, *ty))
        .collect();
    let remove_ids: Vec<Uuid> = dedup(
        remove
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| !add_set.contains(id)),
    );
    let removed_present: HashSet<Uuid> = q::present_among(c, repo, &remove_ids)
        .await?
        .into_iter()
        .collect();
    let mut seen = HashSet::new();
    let removed: Vec<(Uuid, ContentKind)> = remove
        .iter()
        .filter(|(id, _)| removed_present.contains(id) && seen.insert(*id))
        .map(|(id, ty)| (*id, *ty))
        .collect();

    q::clear_pending(c, repo, &add_ids).await?;
    if added.is_empty() && removed.is_empty() {
        return Ok(None);
    }
    q::insert_added(c, repo, number, &added).await?;
    let removed_ids: Vec<Uuid> = removed.iter().map(|(id, _)| *id).collect();
    q::mark_removed(c, repo, number, &removed_ids).await?;
    let tags = |items: &[(Uuid, ContentKind)]| -> Vec<Uuid> {
        items
            .iter()
            .filter(|(_, ty)| *ty == Tag)
            .map(|(id, _)| *id)
            .collect()
    };
    q::sync_tags(c, repo, &tags(&removed), &tags(&added)).await?;
    // `added` held nothing present and `removed` only present content, so the last version's
    // counts plus and minus them are exact (no count over every present row per push).
    let present = match q::latest_present(c, repo).await? {
        Some(mut counts) => {
            for (_, ty) in &added {
                *counts.entry(*ty).or_insert(0) += 1;
            }
            for (_, ty) in &removed {
                *counts.entry(*ty).or_insert(0) -= 1;
            }
            counts.retain(|_, n| *n > 0);
            counts
        }
        None => q::present_counts(c, repo).await?,
    };
    let summary = json!({
        "added": count(&added),
        "removed": count(&removed),
        "present": present,
    });
    let id = q::insert_version(c, repo, number, &summary.to_string()).await?;
    super::housekeeping::retention::prune(c, repo).await?;
    Ok(Some(NewVersion { id, number }))
}

/// Adds to `remove`: the tags of the removed manifests; their children no remaining tag or list
/// uses; the blobs no remaining manifest uses. A removed manifest still listed by a remaining
/// index keeps its place (only its tags go).
async fn expand(
    c: &impl ConnectionTrait,
    repo: Uuid,
    mut remove: Vec<(Uuid, ContentKind)>,
    manifests: &[Uuid],
) -> Result<Vec<(Uuid, ContentKind)>> {
    let tags = q::current_tags_of(c, repo, manifests).await?;
    remove.extend(tags.into_iter().map(|t| (t, Tag)));
    let children = q::children_of(c, manifests).await?;
    let mut gone: Vec<Uuid> = manifests.to_vec();
    let listed: HashSet<Uuid> = q::still_listed(c, repo, manifests, manifests)
        .await?
        .into_iter()
        .collect();
    gone.retain(|m| !listed.contains(m));
    remove.retain(|(id, ty)| *ty != Manifest || !listed.contains(id));
    if !children.is_empty() {
        let keep: HashSet<Uuid> = q::still_listed(c, repo, &children, &gone)
            .await?
            .into_iter()
            .chain(q::tagged_among(c, repo, &children).await?)
            .collect();
        for child in children.into_iter().filter(|ch| !keep.contains(ch)) {
            remove.push((child, Manifest));
            gone.push(child);
        }
    }
    let blobs = q::blobs_of(c, &gone).await?;
    let used: HashSet<Uuid> = q::blobs_still_used(c, repo, &blobs, &gone)
        .await?
        .into_iter()
        .collect();
    remove.extend(
        blobs
            .into_iter()
            .filter(|b| !used.contains(b))
            .map(|b| (b, Blob)),
    );
    Ok(remove)
}

fn dedup(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.filter(|id| seen.insert(*id)).collect()
}

fn count(items: &[(Uuid, ContentKind)]) -> BTreeMap<ContentKind, i64> {
    let mut m = BTreeMap::new();
    for (_, ty) in items {
        *m.entry(*ty).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
#[path = "versions_tests.rs"]
mod tests;
