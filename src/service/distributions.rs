//! Distributions: validation of a typed create/update request (Pulp's rules: required fields,
//! permission, references that exist, uniqueness, then `repository` and `repository_version`
//! exclusive and no push repository's version), and the task bodies that create, update and
//! delete (with the push repository they serve). A distribution serves a repository's latest
//! version (`repository`) or pins one version of a plain container repository
//! (`repository_version`).
use crate::domain::name::RepoName;
use crate::domain::permissions::ObjectType;
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::repo::distributions::{self as q, PinnableVersion, VersionKey};
use crate::repo::{namespaces, Db};
use crate::service::namespaces::Labels;
use crate::service::policy::{self, Caller};
use uuid::Uuid;

pub use crate::repo::distributions::DistributionRow;

/// What a create or update asks for; `None`: not given (PATCH keeps the old value, POST and
/// PUT reset it).
#[derive(Default)]
pub struct DistributionInput {
    pub name: Option<String>,
    pub base_path: Option<String>,
    pub repository: Option<RepositoryChoice>,
    pub repository_version: Option<VersionChoice>,
    /// A `content_guard` other than `null` (berth has none).
    pub content_guard: bool,
    /// Given labels (`null` is none).
    pub pulp_labels: Option<Labels>,
    pub description: Option<Option<String>>,
    pub private: Option<bool>,
    pub hidden: Option<bool>,
    /// The first wrongly typed field among labels, description, private and hidden, which
    /// Pulp reports after the checks above it (and alone).
    pub type_error: Option<Error>,
}

/// The repository a request names.
pub enum RepositoryChoice {
    /// `null`: none.
    Nothing,
    /// A push repository (which may not exist).
    Push(Uuid),
    /// A plain container repository (which may not exist).
    Container(Uuid),
    /// A reference that names no push repository.
    Unknown,
    /// A value that is not a reference.
    NotUrl,
}

/// The repository version a request names.
pub enum VersionChoice {
    /// `null` (or `""`, as DRF reads an empty related field): none.
    Nothing,
    /// Version `n` of a plain container repository (which may not exist).
    Container(Uuid, i64),
    /// Version `n` of a push repository (which may not exist).
    Push(Uuid, i64),
    /// A version by its PRN, `prn:core.repositoryversion:<id>` (which may not exist).
    Id(Uuid),
    /// A reference that names no repository version.
    Unknown,
    /// A value that is not a reference.
    NotUrl,
}

/// The existing version `choice` names; `Ok(None)` for none, `Err(message)` for a field error.
async fn pinned(
    db: &Db,
    choice: VersionChoice,
) -> Result<Result<Option<PinnableVersion>, &'static str>> {
    let (key, container) = match choice {
        VersionChoice::Nothing => return Ok(Ok(None)),
        VersionChoice::NotUrl => return Ok(Err(fe::NOT_URL)),
        VersionChoice::Unknown => return Ok(Err(fe::NO_OBJECT)),
        VersionChoice::Container(r, n) => (VersionKey::Number(r, n), Some(true)),
        VersionChoice::Push(r, n) => (VersionKey::Number(r, n), Some(false)),
        VersionChoice::Id(id) => (VersionKey::Id(id), None),
    };
    Ok(match q::find_version(&db.conn, key).await? {
        // An href of one repository type naming a repository of the other names nothing.
        Some(v) if container.is_none_or(|c| c == v.container) => Ok(Some(v)),
        _ => Err(fe::NO_OBJECT),
    })
}

pub async fn get(db: &Db, id: Uuid) -> Result<DistributionRow> {
    q::get(&db.conn, id)
        .await?
        .ok_or_else(|| Error::NotFound("distribution".into()))
}

