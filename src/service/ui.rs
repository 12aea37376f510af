//! The web UI's use cases: sessions (create on sign-in, resolve with idle and absolute
//! expiry, end on sign-out) and the reads its pages need beyond the management API's lists,
//! restricted to what the caller may see by the same scopes (`service::access`).
use crate::error::{Error, Result};
use crate::repo::content::Snapshot;
use crate::repo::ui_reads::{self as reads, RepoSort, RepoSummary, TagRow};
use crate::repo::{ui_sessions as q, Db};
use crate::service::access::{self, RepoAction};
use crate::service::auth::Principal;
use crate::service::policy::Caller;
use chrono::{Duration, Utc};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

/// A session is dropped after this long without a request.
pub const IDLE: Duration = Duration::hours(8);
/// A session is dropped this long after sign-in, however busy.
pub const ABSOLUTE: Duration = Duration::days(7);
/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A signed-in session: who, and the token its forms must send back.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub principal: Principal,
    pub csrf_token: String,
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

fn session_id(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session for `p`; returns the cookie's token (only its hash is stored).
pub async fn start(db: &Db, p: &Principal) -> Result<String> {
    let now = Utc::now();
    q::delete_expired(&db.conn, now - IDLE, now - ABSOLUTE).await?;
    let token = random_token();
    q::insert(&db.conn, &session_id(&token), p.id, &random_token(), now).await?;
    Ok(token)
}

/// The live session of cookie token `token`, if any (expired ones are deleted).
pub async fn resolve(db: &Db, token: &str) -> Result<Option<Session>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let id = session_id(token);
    let Some(s) = q::get(&db.conn, &id).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    if !s.is_active || now - s.last_seen_at > IDLE || now - s.created_at > ABSOLUTE {
        q::delete(&db.conn, &id).await?;
        return Ok(None);
    }
    if now - s.last_seen_at > TOUCH_EVERY {
        q::touch(&db.conn, &id, now).await?;
    }
    Ok(Some(Session {
        id: s.id,
        principal: Principal {
            id: s.user_id,
            username: s.username,
            is_superuser: s.is_superuser,
        },
        csrf_token: s.csrf_token,
    }))
}

/// Ends a session.
pub async fn end(db: &Db, s: &Session) -> Result<()> {
    Ok(q::delete(&db.conn, &s.id).await?)
}

/// A page of the repositories the caller sees.
pub async fn repositories(
    db: &Db,
    c: &Caller,
    filter: &str,
    sort: RepoSort,
    desc: bool,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<RepoSummary>)> {
    let scope = access::repository_scope(c);
    Ok(reads::repositories(&db.conn, scope.as_ref(), filter, sort, desc, limit, offset).await?)
}

/// A page of the namespaces the caller sees, with their counts and last push.
pub async fn namespaces(
    db: &Db,
    c: &Caller,
    filter: &str,
    sort: RepoSort,
    desc: bool,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<crate::repo::ui_namespaces::NamespaceSummary>)> {
    let scope = access::namespace_scope(c);
    Ok(crate::repo::ui_namespaces::namespaces(
        &db.conn,
        scope.as_deref(),
        filter,
        sort,
        desc,
        limit,
        offset,
    )
    .await?)
}

/// How many tags the repositories the caller sees hold.
pub async fn tag_total(db: &Db, c: &Caller) -> Result<i64> {
    let scope = access::repository_scope(c);
    Ok(reads::tag_total(&db.conn, scope.as_ref()).await?)
}

/// Repository counts of namespaces (the caller sees the namespaces already).
pub async fn repository_counts(db: &Db, ids: &[Uuid]) -> Result<HashMap<Uuid, i64>> {
    Ok(reads::repository_counts(&db.conn, ids).await?)
}

/// One image (manifest) of a repository and the tags pointing at it.
#[derive(Debug, Clone)]
pub struct ImageGroup {
    pub digest: String,
    pub kind: String,
    pub size: i64,
    pub platforms: Vec<String>,
    pub tags: Vec<TagRow>,
}

/// Tags per page of a repository's page.
pub const TAG_PAGE: u64 = 200;

/// The tags of a repository the caller sees: a page of those whose name contains `filter`,
/// grouped by image, newest push first; and how many match.
pub async fn images(
    db: &Db,
    c: &Caller,
    repo: Uuid,
    filter: &str,
    page: u64,
) -> Result<(u64, Vec<ImageGroup>)> {
    viewable(db, c, repo).await?;
    let offset = page.saturating_mul(TAG_PAGE);
    let (count, tags) = reads::tags(&db.conn, repo, filter, TAG_PAGE, offset).await?;
    let mut order: Vec<Uuid> = vec![];
    let mut groups: HashMap<Uuid, ImageGroup> = HashMap::new();
    for t in tags {
        let g = groups.entry(t.manifest_id).or_insert_with(|| {
            order.push(t.manifest_id);
            let platforms = match (&t.os, &t.architecture) {
                (Some(os), Some(a)) => vec![format!("{os}/{a}")],
                _ => vec![],
            };
            ImageGroup {
                digest: t.digest.clone(),
                kind: t.kind.clone(),
                size: t.compressed_size,
                platforms,
                tags: vec![],
            }
        });
        g.tags.push(t);
    }
    let lists: Vec<Uuid> = order
        .iter()
        .filter(|id| groups.get(id).is_some_and(|g| g.platforms.is_empty()))
        .copied()
        .collect();
    let mut platforms = reads::platforms(&db.conn, &lists).await?;
    let groups = order
        .into_iter()
        .filter_map(|id| {
            let mut g = groups.remove(&id)?;
            if let Some(p) = platforms.remove(&id) {
                g.platforms = p;
            }
            Some(g)
        })
        .collect();
    Ok((count, groups))
}

