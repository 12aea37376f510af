//! The web UI's namespaces page read: namespaces with their repository and tag counts and last
//! push, filtered, sorted (by name, tag count, stored size or last push) and paged in SQL, in
//! one statement (and one count), never one per row.
use super::ui_reads::RepoSort;
use super::{all, one, placeholders};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct NamespaceSummary {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub repo_count: i64,
    pub tag_count: i64,
    /// The newest of its repositories' latest versions (its creation when it has none): one
    /// index lookup per repository, whatever the number of older versions.
    pub last_push: DateTime<Utc>,
}

/// A page of the namespaces among `scope` (`None`: all) whose name contains `filter`.
pub async fn namespaces(
    c: &impl ConnectionTrait,
    scope: Option<&[Uuid]>,
    filter: &str,
    sort: RepoSort,
    desc: bool,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<NamespaceSummary>), DbErr> {
    let mut conds = vec![];
    let mut values: Vec<Value> = vec![];
    match scope {
        Some([]) => conds.push("1 = 0".to_string()),
        Some(ids) => {
            conds.push(format!("n.id IN ({})", placeholders(ids.len())));
            values.extend(ids.iter().map(|u| Value::from(*u)));
        }
        None => {}
    }
    if !filter.is_empty() {
        conds.push("LOWER(n.name) LIKE ? ESCAPE '\\'".into());
        let pattern = super::criteria::like_escape(&filter.to_lowercase());
        values.push(format!("%{pattern}%").into());
    }
    let where_sql = match conds.is_empty() {
        true => String::new(),
        false => format!("WHERE {}", conds.join(" AND ")),
    };
    let count: i64 = one(
        c,
        &format!("SELECT COUNT(*) AS n FROM namespaces n {where_sql}"),
        values.clone(),
    )
    .await?
    .map(|r| r.try_get("", "n"))
    .transpose()?
    .unwrap_or(0);
    let dir = if desc { "DESC" } else { "ASC" };
    let (join, size) = match sort {
        RepoSort::Size => super::ui_reads::size_order(c, "n"),
        _ => (String::new(), String::new()),
    };
    let order = match sort {
        RepoSort::Name => format!("n.name {dir}"),
        RepoSort::Tags => format!("tag_count {dir}, n.name"),
        RepoSort::Size => format!("{size} {dir}, n.name"),
        RepoSort::LastPush => format!("last_push {dir}, n.name"),
    };
    let sql = format!(
        "SELECT n.id, n.name, n.created_at, \
         (SELECT COUNT(*) FROM repositories r WHERE r.namespace_id = n.id) AS repo_count, \
         (SELECT COUNT(*) FROM repositories r JOIN repository_tags t ON t.repository_id = r.id \
          WHERE r.namespace_id = n.id) AS tag_count, \
         COALESCE((SELECT MAX(v.created_at) FROM repositories r JOIN repository_versions v \
                   ON v.repository_id = r.id AND v.number = r.next_version - 1 \
                   WHERE r.namespace_id = n.id), n.created_at) AS last_push \
         FROM namespaces n{join} {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    );
    let list = all(c, &sql, values)
        .await?
        .iter()
        .map(|r| {
            Ok(NamespaceSummary {
                id: r.try_get("", "id")?,
                name: r.try_get("", "name")?,
                created_at: r.try_get("", "created_at")?,
                repo_count: r.try_get("", "repo_count")?,
                tag_count: r.try_get("", "tag_count")?,
                last_push: r.try_get("", "last_push")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok((count as u64, list))
}
