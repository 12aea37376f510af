//! Distribution rows for the management API, joined with their namespace and repository names.
use super::criteria;
use super::{exec, new_id, now, one};
use crate::domain::query::{DistributionFilter, DistributionOrder, ListQuery};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DistributionRow {
    pub id: Uuid,
    pub name: String,
    pub base_path: String,
    pub namespace_id: Uuid,
    pub repository_id: Option<Uuid>,
    /// (repository id, number) of a pinned version.
    pub repository_version: Option<(Uuid, i64)>,
    pub private: bool,
    pub hidden: bool,
    pub description: Option<String>,
    pub pulp_labels: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The repository served is a plain container repository (read-only through `/v2/`).
    #[serde(default)]
    pub repository_container: bool,
}

/// A pinned version (`v`) always belongs to a plain container repository (a push repository's
/// versions cannot be distributed), so `repo_container` covers it too.
pub const COLS: &str = "d.id, d.name, d.base_path, d.namespace_id, d.repository_id, d.private, d.hidden, \
    d.description, d.pulp_labels, d.created_at, d.updated_at, v.repository_id AS pin_repo, v.number AS pin_number, \
    CASE WHEN EXISTS (SELECT 1 FROM repositories cr WHERE cr.id = COALESCE(d.repository_id, v.repository_id) \
    AND cr.namespace_id IS NULL) THEN 1 ELSE 0 END AS repo_container";
pub const FROM: &str =
    "distributions d LEFT JOIN repository_versions v ON v.id = d.repository_version_id";

fn row(r: &QueryResult) -> Result<DistributionRow, DbErr> {
    let pin_repo: Option<Uuid> = r.try_get("", "pin_repo")?;
    let pin_number: Option<i64> = r.try_get("", "pin_number")?;
    Ok(DistributionRow {
        id: r.try_get("", "id")?,
        name: r.try_get("", "name")?,
        base_path: r.try_get("", "base_path")?,
        namespace_id: r.try_get("", "namespace_id")?,
        repository_id: r.try_get("", "repository_id")?,
        repository_version: pin_repo.zip(pin_number),
        private: r.try_get("", "private")?,
        hidden: r.try_get("", "hidden")?,
        description: r.try_get("", "description")?,
        pulp_labels: r.try_get("", "pulp_labels")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
        repository_container: r.try_get::<i32>("", "repo_container")? == 1,
    })
}

pub async fn list(
    c: &impl ConnectionTrait,
    q: &ListQuery<DistributionFilter, DistributionOrder>,
) -> Result<(u64, Vec<DistributionRow>), DbErr> {
    let crit = super::lists::distributions(q);
    let (count, rows) = criteria::page(c, COLS, FROM, &crit).await?;
    Ok((count, rows.iter().map(row).collect::<Result<_, _>>()?))
}

pub async fn get(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<DistributionRow>, DbErr> {
    let r = one(
        c,
        &format!("SELECT {COLS} FROM {FROM} WHERE d.id = ?"),
        vec![id.into()],
    )
    .await?;
    r.as_ref().map(row).transpose()
}

pub async fn by_base_path(
    c: &impl ConnectionTrait,
    base_path: &str,
) -> Result<Option<DistributionRow>, DbErr> {
    let r = one(
        c,
        &format!("SELECT {COLS} FROM {FROM} WHERE d.base_path = ?"),
        vec![base_path.into()],
    )
    .await?;
    r.as_ref().map(row).transpose()
}

/// Distributions serving repository `repo`.
pub async fn of_repository(
    c: &impl ConnectionTrait,
    repo: Uuid,
) -> Result<Vec<DistributionRow>, DbErr> {
    let rows = super::all(
        c,
        &format!("SELECT {COLS} FROM {FROM} WHERE d.repository_id = ?"),
        vec![repo.into()],
    )
    .await?;
    rows.iter().map(row).collect()
}

/// Whether another distribution has `name` or `base_path` (excluding `except`).
pub async fn taken(
    c: &impl ConnectionTrait,
    column: &str,
    value: &str,
    except: Option<Uuid>,
) -> Result<bool, DbErr> {
    let sql = format!("SELECT id FROM distributions WHERE {column} = ?");
    let r = one(c, &sql, vec![value.into()]).await?;
    Ok(match r {
        Some(r) => Some(r.try_get::<Uuid>("", "id")?) != except,
        None => false,
    })
}

/// The id of version `number` of `repo`.
pub async fn version_id(
    c: &impl ConnectionTrait,
    repo: Uuid,
    number: i64,
) -> Result<Option<Uuid>, DbErr> {
    let r = one(
        c,
        "SELECT id FROM repository_versions WHERE repository_id = ? AND number = ?",
        vec![repo.into(), number.into()],
    )
    .await?;
    r.map(|r| r.try_get("", "id")).transpose()
}

/// A repository version as a distribution's `repository_version` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinnableVersion {
    pub repository: Uuid,
    pub number: i64,
    /// Its repository is a plain container repository (else a push repository).
    pub container: bool,
}