/// The tags of `repo` (which the caller may modify) that point at image `digest`.
pub async fn tags_of(db: &Db, repo: Uuid, digest: &str) -> Result<Vec<String>> {
    Ok(reads::tags_of(&db.conn, repo, digest).await?)
}

/// The manifest lists of `repo`'s latest version that name image `digest`, with their tags.
pub async fn lists_holding(
    db: &Db,
    repo: Uuid,
    digest: &str,
) -> Result<Vec<(String, Vec<String>)>> {
    Ok(reads::lists_holding(&db.conn, repo, digest).await?)
}

/// Refuses `Err(Forbidden)` unless `ok`.
pub fn require(ok: bool, why: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::Forbidden(why.into()))
    }
}

/// A repository the caller sees, of either kind.
pub async fn viewable(
    db: &Db,
    c: &Caller,
    repo: Uuid,
) -> Result<crate::repo::push_repos::PushRepoRow> {
    if crate::repo::container_repos::exists(&db.conn, repo).await? {
        let view = access::ContainerRepoAction::View;
        return access::container_repo(db, c, repo, view).await;
    }
    access::push_repo(db, c, repo, RepoAction::View).await
}

/// A repository of either kind whose content the caller may change (untag, remove images,
/// restore versions): the API's rule for its kind (`remove_image` of a push repository,
/// `remove` of a plain one).
pub async fn modifiable(
    db: &Db,
    c: &Caller,
    repo: Uuid,
) -> Result<crate::repo::push_repos::PushRepoRow> {
    if crate::repo::container_repos::exists(&db.conn, repo).await? {
        let modify = access::ContainerRepoAction::ModifyContent;
        return access::container_repo(db, c, repo, modify).await;
    }
    access::push_repo(db, c, repo, RepoAction::ModifyContent).await
}

/// Whether the caller may change the content of `repo` (which they see), as [`modifiable`].
pub async fn may_modify(db: &Db, c: &Caller, repo: Uuid) -> Result<bool> {
    match modifiable(db, c, repo).await {
        Ok(_) => Ok(true),
        Err(Error::Denied | Error::Forbidden(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The base paths of the distributions serving `repo` that the caller sees.
pub async fn base_paths(db: &Db, c: &Caller, repo: Uuid) -> Result<Vec<String>> {
    Ok(crate::repo::distributions::of_repository(&db.conn, repo)
        .await?
        .into_iter()
        .filter(|d| crate::service::policy::sees_distribution(c, d))
        .map(|d| d.base_path)
        .collect())
}

/// The names of every tag of `repo` whose name contains `filter` ("select all matching").
pub async fn tag_names(db: &Db, repo: Uuid, filter: &str) -> Result<Vec<String>> {
    let (_, rows) = reads::tags(&db.conn, repo, filter, u32::MAX as u64, 0).await?;
    Ok(rows.into_iter().map(|t| t.name).collect())
}

/// One image of a repository's latest version, as the Image page shows it.
pub struct ImageView {
    pub row: crate::repo::manifests::ManifestRow,
    pub parsed: crate::domain::manifest::ParsedManifest,
    /// The config's labels (JSON object text).
    pub labels: String,
    pub referrers: Vec<crate::repo::manifests::Referrer>,
    pub tags: Vec<String>,
    /// The image config (`None`: an index, an artifact, a config too large or unreadable).
    pub config: Option<serde_json::Value>,
}

/// Largest image config read for the Image page (as at push time).
const MAX_CONFIG_READ: u64 = 1024 * 1024;

/// The image config of `parsed`, when it is a Docker or OCI image config we can read.
async fn image_config(
    store: &crate::storage::BlobStore,
    parsed: &crate::domain::manifest::ParsedManifest,
) -> Option<serde_json::Value> {
    use crate::domain::media_types as mt;
    let cfg = parsed.config.as_ref()?;
    if !matches!(cfg.media_type.as_str(), mt::DOCKER_CONFIG | mt::OCI_CONFIG)
        || cfg.size > MAX_CONFIG_READ
    {
        return None;
    }
    let key = crate::storage::keys::blob(&cfg.digest);
    match store.read_small(&key, MAX_CONFIG_READ).await {
        Ok(Some(b)) => serde_json::from_slice(&b).ok(),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, digest = %cfg.digest, "reading an image config failed");
            None
        }
    }
}

/// Image `digest` of repository `repo` (which the caller sees; 404 unless its latest version
/// holds the image).
pub async fn image(
    db: &Db,
    store: &crate::storage::BlobStore,
    c: &Caller,
    repo: Uuid,
    digest: &str,
) -> Result<ImageView> {
    viewable(db, c, repo).await?;
    let missing = || Error::NotFound("image".into());
    let id = crate::repo::manifests::in_latest(&db.conn, repo, digest)
        .await?
        .ok_or_else(missing)?;
    let row = crate::repo::manifests::by_digest(&db.conn, repo, digest)
        .await?
        .filter(|m| m.id == id)
        .ok_or_else(missing)?;
    let parsed = crate::domain::manifest::parse(&row.data, Some(&row.media_type))
        .map_err(|e| Error::Internal(format!("stored manifest {digest}: {e}")))?;
    Ok(ImageView {
        config: image_config(store, &parsed).await,
        labels: reads::labels(&db.conn, id).await?,
        referrers: crate::repo::manifests::referrers(&db.conn, repo, Snapshot::Latest, digest)
            .await?,
        tags: reads::tags_of(&db.conn, repo, digest).await?,
        row,
        parsed,
    })
}
