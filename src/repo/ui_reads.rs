//! The web UI's reads that the management API's lists do not have: repositories with their tag
//! count and last push (sortable and paged in SQL), a repository's tags with their image,
//! push and pull dates, and the platforms of manifest lists. Each is one indexed statement
//! (or one more for a page's manifest lists), never one per row.
use super::lists::repositories_in;
use super::{all, one, placeholders};
use crate::domain::query::RepoScope;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// How the repositories page is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoSort {
    Name,
    Tags,
    /// Stored bytes (each blob once per repository / namespace).
    Size,
    LastPush,
}

impl RepoSort {
    /// The sort a page's `sort` parameter names (default: last push).
    pub fn from_param(p: Option<&str>) -> Self {
        match p {
            Some("name") => RepoSort::Name,
            Some("tags") => RepoSort::Tags,
            Some("size") => RepoSort::Size,
            _ => RepoSort::LastPush,
        }
    }

    pub fn param(self) -> &'static str {
        match self {
            RepoSort::Name => "name",
            RepoSort::Tags => "tags",
            RepoSort::Size => "size",
            RepoSort::LastPush => "pushed",
        }
    }
}

/// The stored bytes of repository `r.id` (its kept versions' blobs, each once), for ordering.
/// SQLite: correlated, each repository's membership rows read through their primary key
/// (20-26 ms of CPU for 10,000 repositories; the grouped join below took 42-47 ms). PostgreSQL:
/// one grouped join `z` (43-58 ms; correlated, 142-214 ms). Returns (join, order expression).
pub fn size_order(c: &impl ConnectionTrait, owner: &str) -> (String, String) {
    if c.get_database_backend() == sea_orm::DbBackend::Postgres {
        let (pairs, key) = match owner {
            "n" => (
                "SELECT DISTINCT r.namespace_id AS owner_id, rc.content_id FROM repositories r \
                 JOIN repository_content rc ON rc.repository_id = r.id \
                 WHERE rc.content_type = 'blob'",
                "n.id",
            ),
            _ => (
                "SELECT DISTINCT rc.repository_id AS owner_id, rc.content_id \
                 FROM repository_content rc WHERE rc.content_type = 'blob'",
                "r.id",
            ),
        };
        return (
            format!(
                " LEFT JOIN (SELECT d.owner_id, SUM(b.size) AS s FROM ({pairs}) d \
                 JOIN blobs b ON b.id = d.content_id GROUP BY d.owner_id) z ON z.owner_id = {key}"
            ),
            "COALESCE(z.s, 0)".into(),
        );
    }
    let members = match owner {
        "n" => {
            "SELECT rc.content_id FROM repositories r JOIN repository_content rc \
                ON rc.repository_id = r.id WHERE r.namespace_id = n.id AND rc.content_type = 'blob'"
        }
        _ => {
            "SELECT rc.content_id FROM repository_content rc WHERE rc.repository_id = r.id \
              AND rc.content_type = 'blob'"
        }
    };
    (
        String::new(),
        format!("(SELECT COALESCE(SUM(b.size), 0) FROM blobs b WHERE b.id IN ({members}))"),
    )
}

#[derive(Debug, Clone)]
pub struct RepoSummary {
    pub id: Uuid,
    pub name: String,
    pub tag_count: i64,
    pub last_push: DateTime<Utc>,
}

