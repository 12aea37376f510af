//! Pushing, pulling and deleting manifests. A push by tag makes a new repository version through
//! `versions::apply` before the 201 returns; a push by digest leaves the manifest pending.
use super::repositories::{ensure, require};
use super::versions::{self, Change};
use crate::domain::content::ContentKind;
use crate::domain::digest::{Algorithm, Digest};
use crate::domain::manifest::{self as m, ConfigFacts, ParsedManifest};
use crate::domain::media_types as mt;
use crate::domain::name::{Reference, RepoName};
use crate::error::{Error, Result};
use crate::repo::manifests::{self as q, ManifestRow, NewManifest};
use crate::repo::repositories::served_container;
use crate::repo::{content, Db};
use crate::storage::{keys, BlobStore};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Largest config blob read to extract os, architecture and labels.
const MAX_CONFIG_READ: u64 = 1024 * 1024;

pub struct Pushed {
    pub digest: Digest,
    /// The tags now pointing at the manifest (the reference's and any `?tag=` parameters).
    pub tags: Vec<String>,
    pub subject: Option<Digest>,
}

pub async fn put(
    db: &Db,
    store: &BlobStore,
    name: &RepoName,
    reference: &Reference,
    content_type: Option<&str>,
    body: &[u8],
    extra_tags: &[String],
) -> Result<Pushed> {
    if let Some(bad) = extra_tags.iter().find(|t| !crate::domain::name::tag_ok(t)) {
        return Err(Error::TagInvalid(bad.chars().take(200).collect()));
    }
    if body.len() > m::MAX_MANIFEST_BYTES {
        return Err(Error::ManifestTooBig {
            size: body.len() as u64,
            limit: m::MAX_MANIFEST_BYTES as u64,
        });
    }
    let algorithm = match reference {
        Reference::Digest(d) => d.algorithm(),
        Reference::Tag(_) => Algorithm::Sha256,
    };
    let digest = Digest::of(algorithm, body);
    if let Reference::Digest(expected) = reference {
        if expected != &digest {
            return Err(Error::DigestInvalid(format!(
                "manifest has digest {digest}, not {expected}"
            )));
        }
    }
    let parsed = m::parse(body, content_type).map_err(Error::ManifestInvalid)?;
    let facts = config_facts(store, &parsed).await;
    facts.check().map_err(Error::ManifestInvalid)?;
    let repo = ensure(db, name).await?;
    let txn = db.begin_write().await?;
    lock_blobs(&*txn, &parsed).await?;
    super::quotas::check_manifest(&*txn, repo.id).await?;
    let blobs = referenced_blobs(&*txn, repo.id, &parsed).await?;
    let children = referenced_children(&*txn, repo.id, &parsed).await?;
    let config_blob = match &parsed.config {
        Some(cfg) => content::blob_in_repo(&*txn, repo.id, &cfg.digest.to_string())
            .await?
            .map(|b| b.id),
        None => None,
    };
    let digest_s = digest.to_string();
    let annotations = serde_json::to_string(&parsed.annotations).unwrap_or_else(|_| "{}".into());
    let labels = serde_json::to_string(&facts.labels).unwrap_or_else(|_| "{}".into());
    let artifact_type = parsed.effective_artifact_type();
    let subject = parsed.subject.as_ref().map(|s| s.digest.to_string());
    let manifest_id = q::upsert(
        &*txn,
        &NewManifest {
            digest: &digest_s,
            media_type: &parsed.media_type,
            data: body,
            config_blob,
            artifact_type: artifact_type.as_deref(),
            subject: subject.as_deref(),
            annotations,
            labels,
            kind: parsed.kind(),
            os: facts.os.as_deref(),
            architecture: facts.architecture.as_deref(),
            compressed_size: parsed.compressed_size(),
            blobs: &blobs,
            children: &children,
        },
    )
    .await?;
    let mut tags: Vec<String> = extra_tags.to_vec();
    if let Reference::Tag(tag) = reference {
        tags.insert(0, tag.clone());
    }
    let mut seen = std::collections::HashSet::new();
    tags.retain(|t| seen.insert(t.clone()));
    if tags.is_empty() {
        content::add_pending(&*txn, repo.id, manifest_id, ContentKind::Manifest).await?;
    } else {
        let mut add = vec![(manifest_id, ContentKind::Manifest)];
        for tag in &tags {
            add.push((
                q::upsert_tag(&*txn, tag, manifest_id).await?,
                ContentKind::Tag,
            ));
        }
        add.extend(blobs.iter().map(|b| (*b, ContentKind::Blob)));
        add.extend(children.iter().map(|c| (*c, ContentKind::Manifest)));
        let change = Change {
            add,
            tag_names: tags.clone(),
            ..Default::default()
        };
        versions::apply(&*txn, repo.id, change).await?;
    }
    txn.commit().await?;
    Ok(Pushed {
        digest,
        tags,
        subject: parsed.subject.map(|s| s.digest),
    })
}

