//! Plain container repositories (Pulp's `container` type, without sync): create, update and
//! delete, and the content actions `add`, `remove`, `copy_tags`, `copy_manifests` (plus `tag`
//! and `untag`, shared with push repositories). Requests are validated here when made; the
//! changes run in tasks through `versions::apply`, so each makes one new immutable version.
//! Adding is recursive as in Pulp: a tag brings its manifest, a manifest list its listed
//! manifests, a manifest its blobs.
use super::versions::{self, Change, NewVersion};
use crate::domain::content::ContentKind;
use crate::domain::permissions::ObjectType;
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::repo::container_repos::{self as q, NewContainerRepo};
use crate::repo::push_repos::{self as pq, PushRepoRow};
use crate::repo::Db;
use crate::service::namespaces::Labels;
use crate::service::policy;
use std::collections::HashSet;
use uuid::Uuid;

/// What a create or update asks for; on update `None` means not given (PATCH keeps the old
/// value, PUT resets it).
#[derive(Default)]
pub struct ContainerRepoInput {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub retain_repo_versions: Option<Option<i64>>,
    pub pulp_labels: Option<Labels>,
}

/// The plain repository `id` (404 for push repositories and unknown ids).
pub async fn get(db: &Db, id: Uuid) -> Result<PushRepoRow> {
    match pq::get(&db.conn, id).await? {
        Some(r) if r.container => Ok(r),
        _ => Err(Error::NotFound("repository".into())),
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.len() > 255 {
        return Err(fe::field("name", fe::max_length(255)));
    }
    Ok(())
}

/// Creates the repository (201 in Pulp: synchronous); its creator becomes its owner.
pub async fn create(
    db: &Db,
    input: ContainerRepoInput,
    owner: Option<Uuid>,
) -> Result<PushRepoRow> {
    let name = input.name.ok_or_else(|| fe::field("name", fe::REQUIRED))?;
    check_name(&name)?;
    let labels = super::namespaces::labels_text(input.pulp_labels.as_ref());
    let txn = db.begin_write().await?;
    let id = q::create(
        &*txn,
        &NewContainerRepo {
            name: &name,
            description: input.description.flatten().as_deref(),
            retain_repo_versions: input.retain_repo_versions.flatten(),
            pulp_labels: &labels,
        },
    )
    .await?
    .ok_or_else(|| fe::field("name", fe::UNIQUE))?;
    if let Some(user) = owner {
        policy::make_owner(&*txn, user, ObjectType::Repository, id).await?;
    }
    txn.commit().await?;
    get(db, id).await
}

/// The repository `input` describes over `old` (`partial` = PATCH); a new name must be free.
pub async fn prepare(
    db: &Db,
    old: &PushRepoRow,
    input: ContainerRepoInput,
    partial: bool,
) -> Result<PushRepoRow> {
    let mut r = old.clone();
    match input.name {
        Some(name) => {
            check_name(&name)?;
            if q::name_taken(&db.conn, &name, Some(old.id)).await? {
                return Err(fe::field("name", fe::UNIQUE));
            }
            r.name = name;
        }
        None if !partial => return Err(fe::field("name", fe::REQUIRED)),
        None => {}
    }
    if input.description.is_some() || !partial {
        r.description = input.description.flatten();
    }
    if input.retain_repo_versions.is_some() || !partial {
        r.retain_repo_versions = input.retain_repo_versions.flatten();
    }
    if input.pulp_labels.is_some() || !partial {
        r.pulp_labels = super::namespaces::labels_text(input.pulp_labels.as_ref());
    }
    Ok(r)
}

/// Task body of an update: stores the row (a name taken meanwhile fails the task).
pub async fn save(db: &Db, r: &PushRepoRow) -> Result<()> {
    let txn = db.begin_write().await?;
    if q::name_taken(&*txn, &r.name, Some(r.id)).await? {
        return Err(fe::field("name", fe::UNIQUE));
    }
    pq::update(&*txn, r).await?;
    txn.commit().await?;
    Ok(())
}

/// Task body of a delete: the repository and its versions; distributions serving it stay,
/// without a repository (as Pulp's `SET_NULL`).
pub async fn delete(db: &Db, id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    q::delete(&*txn, id).await?;
    txn.commit().await?;
    Ok(())
}

/// The most content units one `add`/`remove`/copy names.
pub const MAX_UNITS: usize = 10_000;

/// Checks that every id names a content unit (Pulp's message lists the hrefs that do not).
pub async fn check_units(db: &Db, units: &[(Uuid, String)]) -> Result<()> {
    let ids: Vec<Uuid> = units.iter().map(|(id, _)| *id).collect();
    let found: HashSet<Uuid> = classify(&db.conn, &ids)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let missing: Vec<String> = units
        .iter()
        .filter(|(id, _)| !found.contains(id))
        .map(|(_, href)| format!("'{href}'"))
        .collect();
    if !missing.is_empty() {
        return Err(fe::non_field(format!(
            "Could not find the following content units: [{}]",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// The kind of each of `ids` that names content.
async fn classify(
    c: &impl sea_orm::ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, ContentKind)>> {
    let mut out: Vec<(Uuid, ContentKind)> = q::tags_among(c, ids)
        .await?
        .into_iter()
        .map(|(id, _, _)| (id, ContentKind::Tag))
        .collect();
    out.extend(
        q::manifests_among(c, ids)
            .await?
            .into_iter()
            .map(|id| (id, ContentKind::Manifest)),
    );
    out.extend(
        q::blobs_among(c, ids)
            .await?
            .into_iter()
            .map(|id| (id, ContentKind::Blob)),
    );
    Ok(out)
}

/// Task body of `add` (and of the copies): `units` and everything they bring, in one version.
pub async fn add(db: &Db, repo: Uuid, units: &[Uuid]) -> Result<Option<NewVersion>> {
    let txn = db.begin_write().await?;
    let kinds = classify(&*txn, units).await?;
    let tags = q::tags_among(&*txn, units).await?;
    let mut manifests: Vec<Uuid> = kinds
        .iter()
        .filter(|(_, k)| *k == ContentKind::Manifest)
        .map(|(id, _)| *id)
        .collect();
    manifests.extend(tags.iter().map(|(_, _, m)| *m));
    let children = crate::repo::versions::children_of(&*txn, &manifests).await?;
    manifests.extend(children);
    let blobs = crate::repo::versions::blobs_of(&*txn, &manifests).await?;
    let mut add: Vec<(Uuid, ContentKind)> = kinds;
    add.extend(manifests.iter().map(|m| (*m, ContentKind::Manifest)));
    add.extend(blobs.iter().map(|b| (*b, ContentKind::Blob)));
    let mut tag_names: Vec<String> = tags.iter().map(|(_, n, _)| n.clone()).collect();
    tag_names.sort();
    if tag_names.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::Conflict(
            "Two of the tags to add have the same name; a version holds one tag per name.".into(),
        ));
    }
    let change = Change {
        add,
        tag_names,
        ..Default::default()
    };
    let n = versions::apply(&*txn, repo, change).await?;
    txn.commit().await?;
    Ok(n)
}

/// Task body of `remove`: `units` (`None`: everything) and, with each manifest, what only it
/// used, in one version.
pub async fn remove(db: &Db, repo: Uuid, units: Option<&[Uuid]>) -> Result<Option<NewVersion>> {
    let txn = db.begin_write().await?;
    let remove: Vec<(Uuid, ContentKind)> = match units {
        Some(ids) => classify(&*txn, ids).await?,
        None => q::latest_content(&*txn, repo)
            .await?
            .into_iter()
            .filter_map(|(id, t)| ContentKind::parse(&t).map(|k| (id, k)))
            .collect(),
    };
    let change = Change {
        remove,
        recursive: true,
        ..Default::default()
    };
    let n = versions::apply(&*txn, repo, change).await?;
    txn.commit().await?;
    Ok(n)
}

/// The source of a copy: a repository's latest version or one given version.
pub struct Source {
    pub repository: Uuid,
    pub number: i64,
}

/// The tags of the source (named in `names` when given) to copy.
pub async fn tags_to_copy(db: &Db, s: &Source, names: Option<&[String]>) -> Result<Vec<Uuid>> {
    Ok(q::tags_in_version(&db.conn, s.repository, s.number, names).await?)
}

/// The manifests of the source (filtered by digests and media types when given) to copy.
pub async fn manifests_to_copy(
    db: &Db,
    s: &Source,
    digests: Option<&[String]>,
    media_types: Option<&[String]>,
) -> Result<Vec<Uuid>> {
    Ok(q::manifests_in_version(&db.conn, s.repository, s.number, digests, media_types).await?)
}
