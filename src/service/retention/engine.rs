//! The retention engine: pure evaluation of a checked policy over one repository's latest
//! version (a [`Snapshot`]), as of `now`. No I/O; the preview and the run share it.
//!
//! Semantics (per repository):
//! - each rule ranks its candidates: the tags it selects, plus (with `untagged`) the untagged
//!   top-level manifests (not listed by an index, not a referrer of a present manifest), and
//!   keeps some of them (`latest_pushed`, `latest_pulled` with never-pulled last,
//!   `pushed_within`, `pulled_within`, `always`); rules are OR'd;
//! - a tag is kept if a rule keeps it or it is younger than `delay`; a tag not kept is untagged;
//! - a manifest is kept if one of its tags is kept, a rule keeps it as untagged, it is younger
//!   than `delay`, it is listed by a kept index (recursively), or it is a referrer of a kept
//!   manifest. A referrer of a present manifest follows its subject: when the subject goes,
//!   it goes too, whatever its tags (only `delay` protects it); a kept referrer never keeps its
//!   subject. A child of an index is never judged on its own (only its own tags can keep it
//!   besides its index);
//! - with `allow_empty` false, a result leaving a repository that has tags without any tag
//!   changes nothing there ([`SKIPPED_EMPTY`]).
use crate::domain::retention::{Keep, Policy, Rule};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use uuid::Uuid;

/// Why a repository is left as it is.
pub const SKIPPED_EMPTY: &str = "would leave no tags";

/// A tag in the repository's latest version.
#[derive(Debug, Clone)]
pub struct Tag {
    pub id: Uuid,
    pub name: String,
    /// Index into [`Snapshot::manifests`].
    pub manifest: usize,
    /// When the version that added this tag to the repository was created.
    pub pushed: DateTime<Utc>,
    /// When it was last pulled (by this tag, or its manifest by digest).
    pub last_pulled: Option<DateTime<Utc>>,
}

/// A manifest in the repository's latest version.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub id: Uuid,
    pub digest: String,
    pub media_type: String,
    pub pushed: DateTime<Utc>,
    pub last_pulled: Option<DateTime<Utc>>,
    /// Config and layer blobs, with their sizes.
    pub blobs: Vec<(Uuid, i64)>,
    /// Manifests this index lists (indexes into [`Snapshot::manifests`]).
    pub children: Vec<usize>,
    /// The present manifest this one refers to (its `subject`), if any.
    pub subject: Option<usize>,
    /// Pushed by digest and never tagged or listed: in no version, pending in the repository.
    pub pending: bool,
}

impl Manifest {
    /// Bytes of its own blobs (config and layers).
    pub fn size(&self) -> i64 {
        self.blobs.iter().map(|(_, s)| s).sum()
    }
}

/// One repository's latest version, as the engine needs it.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub tags: Vec<Tag>,
    pub manifests: Vec<Manifest>,
}

/// Why something is kept.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeptBy {
    /// The rule at this index of the policy.
    Rule(usize),
    /// Younger than the policy's `delay`.
    Delay,
    /// Listed by this kept index.
    ChildOf(String),
    /// Refers to this kept manifest.
    ReferrerOf(String),
}

impl fmt::Display for KeptBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeptBy::Rule(i) => write!(f, "rule {i}"),
            KeptBy::Delay => f.write_str("delay"),
            KeptBy::ChildOf(d) => write!(f, "child of {d}"),
            KeptBy::ReferrerOf(d) => write!(f, "referrer of {d}"),
        }
    }
}

/// The engine's verdict on one repository.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// Per tag: why it stays (empty: it goes).
    pub tags: Vec<BTreeSet<KeptBy>>,
    /// Per manifest: why it stays (empty: it goes).
    pub manifests: Vec<BTreeSet<KeptBy>>,
    /// Set when the repository is left unchanged.
    pub skipped: Option<&'static str>,
}

impl Decision {
    pub fn manifest_kept(&self, m: usize) -> bool {
        self.skipped.is_some() || !self.manifests[m].is_empty()
    }

    /// Whether tag `t` stays: kept itself, on a manifest that stays.
    pub fn tag_kept(&self, s: &Snapshot, t: usize) -> bool {
        self.skipped.is_some()
            || (!self.tags[t].is_empty() && self.manifest_kept(s.tags[t].manifest))
    }

    /// Indexes of the manifests that go.
    pub fn removed_manifests(&self) -> Vec<usize> {
        (0..self.manifests.len())
            .filter(|m| !self.manifest_kept(*m))
            .collect()
    }

    /// Indexes of the tags that go while their manifest stays.
    pub fn untagged(&self, s: &Snapshot) -> Vec<usize> {
        (0..s.tags.len())
            .filter(|t| !self.tag_kept(s, *t) && self.manifest_kept(s.tags[*t].manifest))
            .collect()
    }
}

/// A rule's candidate: a tag, or an untagged top-level manifest.
#[derive(Clone, Copy)]
enum Cand {
    Tag(usize),
    Manifest(usize),
}

/// A candidate with what rules rank it by: pushed, last pulled, and its name (ties).
type Ranked<'a> = (Cand, DateTime<Utc>, Option<DateTime<Utc>>, &'a str);