/// A page of repositories in `scope` (`None`: all) whose name contains `filter`.
pub async fn repositories(
    c: &impl ConnectionTrait,
    scope: Option<&RepoScope>,
    filter: &str,
    sort: RepoSort,
    desc: bool,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<RepoSummary>), DbErr> {
    let mut conds = vec![];
    let mut values: Vec<Value> = vec![];
    if let Some(s) = scope {
        let (sql, v) = repositories_in(s, "r.id");
        conds.push(sql);
        values.extend(v);
    }
    if !filter.is_empty() {
        conds.push("LOWER(r.name) LIKE ? ESCAPE '\\'".into());
        let pattern = super::criteria::like_escape(&filter.to_lowercase());
        values.push(format!("%{pattern}%").into());
    }
    let where_sql = match conds.is_empty() {
        true => String::new(),
        false => format!("WHERE {}", conds.join(" AND ")),
    };
    let count: i64 = one(
        c,
        &format!("SELECT COUNT(*) AS n FROM repositories r {where_sql}"),
        values.clone(),
    )
    .await?
    .map(|r| r.try_get("", "n"))
    .transpose()?
    .unwrap_or(0);
    let dir = if desc { "DESC" } else { "ASC" };
    let (join, size) = match sort {
        RepoSort::Size => size_order(c, "r"),
        _ => (String::new(), String::new()),
    };
    let order = match sort {
        RepoSort::Name => format!("r.name {dir}"),
        RepoSort::Tags => format!("tag_count {dir}, r.name"),
        RepoSort::Size => format!("{size} {dir}, r.name"),
        RepoSort::LastPush => format!("last_push {dir}, r.name"),
    };
    let sql = format!(
        "SELECT r.id, r.name, \
         (SELECT COUNT(*) FROM repository_tags t WHERE t.repository_id = r.id) AS tag_count, \
         COALESCE((SELECT v.created_at FROM repository_versions v \
                   WHERE v.repository_id = r.id ORDER BY v.number DESC LIMIT 1), \
                  r.created_at) AS last_push \
         FROM repositories r{join} {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    );
    let rows = all(c, &sql, values).await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(RepoSummary {
                id: r.try_get("", "id")?,
                name: r.try_get("", "name")?,
                tag_count: r.try_get("", "tag_count")?,
                last_push: r.try_get("", "last_push")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok((count as u64, list))
}

/// Number of repositories of each namespace among `ids`.
pub async fn repository_counts(
    c: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT namespace_id, COUNT(*) AS n FROM repositories WHERE namespace_id IN ({}) \
         GROUP BY namespace_id",
        placeholders(ids.len())
    );
    all(c, &sql, ids.iter().map(|u| (*u).into()).collect())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "namespace_id")?, r.try_get("", "n")?)))
        .collect()
}

/// One tag of a repository's latest version, with its image.
#[derive(Debug, Clone)]
pub struct TagRow {
    pub name: String,
    pub manifest_id: Uuid,
    pub digest: String,
    pub media_type: String,
    pub kind: String,
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub compressed_size: i64,
    /// When this repository's version that added the tag was made.
    pub pushed_at: Option<DateTime<Utc>>,
    pub last_pulled_at: Option<DateTime<Utc>>,
}

