//! Retention runs: what a policy keeps and removes, previewed and applied.
//! - [`engine`]: the pure evaluation of a policy over one repository's latest version;
//! - [`snapshot`]: loading the covered repositories and their latest versions;
//! - [`preview`] (here): the per-repository report and the totals, with the bytes that come
//!   back once the run's undo window passed and orphan cleanup ran;
//! - [`run`]: the task (dry or real; a real run makes one new version per changed
//!   repository through `versions::apply`);
//! - [`undo`]: the undo window (versions before a run's version stay until it passed).
//!
//! The preview and the run share one engine, and the run recomputes at run time.
//!
//! What a policy covers: a namespace's policy covers the push repositories of that namespace
//! only; a policy of every namespace (`namespace: null`, superusers only) covers every
//! repository, push repositories and plain container repositories alike, its patterns matched
//! against the full name. A plain repository belongs to no namespace (its access is by its own
//! roles, not its namespace's), so no namespace's policy reaches it, whatever its name. On a
//! plain repository a run does what it does on a push repository: one new version, the undo
//! window, `restore/` to undo.
pub mod engine;
pub mod run;
pub mod snapshot;
pub mod undo;

use crate::domain::retention::Policy;
use crate::error::{Error, Result};
use crate::repo::retention_policies::{PolicyFields, PolicyRow};
use crate::repo::retention_snapshot as q;
use crate::repo::Db;
use crate::service::policy::Caller;
use chrono::{DateTime, Utc};
use engine::{Decision, Snapshot};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub use run::dispatch_run;
pub use snapshot::RepoRef;

/// Repositories a preview lists when the request does not say.
pub const DEFAULT_LIMIT: usize = 100;

/// The policy `id` as its caller may manage it (404 otherwise): superusers, and for a
/// namespace's policy its owner (`retention_policies::get_managed`).
pub async fn managed_policy(db: &Db, c: &Caller, id: Uuid) -> Result<PolicyRow> {
    crate::service::retention_policies::get_managed(db, c, id).await
}

/// The checked form of a stored policy.
pub fn checked(row: &PolicyRow) -> Result<Policy> {
    crate::service::retention_policies::policy_of(&PolicyFields::of(row))
        .map_err(|e| Error::Internal(format!("stored retention policy {}: {e}", row.id)))
}

/// A manifest that stays, and why.
#[derive(Debug, Clone, Serialize)]
pub struct KeptItem {
    pub digest: String,
    pub tags: Vec<String>,
    pub kept_by: Vec<String>,
}

/// A manifest that goes, with the tags that go with it.
#[derive(Debug, Clone, Serialize)]
pub struct RemovedItem {
    pub digest: String,
    pub tags: Vec<String>,
    pub pushed: DateTime<Utc>,
    pub last_pulled: Option<DateTime<Utc>>,
    /// Bytes of its config and layers.
    pub size: i64,
}

/// What a policy does to one repository.
#[derive(Debug, Clone)]
pub struct RepoReport {
    pub repo: RepoRef,
    pub skipped: Option<&'static str>,
    pub kept: Vec<KeptItem>,
    pub removed: Vec<RemovedItem>,
    /// Tags that go while their manifest stays.
    pub untagged: Vec<String>,
}

/// Totals over every covered repository.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub repositories: u64,
    pub tags_removed: u64,
    pub manifests_removed: u64,
    /// Bytes of the blobs that come back once the undo window passed and orphan cleanup ran.
    pub bytes_freed: i64,
}

#[derive(Debug, Clone)]
pub struct Preview {
    /// The first `limit` covered repositories, by name.
    pub repositories: Vec<RepoReport>,
    pub totals: Totals,
}

/// Previews `row` as of `now`, listing at most `limit` repositories (totals cover all).
pub async fn preview(
    c: &impl ConnectionTrait,
    row: &PolicyRow,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Preview> {
    let policy = checked(row)?;
    let repos = snapshot::covered(c, &policy, row.namespace_id).await?;
    let covered: HashSet<Uuid> = repos.iter().map(|r| r.id).collect();
    let mut totals = Totals {
        repositories: repos.len() as u64,
        ..Default::default()
    };
    let mut reports = vec![];
    let mut removed_blobs: HashMap<Uuid, i64> = HashMap::new();
    let mut kept_blobs: HashSet<Uuid> = HashSet::new();
    for (i, repo) in repos.into_iter().enumerate() {
        let s = snapshot::load(c, repo.id).await?;
        let d = engine::evaluate(&policy, &s, now);
        if d.skipped.is_none() {
            let removed = d.removed_manifests();
            totals.manifests_removed += removed.len() as u64;
            totals.tags_removed += (0..s.tags.len()).filter(|t| !d.tag_kept(&s, *t)).count() as u64;
        }
        // What this repository keeps and frees, as `engine::freeable` counts it.
        for (blob, size) in engine::freeable(&[(&s, &d)]) {
            removed_blobs.insert(blob, size);
        }
        for (m, man) in s.manifests.iter().enumerate() {
            if d.manifest_kept(m) {
                kept_blobs.extend(man.blobs.iter().map(|(b, _)| *b));
            }
        }
        if i < limit {
            reports.push(report(repo, &s, &d));
        }
    }
    removed_blobs.retain(|b, _| !kept_blobs.contains(b));
    let candidates: Vec<Uuid> = removed_blobs.keys().copied().collect();
    let held = q::held_elsewhere(c, &candidates, &covered).await?;
    totals.bytes_freed = removed_blobs
        .iter()
        .filter(|(b, _)| !held.contains(b))
        .map(|(_, s)| s)
        .sum();
    Ok(Preview {
        repositories: reports,
        totals,
    })
}

/// The report of one repository, newest first.
fn report(repo: RepoRef, s: &Snapshot, d: &Decision) -> RepoReport {
    let mut tags_of: Vec<Vec<usize>> = vec![vec![]; s.manifests.len()];
    for (i, t) in s.tags.iter().enumerate() {
        tags_of[t.manifest].push(i);
    }
    let names = |m: usize, keep: Option<bool>| -> Vec<String> {
        let mut v: Vec<String> = tags_of[m]
            .iter()
            .filter(|t| keep.is_none_or(|k| d.tag_kept(s, **t) == k))
            .map(|t| s.tags[*t].name.clone())
            .collect();
        v.sort();
        v
    };
    let mut order: Vec<usize> = (0..s.manifests.len()).collect();
    order.sort_by(|a, b| {
        let (ma, mb) = (&s.manifests[*a], &s.manifests[*b]);
        mb.pushed
            .cmp(&ma.pushed)
            .then_with(|| ma.digest.cmp(&mb.digest))
    });
    let mut kept = vec![];
    let mut removed = vec![];
    for m in order {
        let man = &s.manifests[m];
        if d.manifest_kept(m) {
            kept.push(KeptItem {
                digest: man.digest.clone(),
                tags: names(m, Some(true)),
                kept_by: d.manifests[m].iter().map(|k| k.to_string()).collect(),
            });
        } else {
            removed.push(RemovedItem {
                digest: man.digest.clone(),
                tags: names(m, None),
                pushed: man.pushed,
                last_pulled: man.last_pulled,
                size: man.size(),
            });
        }
    }
    let mut untagged: Vec<String> = d
        .untagged(s)
        .into_iter()
        .map(|t| s.tags[t].name.clone())
        .collect();
    untagged.sort();
    if d.skipped.is_some() {
        // Nothing changes here: the lists say so too.
        kept.clear();
    }
    RepoReport {
        repo,
        skipped: d.skipped,
        kept,
        removed,
        untagged,
    }
}