/// The distribution `input` describes, over `existing` for updates (`partial` = PATCH).
/// Namespaces named by a new base path are fetched or created here, as Pulp does.
pub async fn prepare(
    db: &Db,
    c: &Caller,
    existing: Option<&DistributionRow>,
    input: DistributionInput,
    partial: bool,
) -> Result<DistributionRow> {
    let required = existing.is_none() || !partial;
    let mut errors = vec![];
    let DistributionInput {
        name,
        base_path,
        repository,
        repository_version,
        content_guard,
        pulp_labels: labels,
        description,
        private,
        hidden,
        type_error,
    } = input;
    for (key, v) in [("name", &name), ("base_path", &base_path)] {
        match v {
            None if required => errors.push((key.to_string(), fe::REQUIRED.to_string())),
            Some(s) if s.is_empty() => errors.push((key.to_string(), fe::BLANK.to_string())),
            _ => {}
        }
    }
    if let Some(bp) = &base_path {
        if !bp.is_empty() && RepoName::parse(bp).is_none() {
            errors.push((
                "base_path".into(),
                "The provided base path contains forbidden characters.".into(),
            ));
        }
    }
    // Permission before uniqueness checks, so a refusal never reveals what exists.
    if let Some(bp) = base_path.as_ref().filter(|bp| !bp.is_empty()) {
        if existing.is_none_or(|e| &e.base_path != bp)
            && !policy::may_create_distribution(db, c, bp).await?
        {
            return Err(Error::Denied);
        }
    }
    if content_guard {
        errors.push(("content_guard".into(), fe::NO_OBJECT.into()));
    }
    let repository = match repository {
        None => None,
        Some(RepositoryChoice::Nothing) => Some(None),
        Some(RepositoryChoice::Push(id))
            if crate::repo::push_repos::get(&db.conn, id).await?.is_some() =>
        {
            Some(Some(id))
        }
        Some(RepositoryChoice::Container(id))
            if crate::repo::container_repos::exists(&db.conn, id).await? =>
        {
            Some(Some(id))
        }
        Some(RepositoryChoice::NotUrl) => {
            errors.push(("repository".into(), fe::NOT_URL.into()));
            None
        }
        Some(_) => {
            errors.push(("repository".into(), fe::NO_OBJECT.into()));
            None
        }
    };
    let version = match repository_version {
        None => None,
        Some(choice) => match pinned(db, choice).await? {
            Ok(v) => Some(v),
            Err(message) => {
                errors.push(("repository_version".into(), message.into()));
                None
            }
        },
    };
    if let Some(e) = type_error {
        return Err(e);
    }
    for (col, v) in [("name", &name), ("base_path", &base_path)] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            if q::taken(&db.conn, col, v, existing.map(|e| e.id)).await? {
                errors.push((col.to_string(), fe::UNIQUE.to_string()));
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    check_pin(existing, partial, repository, version)?;
    let base = existing.cloned();
    let mut d = base.unwrap_or_else(|| DistributionRow {
        id: q::fresh_id(),
        name: String::new(),
        base_path: String::new(),
        namespace_id: Uuid::nil(),
        repository_id: None,
        repository_version: None,
        private: false,
        hidden: false,
        description: None,
        pulp_labels: "{}".into(),
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        repository_container: false,
    });
    let full = !partial;
    if let Some(n) = name {
        d.name = n;
    }
    if let Some(bp) = base_path {
        d.base_path = bp;
    }
    if repository.is_some() || full {
        d.repository_id = repository.flatten();
    }
    if version.is_some() || full {
        d.repository_version = version.flatten().map(|v| (v.repository, v.number));
    }
    d.repository_container = match (d.repository_version, d.repository_id) {
        (Some(_), _) => true,
        (None, Some(id)) => crate::repo::container_repos::exists(&db.conn, id).await?,
        (None, None) => false,
    };
    if description.is_some() || full {
        d.description = description.flatten();
    }
    if labels.is_some() || full {
        d.pulp_labels = super::namespaces::labels_text(labels.as_ref());
    }
    if private.is_some() || full {
        d.private = private.unwrap_or(false);
    }
    if hidden.is_some() || full {
        d.hidden = hidden.unwrap_or(false);
    }
    let ns_name = d
        .base_path
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    d.namespace_id = match namespaces::by_name(&db.conn, &ns_name).await? {
        Some(ns) => ns.id,
        None => {
            let txn = db.begin_write().await?;
            if let Some(id) = namespaces::insert(&*txn, &ns_name, "{}").await? {
                if let Some(user) = c.user_id() {
                    policy::make_owner(&*txn, user, ObjectType::Namespace, id).await?;
                }
            }
            txn.commit().await?;
            namespaces::by_name(&db.conn, &ns_name)
                .await?
                .ok_or_else(|| Error::Internal("namespace vanished".into()))?
                .id
        }
    };
    Ok(d)
}

/// Pulp's checks once every field is valid (`DistributionSerializer.validate`, then the
/// container plugin's): `repository` and `repository_version` exclusive, counting on a partial
/// update the value the distribution keeps for a field not given (so a PATCH switching from
/// one to the other sends the other as `null`); no push repository's version.
fn check_pin(
    existing: Option<&DistributionRow>,
    partial: bool,
    repository: Option<Option<Uuid>>,
    version: Option<Option<PinnableVersion>>,
) -> Result<()> {
    let kept = existing.filter(|_| partial);
    let repository_set = match repository {
        Some(given) => given.is_some(),
        None => kept.is_some_and(|e| e.repository_id.is_some()),
    };
    let version_set = match version {
        Some(given) => given.is_some(),
        None => kept.is_some_and(|e| e.repository_version.is_some()),
    };
    if repository_set && version_set {
        return Err(Error::Validation(vec![(
            fe::NON_FIELD.into(),
            "Only one of the attributes 'repository' and 'repository_version' may be used simultaneously.".into(),
        )]));
    }
    if version.flatten().is_some_and(|v| !v.container) {
        return Err(Error::Validation(vec![(
            fe::NON_FIELD.into(),
            "A container push repository cannot be distributed by specifying a repository version."
                .into(),
        )]));
    }
    Ok(())
}

/// Whether applying `new` over `old` would change anything a client can see.
pub fn unchanged(old: &DistributionRow, new: &DistributionRow) -> bool {
    old == new
}

/// Task body: insert (`create`) or rewrite the distribution; returns its id. The creating
/// user (`owner`) becomes the distribution's owner.
pub async fn save(db: &Db, d: &DistributionRow, create: bool, owner: Option<Uuid>) -> Result<Uuid> {
    let txn = db.begin_write().await?;
    if let Some((repo, n)) = d.repository_version {
        // Retention may have dropped the version since the request was checked; from here on
        // the repository's row lock keeps it (a served version is never dropped).
        if q::lock_version(&*txn, repo, n).await?.is_none() {
            return Err(fe::field("repository_version", fe::NO_OBJECT));
        }
    }
    for (col, v) in [("name", &d.name), ("base_path", &d.base_path)] {
        if q::taken(&*txn, col, v, Some(d.id)).await? {
            return Err(Error::Conflict(format!(
                "a distribution with this {col} exists: {v}"
            )));
        }
    }
    q::save(&*txn, d, create).await?;
    if let (true, Some(user)) = (create, owner) {
        policy::make_owner(&*txn, user, ObjectType::Distribution, d.id).await?;
    }
    txn.commit().await?;
    Ok(d.id)
}

/// Task body: delete the distribution and its push repository.
pub async fn delete(db: &Db, id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    q::delete_cascade(&*txn, id).await?;
    txn.commit().await?;
    Ok(())
}
