//! Namespaces, push repositories and their distributions as the registry sees them: lookup by
//! name, the first-push auto-creation, and the catalog.
use super::{all, exec, new_id, now, one};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct RepoRow {
    pub id: Uuid,
    pub name: String,
    /// The version a distribution pins (`repository_version`); `None`: the latest.
    pub version: Option<i64>,
}

impl RepoRow {
    /// What registry reads of this repository see.
    pub fn snapshot(&self) -> super::content::Snapshot {
        super::content::Snapshot::of(self.version)
    }
}

pub async fn find_by_name(c: &impl ConnectionTrait, name: &str) -> Result<Option<RepoRow>, DbErr> {
    let row = one(
        c,
        "SELECT id FROM repositories WHERE name = ? AND namespace_id IS NOT NULL",
        vec![name.into()],
    )
    .await?;
    row.map(|r| {
        Ok(RepoRow {
            id: r.try_get("", "id")?,
            name: name.to_string(),
            version: None,
        })
    })
    .transpose()
}

/// The plain container repository the distribution at `base_path` serves, if it serves one:
/// its latest version (`repository`) or the version it pins (`repository_version`).
pub async fn served_container(
    c: &impl ConnectionTrait,
    base_path: &str,
) -> Result<Option<RepoRow>, DbErr> {
    let row = one(
        c,
        "SELECT r.id, CASE WHEN d.repository_id IS NULL THEN v.number END AS pinned \
         FROM distributions d LEFT JOIN repository_versions v ON v.id = d.repository_version_id \
         JOIN repositories r ON r.id = COALESCE(d.repository_id, v.repository_id) \
         WHERE d.base_path = ? AND r.namespace_id IS NULL",
        vec![base_path.into()],
    )
    .await?;
    row.map(|r| {
        Ok(RepoRow {
            id: r.try_get("", "id")?,
            name: base_path.to_string(),
            version: r.try_get("", "pinned")?,
        })
    })
    .transpose()
}

/// Fetches or creates, in the caller's transaction, namespace `<ns>`, push repository `name`
/// (with its empty version 0) and the distribution serving it at `base_path = name`.
pub async fn get_or_create(
    c: &impl ConnectionTrait,
    namespace: &str,
    name: &str,
) -> Result<RepoRow, DbErr> {
    if let Some(repo) = find_by_name(c, name).await? {
        return Ok(repo);
    }
    let t = now();
    exec(
        c,
        "INSERT INTO namespaces (id, name, created_at, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (name) DO NOTHING",
        vec![new_id().into(), namespace.into(), t.into(), t.into()],
    )
    .await?;
    let ns = one(
        c,
        "SELECT id FROM namespaces WHERE name = ?",
        vec![namespace.into()],
    )
    .await?
    .ok_or_else(|| DbErr::RecordNotFound(format!("namespace {namespace}")))?;
    let ns_id: Uuid = ns.try_get("", "id")?;
    let repo_id = new_id();
    let inserted = exec(
        c,
        "INSERT INTO repositories (id, name, namespace_id, description, retain_repo_versions, \
         next_version, created_at, updated_at) VALUES (?, ?, ?, NULL, NULL, 1, ?, ?) \
         ON CONFLICT (name) DO NOTHING",
        vec![
            repo_id.into(),
            name.into(),
            ns_id.into(),
            t.into(),
            t.into(),
        ],
    )
    .await?;
    if inserted == 1 {
        exec(
            c,
            "INSERT INTO repository_versions (id, repository_id, number, content_summary, created_at) \
             VALUES (?, ?, 0, ?, ?)",
            vec![new_id().into(), repo_id.into(), "{}".into(), t.into()],
        )
        .await?;
        exec(
            c,
            "INSERT INTO distributions (id, name, base_path, namespace_id, repository_id, private, \
             description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?) \
             ON CONFLICT DO NOTHING",
            vec![
                new_id().into(),
                name.into(),
                name.into(),
                ns_id.into(),
                repo_id.into(),
                false.into(),
                t.into(),
                t.into(),
            ],
        )
        .await?;
    }
    find_by_name(c, name)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("repository {name}")))
}

/// The names the catalog lists: push repositories by name, plain container repositories by
/// the base paths of the distributions serving them (or one of their versions).
const CATALOG_NAMES: &str = "SELECT r.name AS name, r.id AS id FROM repositories r \
    WHERE r.namespace_id IS NOT NULL \
    UNION ALL SELECT d.base_path AS name, cr.id AS id FROM distributions d \
    LEFT JOIN repository_versions pv ON pv.id = d.repository_version_id \
    JOIN repositories cr ON cr.id = COALESCE(d.repository_id, pv.repository_id) \
    WHERE cr.namespace_id IS NULL";

/// Repository names in order, after `last`, at most `n`, restricted to repositories served by
/// a distribution in `visible` when given.
pub async fn catalog(
    c: &impl ConnectionTrait,
    last: Option<&str>,
    n: u64,
    visible: Option<&crate::domain::query::DistScope>,
) -> Result<Vec<String>, DbErr> {
    let mut values = vec![last.unwrap_or("").into()];
    let extra = match visible.map(super::lists::pullable) {
        Some((cond, v)) => {
            values.extend(v);
            format!(" AND {cond}")
        }
        None => String::new(),
    };
    values.push((n as i64).into());
    let rows = all(
        c,
        &format!(
            "SELECT r.name FROM ({CATALOG_NAMES}) r WHERE r.name{co} > ?{extra} ORDER BY r.name{co} LIMIT ?",
            co = super::collate(c)
        ),
        values,
    )
    .await?;
    rows.iter().map(|r| r.try_get("", "name")).collect()
}
