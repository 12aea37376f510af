//! `POST /pulp/api/v3/retention_policies/{id}/preview/` (200: what the policy keeps and removes
//! per repository, and the totals) and `…/run/` (202: a run task, `{"dry_run": true}` changing
//! nothing). Only who manages the policy may preview or run it; others get a 404.
use super::body::Body;
use super::caller::{Authenticated, WithBody};
use super::common::{self, task_accepted, Params};
use super::errors::PulpResult;
use crate::domain::hrefs;
use crate::error::field_errors as fe;
use crate::service::retention::{self as svc, KeptItem, Preview, RemovedItem, RepoReport, Totals};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Most repositories a preview lists.
const MAX_LIMIT: i64 = 10_000;

/// Run a retention policy now.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRun {
    /// Compute and record what the run would do, changing nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A manifest the policy keeps.
#[derive(ToSchema, Serialize)]
pub struct RetentionKept {
    digest: String,
    /// Its tags that stay.
    tags: Vec<String>,
    /// What keeps it: `rule <index>`, `delay`, `child of <digest>`, `referrer of <digest>`.
    kept_by: Vec<String>,
}

/// A manifest the policy removes, with its tags.
#[derive(ToSchema, Serialize)]
pub struct RetentionRemoved {
    digest: String,
    tags: Vec<String>,
    #[schema(format = DateTime)]
    pushed: String,
    #[schema(format = DateTime)]
    last_pulled: Option<String>,
    /// Bytes of its config and layers.
    size: i64,
}

/// What the policy does to one repository (push, or plain container: see `pulp_href`).
#[derive(ToSchema, Serialize)]
pub struct RetentionRepositoryPreview {
    name: String,
    pulp_href: String,
    /// Why nothing changes here (e.g. "would leave no tags"), or null.
    skipped: Option<String>,
    kept: Vec<RetentionKept>,
    removed: Vec<RetentionRemoved>,
    /// Tags removed while their manifest stays.
    untagged: Vec<String>,
}

/// Totals over every repository the policy covers.
#[derive(ToSchema, Serialize)]
pub struct RetentionTotals {
    repositories: u64,
    tags_removed: u64,
    manifests_removed: u64,
    /// Bytes that come back once the undo window passed and orphan cleanup ran.
    bytes_freed: i64,
}

/// What a run of the policy would do now.
#[derive(ToSchema, Serialize)]
pub struct RetentionPreview {
    /// The first `limit` covered repositories, by name.
    repositories: Vec<RetentionRepositoryPreview>,
    totals: RetentionTotals,
}

impl From<&KeptItem> for RetentionKept {
    fn from(k: &KeptItem) -> Self {
        RetentionKept {
            digest: k.digest.clone(),
            tags: k.tags.clone(),
            kept_by: k.kept_by.clone(),
        }
    }
}

impl From<&RemovedItem> for RetentionRemoved {
    fn from(r: &RemovedItem) -> Self {
        RetentionRemoved {
            digest: r.digest.clone(),
            tags: r.tags.clone(),
            pushed: hrefs::timestamp(r.pushed),
            last_pulled: r.last_pulled.map(hrefs::timestamp),
            size: r.size,
        }
    }
}

impl From<&RepoReport> for RetentionRepositoryPreview {
    fn from(r: &RepoReport) -> Self {
        RetentionRepositoryPreview {
            name: r.repo.name.clone(),
            pulp_href: match r.repo.is_container() {
                true => hrefs::container_repository(r.repo.id),
                false => hrefs::push_repository(r.repo.id),
            },
            skipped: r.skipped.map(str::to_string),
            kept: r.kept.iter().map(Into::into).collect(),
            removed: r.removed.iter().map(Into::into).collect(),
            untagged: r.untagged.clone(),
        }
    }
}

impl From<&Totals> for RetentionTotals {
    fn from(t: &Totals) -> Self {
        RetentionTotals {
            repositories: t.repositories,
            tags_removed: t.tags_removed,
            manifests_removed: t.manifests_removed,
            bytes_freed: t.bytes_freed,
        }
    }
}

impl From<&Preview> for RetentionPreview {
    fn from(p: &Preview) -> Self {
        RetentionPreview {
            repositories: p.repositories.iter().map(Into::into).collect(),
            totals: (&p.totals).into(),
        }
    }
}

/// `?limit=`: repositories listed (default 100, at most 10,000).
fn limit(p: &Params) -> PulpResult<usize> {
    p.check(&["limit"])?;
    match p.int("limit")? {
        None => Ok(svc::DEFAULT_LIMIT),
        Some(n) if (0..=MAX_LIMIT).contains(&n) => Ok(n as usize),
        Some(_) => Err(fe::field("limit", "Ensure this value is between 0 and 10000.").into()),
    }
}

pub async fn preview(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let row = svc::managed_policy(&st.db, &c, *id).await?;
    let limit = limit(&Params::from(&req))?;
    Body::parse_known(&body, &[])?;
    let p = svc::preview(&st.db.conn, &row, limit, chrono::Utc::now()).await?;
    Ok(HttpResponse::Ok().json(RetentionPreview::from(&p)))
}

pub async fn run(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let row = svc::managed_policy(&st.db, &c, *id).await?;
    let b = Body::parse::<RetentionRun>(&body)?;
    let dry_run = b.boolean("dry_run")?.unwrap_or(false);
    let task =
        svc::run::dispatch_with_cid(&st.tasks, row.id, dry_run, c.user_id(), common::cid(&req))
            .await?;
    Ok(task_accepted(hrefs::task(task)))
}