/// A page of the tags of `repo`'s latest version whose name contains `filter`, newest push
/// first, then by name; and how many match.
pub async fn tags(
    c: &impl ConnectionTrait,
    repo: Uuid,
    filter: &str,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<TagRow>), DbErr> {
    let mut values: Vec<Value> = vec![repo.into()];
    let mut cond = String::new();
    if !filter.is_empty() {
        cond = " AND LOWER(rt.name) LIKE ? ESCAPE '\\'".into();
        let pattern = super::criteria::like_escape(&filter.to_lowercase());
        values.push(format!("%{pattern}%").into());
    }
    let count: i64 = one(
        c,
        &format!("SELECT COUNT(*) AS n FROM repository_tags rt WHERE rt.repository_id = ?{cond}"),
        values.clone(),
    )
    .await?
    .map(|r| r.try_get("", "n"))
    .transpose()?
    .unwrap_or(0);
    // `+rc.version_removed`: without the unary plus SQLite looks the membership row up through
    // (repository_id, version_removed, content_type), scanning every present row of the
    // repository per tag (12 s for 10,000 tags); with it, through the primary key. The page is
    // cut before the versions are joined: joined first, PostgreSQL's row estimate grew to
    // millions and it JIT-compiled the statement (300 ms instead of 20).
    values.push(repo.into());
    let sql = format!(
        "SELECT x.*, v.created_at AS pushed_at FROM (\
         SELECT rt.name, m.id AS manifest_id, m.digest, m.media_type, m.kind, m.os, \
         m.architecture, m.compressed_size, rc.version_added, p.last_pulled_at \
         FROM repository_tags rt JOIN manifests m ON m.id = rt.manifest_id \
         LEFT JOIN repository_content rc ON rc.repository_id = rt.repository_id \
              AND rc.content_id = rt.tag_id AND +rc.version_removed IS NULL \
         LEFT JOIN repository_pulls p ON p.repository_id = rt.repository_id \
              AND p.content_id = rt.tag_id \
         WHERE rt.repository_id = ?{cond} ORDER BY rc.version_added DESC, rt.name \
         LIMIT {limit} OFFSET {offset}) x \
         LEFT JOIN repository_versions v ON v.repository_id = ? AND v.number = x.version_added \
         ORDER BY x.version_added DESC, x.name"
    );
    let rows = all(c, &sql, values).await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(TagRow {
                name: r.try_get("", "name")?,
                manifest_id: r.try_get("", "manifest_id")?,
                digest: r.try_get("", "digest")?,
                media_type: r.try_get("", "media_type")?,
                kind: r.try_get("", "kind")?,
                os: r.try_get("", "os")?,
                architecture: r.try_get("", "architecture")?,
                compressed_size: r.try_get("", "compressed_size")?,
                pushed_at: r.try_get("", "pushed_at")?,
                last_pulled_at: r.try_get("", "last_pulled_at")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok((count as u64, list))
}

/// The names of the tags of `repo`'s latest version that point at manifest `digest`.
pub async fn tags_of(
    c: &impl ConnectionTrait,
    repo: Uuid,
    digest: &str,
) -> Result<Vec<String>, DbErr> {
    all(
        c,
        "SELECT rt.name FROM repository_tags rt JOIN manifests m ON m.id = rt.manifest_id \
         WHERE rt.repository_id = ? AND m.digest = ? ORDER BY rt.name",
        vec![repo.into(), digest.into()],
    )
    .await?
    .iter()
    .map(|r| r.try_get("", "name"))
    .collect()
}

/// `os/architecture` of the manifests each manifest list among `lists` names.
pub async fn platforms(
    c: &impl ConnectionTrait,
    lists: &[Uuid],
) -> Result<HashMap<Uuid, Vec<String>>, DbErr> {
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    if lists.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT l.list_id, m.os, m.architecture FROM manifest_list_manifests l \
         JOIN manifests m ON m.id = l.manifest_id WHERE l.list_id IN ({}) \
         ORDER BY m.os, m.architecture",
        placeholders(lists.len())
    );
    for r in all(c, &sql, lists.iter().map(|u| (*u).into()).collect()).await? {
        let id: Uuid = r.try_get("", "list_id")?;
        let os: Option<String> = r.try_get("", "os")?;
        let arch: Option<String> = r.try_get("", "architecture")?;
        if let (Some(os), Some(arch)) = (os, arch) {
            out.entry(id).or_default().push(format!("{os}/{arch}"));
        }
    }
    Ok(out)
}

/// The config labels (JSON object text) of manifest `id`.
pub async fn labels(c: &impl ConnectionTrait, id: Uuid) -> Result<String, DbErr> {
    Ok(one(
        c,
        "SELECT labels FROM manifests WHERE id = ?",
        vec![id.into()],
    )
    .await?
    .map(|r| r.try_get("", "labels"))
    .transpose()?
    .unwrap_or_default())
}

/// The manifest lists of `repo`'s latest version that name manifest `digest`, each with the
/// tags pointing at it (digest, comma-separated tags; one statement).
pub async fn lists_holding(
    c: &impl ConnectionTrait,
    repo: Uuid,
    digest: &str,
) -> Result<Vec<(String, Vec<String>)>, DbErr> {
    let rows = all(
        c,
        "SELECT lm.digest, rt.name FROM manifests m \
         JOIN manifest_list_manifests l ON l.manifest_id = m.id \
         JOIN manifests lm ON lm.id = l.list_id \
         JOIN repository_content rc ON rc.content_id = lm.id AND rc.repository_id = ? \
              AND rc.version_removed IS NULL \
         LEFT JOIN repository_tags rt ON rt.repository_id = rc.repository_id \
              AND rt.manifest_id = lm.id \
         WHERE m.digest = ? ORDER BY lm.digest, rt.name",
        vec![repo.into(), digest.into()],
    )
    .await?;
    let mut out: Vec<(String, Vec<String>)> = vec![];
    for r in rows {
        let d: String = r.try_get("", "digest")?;
        let tag: Option<String> = r.try_get("", "name")?;
        if out.last().is_none_or(|(last, _)| *last != d) {
            out.push((d, vec![]));
        }
        if let (Some(t), Some((_, tags))) = (tag, out.last_mut()) {
            tags.push(t);
        }
    }
    Ok(out)
}

/// How many tags the latest versions of the repositories in `scope` (`None`: all) hold.
pub async fn tag_total(c: &impl ConnectionTrait, scope: Option<&RepoScope>) -> Result<i64, DbErr> {
    let (cond, values) = match scope {
        Some(s) => {
            let (sql, v) = repositories_in(s, "t.repository_id");
            (format!("WHERE {sql}"), v)
        }
        None => (String::new(), vec![]),
    };
    Ok(one(
        c,
        &format!("SELECT COUNT(*) AS n FROM repository_tags t {cond}"),
        values,
    )
    .await?
    .map(|r| r.try_get("", "n"))
    .transpose()?
    .unwrap_or(0))
}
