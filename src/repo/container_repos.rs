//! Plain container repositories: rows of `repositories` without a namespace (see migration
//! 000011), created and deleted through the management API, and the content lookups their
//! actions need (what a version holds, what a tag or manifest brings with it).
use super::content::{version_values, IN_VERSION};
use super::versions::ids_query;
use super::{all, exec, new_id, now, one, placeholders};
use sea_orm::{ConnectionTrait, DbErr, Value};
use uuid::Uuid;

/// A new plain repository.
pub struct NewContainerRepo<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub retain_repo_versions: Option<i64>,
    pub pulp_labels: &'a str,
}

/// Inserts the repository and its empty version 0; `None` if the name is taken (by a
/// repository of either kind: Pulp's names are unique across repository types).
pub async fn create(
    c: &impl ConnectionTrait,
    r: &NewContainerRepo<'_>,
) -> Result<Option<Uuid>, DbErr> {
    let id = new_id();
    let t = now();
    let inserted = exec(
        c,
        "INSERT INTO repositories (id, name, namespace_id, description, retain_repo_versions, \
         next_version, created_at, updated_at, pulp_labels) VALUES (?, ?, NULL, ?, ?, 1, ?, ?, ?) \
         ON CONFLICT (name) DO NOTHING",
        vec![
            id.into(),
            r.name.into(),
            r.description.map(str::to_string).into(),
            r.retain_repo_versions.into(),
            t.into(),
            t.into(),
            r.pulp_labels.into(),
        ],
    )
    .await?;
    if inserted == 0 {
        return Ok(None);
    }
    exec(
        c,
        "INSERT INTO repository_versions (id, repository_id, number, content_summary, created_at) \
         VALUES (?, ?, 0, ?, ?)",
        vec![new_id().into(), id.into(), "{}".into(), t.into()],
    )
    .await?;
    Ok(Some(id))
}

/// Whether a repository named `name` exists (of either kind), other than `except`.
pub async fn name_taken(
    c: &impl ConnectionTrait,
    name: &str,
    except: Option<Uuid>,
) -> Result<bool, DbErr> {
    let r = one(
        c,
        "SELECT id FROM repositories WHERE name = ?",
        vec![name.into()],
    )
    .await?;
    Ok(match r {
        Some(r) => Some(r.try_get::<Uuid>("", "id")?) != except,
        None => false,
    })
}

/// Whether a plain container repository is named `name` (one query: a push repository of that
/// name being created meanwhile does not count).
pub async fn plain_named(c: &impl ConnectionTrait, name: &str) -> Result<bool, DbErr> {
    Ok(one(
        c,
        "SELECT id FROM repositories WHERE name = ? AND namespace_id IS NULL",
        vec![name.into()],
    )
    .await?
    .is_some())
}

/// Whether plain repository `id` exists.
pub async fn exists(c: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    Ok(one(
        c,
        "SELECT id FROM repositories WHERE id = ? AND namespace_id IS NULL",
        vec![id.into()],
    )
    .await?
    .is_some())
}

/// Deletes plain repository `id`; its versions and memberships go by cascade, distributions
/// serving it keep existing without a repository (`ON DELETE SET NULL`), and so do those
/// serving one of its versions (Pulp's `repository_version` is `SET_NULL` too; berth's column
/// has no foreign key, so it is cleared here, under the repository's row lock).
pub async fn delete(c: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let lock = format!(
        "SELECT id FROM repositories WHERE id = ? AND namespace_id IS NULL{}",
        super::for_update(c)
    );
    if one(c, &lock, vec![id.into()]).await?.is_none() {
        return Ok(false);
    }
    exec(
        c,
        "UPDATE distributions SET repository_version_id = NULL WHERE repository_version_id IN \
         (SELECT id FROM repository_versions WHERE repository_id = ?)",
        vec![id.into()],
    )
    .await?;
    Ok(exec(
        c,
        "DELETE FROM repositories WHERE id = ? AND namespace_id IS NULL",
        vec![id.into()],
    )
    .await?
        == 1)
}

/// The tags of version `number` of `repo`, only those named in `names` when given.
pub async fn tags_in_version(
    c: &impl ConnectionTrait,
    repo: Uuid,
    number: i64,
    names: Option<&[String]>,
) -> Result<Vec<Uuid>, DbErr> {
    let mut sql = format!(
        "SELECT t.id FROM repository_content rc JOIN tags t ON t.id = rc.content_id \
         WHERE {IN_VERSION}"
    );
    let mut values = version_values(repo, number);
    if let Some(names) = names {
        if names.is_empty() {
            return Ok(vec![]);
        }
        sql.push_str(&format!(" AND t.name IN ({})", placeholders(names.len())));
        values.extend(names.iter().map(|n| Value::from(n.clone())));
    }
    ids(c, &sql, values).await
}

/// The manifests of version `number` of `repo`, filtered by digest and media type when given.
pub async fn manifests_in_version(
    c: &impl ConnectionTrait,
    repo: Uuid,
    number: i64,
    digests: Option<&[String]>,
    media_types: Option<&[String]>,
) -> Result<Vec<Uuid>, DbErr> {
    let mut sql = format!(
        "SELECT m.id FROM repository_content rc JOIN manifests m ON m.id = rc.content_id \
         WHERE {IN_VERSION}"
    );
    let mut values = version_values(repo, number);
    for (col, list) in [("m.digest", digests), ("m.media_type", media_types)] {
        if let Some(list) = list {
            if list.is_empty() {
                return Ok(vec![]);
            }
            sql.push_str(&format!(" AND {col} IN ({})", placeholders(list.len())));
            values.extend(list.iter().map(|n| Value::from(n.clone())));
        }
    }
    ids(c, &sql, values).await
}

/// Every content id of the latest version of `repo` with its type name.
pub async fn latest_content(
    c: &impl ConnectionTrait,
    repo: Uuid,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    let rows = all(
        c,
        "SELECT content_id, content_type FROM repository_content \
         WHERE repository_id = ? AND version_removed IS NULL",
        vec![repo.into()],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "content_id")?, r.try_get("", "content_type")?)))
        .collect()
}

/// `(tag id, name, manifest id)` of the tags among `ids`.
pub async fn tags_among(
    c: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String, Uuid)>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT id, name, manifest_id FROM tags WHERE id IN ({})",
            placeholders(chunk.len())
        );
        let values = chunk.iter().map(|u| Value::from(*u)).collect();
        for r in all(c, &sql, values).await? {
            out.push((
                r.try_get("", "id")?,
                r.try_get("", "name")?,
                r.try_get("", "manifest_id")?,
            ));
        }
    }
    Ok(out)
}

/// Which of `ids` are manifests.
pub async fn manifests_among(c: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Uuid>, DbErr> {
    ids_query(
        c,
        "SELECT id FROM manifests WHERE id IN ({in})",
        vec![],
        ids,
        vec![],
    )
    .await
}

/// Which of `ids` are blobs.
pub async fn blobs_among(c: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Uuid>, DbErr> {
    ids_query(
        c,
        "SELECT id FROM blobs WHERE id IN ({in})",
        vec![],
        ids,
        vec![],
    )
    .await
}

async fn ids(c: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Vec<Uuid>, DbErr> {
    all(c, sql, values)
        .await?
        .iter()
        .map(|r| r.try_get_by_index::<Uuid>(0))
        .collect()
}