/// Takes the digest locks of the referenced blobs (in digest order, as orphan cleanup does)
/// before they are looked up, so a cleanup deleting one of them either finishes first (the
/// lookup then misses: `MANIFEST_BLOB_UNKNOWN`) or waits until this manifest, which keeps it,
/// is committed (ARCHITECTURE.md §5, invariant 3).
async fn lock_blobs(c: &impl ConnectionTrait, parsed: &ParsedManifest) -> Result<()> {
    let mut digests: Vec<String> = parsed
        .config
        .iter()
        .chain(parsed.layers.iter())
        .filter(|d| !d.foreign)
        .map(|d| d.digest.to_string())
        .collect();
    digests.sort();
    digests.dedup();
    for d in &digests {
        content::lock_digest(c, d).await?;
    }
    Ok(())
}

/// Blob ids of the config and layers; every one must be in the repository.
async fn referenced_blobs(
    c: &impl ConnectionTrait,
    repo: Uuid,
    parsed: &ParsedManifest,
) -> Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for desc in parsed.config.iter().chain(parsed.layers.iter()) {
        if desc.foreign {
            continue;
        }
        match content::blob_in_repo(c, repo, &desc.digest.to_string()).await? {
            Some(b) => {
                if !ids.contains(&b.id) {
                    ids.push(b.id)
                }
            }
            None => {
                return Err(Error::ManifestBlobUnknown {
                    what: ContentKind::Blob,
                    digest: desc.digest.clone(),
                })
            }
        }
    }
    Ok(ids)
}

/// Manifest ids listed by an index; every one must be in the repository.
async fn referenced_children(
    c: &impl ConnectionTrait,
    repo: Uuid,
    parsed: &ParsedManifest,
) -> Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for desc in &parsed.manifests {
        match q::by_digest(c, repo, &desc.digest.to_string()).await? {
            Some(row) => {
                if !ids.contains(&row.id) {
                    ids.push(row.id)
                }
            }
            None => {
                return Err(Error::ManifestBlobUnknown {
                    what: ContentKind::Manifest,
                    digest: desc.digest.clone(),
                })
            }
        }
    }
    Ok(ids)
}

async fn config_facts(store: &BlobStore, parsed: &ParsedManifest) -> ConfigFacts {
    let Some(cfg) = &parsed.config else {
        return ConfigFacts::default();
    };
    if !matches!(cfg.media_type.as_str(), mt::DOCKER_CONFIG | mt::OCI_CONFIG)
        || cfg.size > MAX_CONFIG_READ
    {
        return ConfigFacts::default();
    }
    match store
        .read_small(&keys::blob(&cfg.digest), MAX_CONFIG_READ)
        .await
    {
        Ok(Some(bytes)) => m::config_facts(&bytes),
        _ => ConfigFacts::default(),
    }
}

/// The manifest `reference` names in repository `name`.
/// A manifest as a GET serves it, and where it was found (for pull tracking).
pub struct Fetched {
    pub row: ManifestRow,
    pub repository: Uuid,
    /// The tag's id when the reference was a tag.
    pub tag: Option<Uuid>,
}

pub async fn get(db: &Db, name: &RepoName, reference: &Reference) -> Result<Fetched> {
    let found = match reference {
        Reference::Tag(tag) => {
            let mut found = q::by_tag(&db.conn, name.as_str(), tag).await?;
            if found.is_none() {
                if let Some(r) = served_container(&db.conn, name.as_str()).await? {
                    found = q::by_tag_in(&db.conn, r.id, r.snapshot(), tag).await?;
                }
            }
            found.map(|(row, repository, tag)| Fetched {
                row,
                repository,
                tag: Some(tag),
            })
        }
        Reference::Digest(d) => {
            let repo = require(db, name).await?;
            q::manifest_in(&db.conn, repo.id, repo.snapshot(), &d.to_string())
                .await?
                .map(|row| Fetched {
                    row,
                    repository: repo.id,
                    tag: None,
                })
        }
    };
    match found {
        Some(f) => Ok(f),
        None => {
            require(db, name).await?;
            Err(Error::ManifestUnknown(reference.to_string()))
        }
    }
}

/// Deletes by tag (that tag only) or by digest, as a new version. A delete by digest has
/// `remove_image`'s semantics: the manifest, its tags, and the blobs and child manifests nothing
/// remaining in the repository uses leave the version, so orphan cleanup can reclaim them.
pub async fn delete(db: &Db, name: &RepoName, reference: &Reference) -> Result<()> {
    let repo = super::repositories::require_push(db, name).await?;
    let txn = db.begin_write().await?;
    match reference {
        Reference::Tag(tag) => {
            let tags = crate::repo::versions::current_tags_named(
                &*txn,
                repo.id,
                std::slice::from_ref(tag),
            )
            .await?;
            if tags.is_empty() {
                return Err(Error::ManifestUnknown(tag.clone()));
            }
            let change = Change {
                remove: tags.into_iter().map(|t| (t, ContentKind::Tag)).collect(),
                ..Default::default()
            };
            versions::apply(&*txn, repo.id, change).await?;
        }
        Reference::Digest(d) => {
            let row = q::by_digest(&*txn, repo.id, &d.to_string())
                .await?
                .ok_or_else(|| Error::ManifestUnknown(d.to_string()))?;
            content::remove_pending(&*txn, repo.id, row.id).await?;
            let change = Change {
                remove: vec![(row.id, ContentKind::Manifest)],
                recursive: true,
                ..Default::default()
            };
            versions::apply(&*txn, repo.id, change).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}