/// Evaluates `policy` over `s` as of `now`.
pub fn evaluate(policy: &Policy, s: &Snapshot, now: DateTime<Utc>) -> Decision {
    let n = s.manifests.len();
    let young_after = now - policy.delay.as_chrono();
    let young = |t: DateTime<Utc>| t > young_after;
    let mut tags_of = vec![vec![]; n];
    for (i, t) in s.tags.iter().enumerate() {
        tags_of[t.manifest].push(i);
    }
    let mut listed = vec![false; n];
    let mut referrers = vec![vec![]; n];
    for (i, m) in s.manifests.iter().enumerate() {
        for c in &m.children {
            listed[*c] = true;
        }
        if let Some(subject) = m.subject {
            referrers[subject].push(i);
        }
    }
    // A tag's last pull: by its name, or its manifest's by digest.
    let tag_pulled = |t: &Tag| t.last_pulled.max(s.manifests[t.manifest].last_pulled);

    let mut tag_keep = vec![BTreeSet::new(); s.tags.len()];
    let mut keep = vec![BTreeSet::new(); n];
    for (r, rule) in policy.rules.iter().enumerate() {
        let mut cands: Vec<Ranked> = s
            .tags
            .iter()
            .enumerate()
            .filter(|(_, t)| rule.selects_tag(&t.name))
            .map(|(i, t)| (Cand::Tag(i), t.pushed, tag_pulled(t), t.name.as_str()))
            .collect();
        if rule.untagged {
            cands.extend(
                s.manifests
                    .iter()
                    .enumerate()
                    .filter(|(i, m)| tags_of[*i].is_empty() && !listed[*i] && m.subject.is_none())
                    .map(|(i, m)| {
                        (
                            Cand::Manifest(i),
                            m.pushed,
                            m.last_pulled,
                            m.digest.as_str(),
                        )
                    }),
            );
        }
        for c in kept_by_rule(rule, cands, now) {
            match c {
                Cand::Tag(i) => tag_keep[i].insert(KeptBy::Rule(r)),
                Cand::Manifest(i) => keep[i].insert(KeptBy::Rule(r)),
            };
        }
    }
    for (i, t) in s.tags.iter().enumerate() {
        if young(t.pushed) {
            tag_keep[i].insert(KeptBy::Delay);
        }
    }
    // Seeds: what keeps a manifest by itself.
    for (i, m) in s.manifests.iter().enumerate() {
        let referrer = m.subject.is_some();
        if young(m.pushed) {
            keep[i].insert(KeptBy::Delay);
        }
        for t in &tags_of[i] {
            if referrer {
                // A referrer follows its subject; only `delay` keeps it otherwise.
                if tag_keep[*t].contains(&KeptBy::Delay) {
                    keep[i].insert(KeptBy::Delay);
                }
            } else {
                keep[i].extend(tag_keep[*t].iter().cloned());
            }
        }
    }
    // Kept indexes keep their children, kept manifests their referrers (recursively).
    let mut queue: Vec<usize> = (0..n).filter(|i| !keep[*i].is_empty()).collect();
    while let Some(i) = queue.pop() {
        let digest = &s.manifests[i].digest;
        let linked = s.manifests[i]
            .children
            .iter()
            .map(|c| (*c, KeptBy::ChildOf(digest.clone())))
            .chain(
                referrers[i]
                    .iter()
                    .map(|r| (*r, KeptBy::ReferrerOf(digest.clone()))),
            );
        for (j, why) in linked {
            let first = keep[j].is_empty();
            keep[j].insert(why);
            if first {
                queue.push(j);
            }
        }
    }
    let mut d = Decision {
        tags: tag_keep,
        manifests: keep,
        skipped: None,
    };
    if !policy.allow_empty && !s.tags.is_empty() && !(0..s.tags.len()).any(|t| d.tag_kept(s, t)) {
        d.skipped = Some(SKIPPED_EMPTY);
    }
    d
}

/// The candidates `rule` keeps.
fn kept_by_rule(rule: &Rule, mut cands: Vec<Ranked>, now: DateTime<Utc>) -> Vec<Cand> {
    let since = |span: crate::domain::retention::Span| now - span.as_chrono();
    match rule.keep {
        Keep::Always => cands.into_iter().map(|c| c.0).collect(),
        Keep::PushedWithin(span) => cands
            .into_iter()
            .filter(|c| c.1 >= since(span))
            .map(|c| c.0)
            .collect(),
        Keep::PulledWithin(span) => cands
            .into_iter()
            .filter(|c| c.2.is_some_and(|p| p >= since(span)))
            .map(|c| c.0)
            .collect(),
        Keep::LatestPushed(k) => {
            // Newest first; ties by name, so the result does not depend on row order.
            cands.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.3.cmp(b.3)));
            cands.into_iter().take(k as usize).map(|c| c.0).collect()
        }
        Keep::LatestPulled(k) => {
            // Most recently pulled first, never pulled last (`None` sorts lowest), then newest.
            cands.sort_by(|a, b| {
                b.2.cmp(&a.2)
                    .then_with(|| b.1.cmp(&a.1))
                    .then_with(|| a.3.cmp(b.3))
            });
            cands.into_iter().take(k as usize).map(|c| c.0).collect()
        }
    }
}

/// The blobs (id → size) that the removed manifests of `plans` use and no kept manifest of
/// `plans` uses, each once: what the run frees unless something outside `plans` holds them
/// (the caller subtracts those).
pub fn freeable(plans: &[(&Snapshot, &Decision)]) -> HashMap<Uuid, i64> {
    let mut out = HashMap::new();
    let mut used = std::collections::HashSet::new();
    for (s, d) in plans {
        for (i, m) in s.manifests.iter().enumerate() {
            if d.manifest_kept(i) {
                used.extend(m.blobs.iter().map(|(b, _)| *b));
            } else {
                out.extend(m.blobs.iter().copied());
            }
        }
    }
    out.retain(|b, _| !used.contains(b));
    out
}

/// Indexes manifests by id (for building a [`Snapshot`]).
pub fn index_by_id(manifests: &[Manifest]) -> HashMap<Uuid, usize> {
    manifests
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i))
        .collect()
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