/// The version named by `(repository, number)` or by its own id, if it exists.
pub async fn find_version(
    c: &impl ConnectionTrait,
    by: VersionKey,
) -> Result<Option<PinnableVersion>, DbErr> {
    let (cond, values) = match by {
        VersionKey::Number(repo, n) => (
            "v.repository_id = ? AND v.number = ?",
            vec![repo.into(), n.into()],
        ),
        VersionKey::Id(id) => ("v.id = ?", vec![id.into()]),
    };
    let r = one(
        c,
        &format!(
            "SELECT v.repository_id, v.number, CASE WHEN r.namespace_id IS NULL THEN 1 ELSE 0 END \
             AS plain FROM repository_versions v JOIN repositories r ON r.id = v.repository_id WHERE {cond}"
        ),
        values,
    )
    .await?;
    r.map(|r| {
        Ok(PinnableVersion {
            repository: r.try_get("", "repository_id")?,
            number: r.try_get("", "number")?,
            container: r.try_get::<i32>("", "plain")? == 1,
        })
    })
    .transpose()
}

/// How a version is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionKey {
    /// By its repository and number (an href).
    Number(Uuid, i64),
    /// By its own id (a PRN).
    Id(Uuid),
}

/// Locks repository `repo` for the rest of the transaction, as every version change does (so
/// retention cannot drop the version while a distribution starts serving it), and returns the
/// id of its version `number` if both exist.
pub async fn lock_version(
    c: &impl ConnectionTrait,
    repo: Uuid,
    number: i64,
) -> Result<Option<Uuid>, DbErr> {
    let sql = format!(
        "SELECT id FROM repositories WHERE id = ?{}",
        super::for_update(c)
    );
    if one(c, &sql, vec![repo.into()]).await?.is_none() {
        return Ok(None);
    }
    version_id(c, repo, number).await
}

/// Inserts or fully rewrites a distribution row.
pub async fn save(
    c: &impl ConnectionTrait,
    d: &DistributionRow,
    insert: bool,
) -> Result<(), DbErr> {
    let pin = match d.repository_version {
        Some((repo, n)) => version_id(c, repo, n).await?,
        None => None,
    };
    let t = now();
    if insert {
        exec(
            c,
            "INSERT INTO distributions (id, name, base_path, namespace_id, repository_id, repository_version_id, \
             private, hidden, description, pulp_labels, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                d.id.into(), d.name.clone().into(), d.base_path.clone().into(), d.namespace_id.into(),
                d.repository_id.into(), pin.into(), d.private.into(), d.hidden.into(),
                d.description.clone().into(), d.pulp_labels.clone().into(), t.into(), t.into(),
            ],
        )
        .await?;
    } else {
        exec(
            c,
            "UPDATE distributions SET name = ?, base_path = ?, namespace_id = ?, repository_id = ?, \
             repository_version_id = ?, private = ?, hidden = ?, description = ?, pulp_labels = ?, updated_at = ? \
             WHERE id = ?",
            vec![
                d.name.clone().into(), d.base_path.clone().into(), d.namespace_id.into(), d.repository_id.into(),
                pin.into(), d.private.into(), d.hidden.into(), d.description.clone().into(),
                d.pulp_labels.clone().into(), t.into(), d.id.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

pub fn fresh_id() -> Uuid {
    new_id()
}

/// Deletes the distribution and the push repository it serves.
pub async fn delete_cascade(c: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    // Lock the namespace row before anything else, in the order a namespace delete takes its
    // locks (see `namespaces::delete_cascade`), so the two serialize instead of deadlocking.
    if c.get_database_backend() == sea_orm::DbBackend::Postgres {
        one(
            c,
            "SELECT n.id FROM namespaces n JOIN distributions d ON d.namespace_id = n.id \
             WHERE d.id = ? FOR UPDATE OF n",
            vec![id.into()],
        )
        .await?;
    }
    let r = one(
        c,
        "SELECT repository_id FROM distributions WHERE id = ?",
        vec![id.into()],
    )
    .await?;
    let Some(r) = r else { return Ok(false) };
    let repo: Option<Uuid> = r.try_get("", "repository_id")?;
    exec(
        c,
        "DELETE FROM user_roles WHERE object_id = ?",
        vec![id.into()],
    )
    .await?;
    exec(c, "DELETE FROM distributions WHERE id = ?", vec![id.into()]).await?;
    if let Some(repo) = repo {
        // Only a push repository goes with its distribution; a plain container repository
        // stays (Pulp 2.28).
        exec(
            c,
            "DELETE FROM repositories WHERE id = ? AND namespace_id IS NOT NULL",
            vec![repo.into()],
        )
        .await?;
    }
    Ok(true)
}
