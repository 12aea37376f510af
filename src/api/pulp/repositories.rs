//! `/pulp/api/v3/repositories/container/container-push/`: list, read, update (200 / 202),
//! and the `tag/`, `untag/`, `remove_image/` actions (202 tasks). Create and delete answer 405.
use super::body::Body;
use super::caller::{Authenticated, WithBody};
use super::common::{self, object, paginated, task_accepted, Params};
use super::errors::{PulpError, PulpResult};
use super::filters;
use super::repository_actions::{RemoveImage, TagImage, UnTagImage};
use crate::domain::hrefs;
use crate::domain::query::{ListQuery, RepositoryFilter as F, RepositoryOrder as O};
use crate::error::field_errors as fe;
use crate::error::Error;
use crate::service::access::{self, RepoAction};
use crate::service::lists::{self, PushRepoRow};
use crate::service::policy::Caller;
use crate::service::push_repos::PushRepoInput;
use crate::service::{push_repos as svc, tasks, usage};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

pub const PREFIX: &str = hrefs::PUSH_REPOSITORIES;
pub const PRN: &str = hrefs::PUSH_REPOSITORY_MODEL;

/// A push repository to replace.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = container::ContainerPushRepository)]
pub struct PushRepository {
    #[schema(min_length = 1)]
    pub name: String,
    pub description: Option<String>,
    pub pulp_labels: Option<BTreeMap<String, String>>,
    #[schema(minimum = 1)]
    pub retain_repo_versions: Option<i64>,
    pub retain_checkpoints: Option<i64>,
    pub manifest_signing_service: Option<String>,
}

/// Fields of a push repository to change.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = Patchedcontainer::ContainerPushRepository)]
pub struct PatchedPushRepository {
    #[schema(min_length = 1)]
    pub name: Option<String>,
    pub description: Option<String>,
    pub pulp_labels: Option<BTreeMap<String, String>>,
    #[schema(minimum = 1)]
    pub retain_repo_versions: Option<i64>,
    pub retain_checkpoints: Option<i64>,
    pub manifest_signing_service: Option<String>,
}

/// Reads an update body; the fields are checked in the order Pulp reports them.
fn parse(bytes: &[u8], old: &PushRepoRow, partial: bool) -> PulpResult<PushRepoInput> {
    let b = match partial {
        true => Body::parse::<PatchedPushRepository>(bytes)?,
        false => Body::parse::<PushRepository>(bytes)?,
    };
    let name = b.string("name")?;
    svc::check_name(old, name.as_deref(), partial)?;
    let description = b.nullable_string("description")?;
    let retain_repo_versions = match b.get("retain_repo_versions") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 => Some(Some(n)),
            _ => {
                return Err(fe::field(
                    "retain_repo_versions",
                    "Ensure this value is greater than or equal to 1.",
                )
                .into())
            }
        },
    };
    for key in ["retain_checkpoints", "manifest_signing_service"] {
        if b.set(key) {
            return Err(fe::field(key, "Not supported by berth.").into());
        }
    }
    let pulp_labels = match b.given("pulp_labels") {
        true => Some(b.labels("pulp_labels")?.unwrap_or_default()),
        false => None,
    };
    Ok(PushRepoInput {
        name,
        description,
        retain_repo_versions,
        pulp_labels,
    })
}

/// A push repository: created by the first push to its name, with immutable numbered versions.
#[derive(ToSchema, serde::Serialize)]
#[schema(as = container::ContainerPushRepositoryResponse)]
pub struct PushRepositoryResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    versions_href: String,
    pulp_labels: HashMap<String, String>,
    latest_version_href: String,
    name: String,
    #[schema(required = true)]
    description: Option<String>,
    #[schema(required = true)]
    retain_repo_versions: Option<i64>,
    #[schema(required = true)]
    retain_checkpoints: Option<i64>,
    #[schema(required = true)]
    manifest_signing_service: Option<String>,
    /// berth: bytes of the distinct blobs any kept version holds (each blob once).
    stored_bytes: i64,
}

impl PushRepositoryResponse {
    fn new(r: &PushRepoRow, stored_bytes: i64) -> Self {
        let href = hrefs::push_repository(r.id);
        PushRepositoryResponse {
            prn: hrefs::prn(PRN, r.id),
            pulp_created: hrefs::timestamp(r.created_at),
            pulp_last_updated: hrefs::timestamp(r.updated_at),
            versions_href: format!("{href}versions/"),
            pulp_labels: serde_json::from_str(&r.pulp_labels).unwrap_or_default(),
            latest_version_href: hrefs::version(r.id, r.latest_version),
            name: r.name.clone(),
            description: r.description.clone(),
            retain_repo_versions: r.retain_repo_versions,
            retain_checkpoints: None,
            manifest_signing_service: None,
            stored_bytes,
            pulp_href: href,
        }
    }
}

pub fn render(r: &PushRepoRow, stored_bytes: i64) -> Value {
    common::view(&PushRepositoryResponse::new(r, stored_bytes))
}

/// The filters this list accepts (also declared in the OpenAPI document).
pub const FILTERS: &[&str] = &[
    "retain_repo_versions",
    "retain_repo_versions__gt",
    "retain_repo_versions__gte",
    "retain_repo_versions__lt",
    "retain_repo_versions__lte",
    "retain_repo_versions__ne",
    "retain_repo_versions__isnull",
    "with_content",
    "latest_with_content",
    "remote",
];

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let p = common::list_params(&req, &[filters::NAME_LOOKUPS, filters::COMMON, FILTERS])?;
    let q = list_query(&p, PREFIX, PRN)?;
    let (count, rows) = lists::repositories(&st.db, &c, q).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let bytes = usage::repositories(&st.db, &ids).await?;
    let stored = |r: &PushRepoRow| bytes.get(&r.id).copied().unwrap_or(0);
    Ok(paginated(
        &req,
        &p,
        count,
        rows.iter().map(|r| render(r, stored(r))).collect(),
    ))
}

/// The query a repository list's parameters describe (push and plain repositories share
/// Pulp's filters and orderings; `prefix` and `prn` are the kind's href and PRN forms).
pub(super) fn list_query(
    p: &Params,
    prefix: &str,
    prn: &str,
) -> PulpResult<ListQuery<crate::domain::query::RepositoryFilter, O>> {
    let mut q = ListQuery::default();
    q.filters
        .extend(filters::text(p, "name").into_iter().map(F::Name));
    q.filters
        .extend(filters::ids(p, prefix, prn)?.into_iter().map(F::IdIn));
    q.filters
        .extend(filters::labels(p).into_iter().map(F::Label));
    let retain = filters::numeric(p, "retain_repo_versions")?;
    q.filters
        .extend(retain.into_iter().map(F::RetainRepoVersions));
    if let Some(remote) = p.get("remote") {
        if remote != "null" {
            q.push(F::Nothing);
        }
    }
    for (key, latest) in [("with_content", false), ("latest_with_content", true)] {
        if let Some(href) = p.get(key) {
            let content = super::content::content_id(href).unwrap_or_default();
            q.push(F::WithContent { content, latest });
        }
    }
    q.order = filters::ordering(
        p,
        &[
            ("name", O::Name),
            ("pulp_created", O::Created),
            ("pulp_last_updated", O::Updated),
            ("description", O::Description),
            ("retain_repo_versions", O::RetainRepoVersions),
            ("pk", O::Id),
            ("pulp_id", O::Id),
        ],
    )?;
    q.page = filters::page(p);
    Ok(q)
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let r = access::push_repo(&st.db, &c, *id, RepoAction::View).await?;
    let stored = usage::repository(&st.db, r.id).await?;
    Ok(object(&Params::from(&req), render(&r, stored)))
}

async fn update_inner(
    req: HttpRequest,
    c: Caller,
    st: web::Data<AppState>,
    id: Uuid,
    body: web::Bytes,
    partial: bool,
) -> PulpResult<HttpResponse> {
    let old = access::push_repo(&st.db, &c, id, RepoAction::Change).await?;
    let new = svc::prepare(&old, parse(&body, &old, partial)?, partial)?;
    if new == old {
        let stored = usage::repository(&st.db, old.id).await?;
        return Ok(HttpResponse::Ok().json(render(&old, stored)));
    }
    let task = dispatch(
        &req,
        &st,
        id,
        tasks::TaskKind::Update(tasks::Update::Repository { row: new }),
        c.user_id(),
    )
    .await?;
    Ok(task_accepted(task))
}

pub async fn partial_update(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    update_inner(req, c, st, *id, body, true).await
}

pub async fn update(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    update_inner(req, c, st, *id, body, false).await
}

/// Dispatches a task exclusive on repository `repo`; returns the task's href.
pub(super) async fn dispatch(
    req: &HttpRequest,
    st: &AppState,
    repo: Uuid,
    kind: tasks::TaskKind,
    user: Option<Uuid>,
) -> Result<String, PulpError> {
    let task = tasks::dispatch(
        &st.tasks,
        tasks::NewTask {
            kind,
            exclusive: vec![hrefs::prn(PRN, repo)],
            created_by: user,
            logging_cid: common::cid(req),
        },
    )
    .await?;
    Ok(hrefs::task(task))
}

pub async fn remove_image(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let r = access::push_repo(&st.db, &c, *id, RepoAction::ModifyContent).await?;
    let RemoveImage { digest } = RemoveImage::parse(&body)?;
    svc::manifest_in_latest(&st.db, &r, &digest).await?;
    let task = dispatch(
        &req,
        &st,
        r.id,
        tasks::TaskKind::RemoveImage {
            repository: r.id,
            digest,
        },
        c.user_id(),
    )
    .await?;
    Ok(task_accepted(task))
}

pub async fn tag(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let r = access::push_repo(&st.db, &c, *id, RepoAction::ModifyContent).await?;
    let TagImage { tag, digest } = TagImage::parse(&body)?;
    svc::manifest_in_latest(&st.db, &r, &digest).await?;
    let task = dispatch(
        &req,
        &st,
        r.id,
        tasks::TaskKind::Tag {
            repository: r.id,
            tag,
            digest,
        },
        c.user_id(),
    )
    .await?;
    Ok(task_accepted(task))
}

pub async fn untag(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let r = access::push_repo(&st.db, &c, *id, RepoAction::ModifyContent).await?;
    let UnTagImage { tag } = UnTagImage::parse(&body)?;
    svc::existing_tag(&st.db, &r, &tag).await?;
    let task = dispatch(
        &req,
        &st,
        r.id,
        tasks::TaskKind::Untag {
            repository: r.id,
            tag,
        },
        c.user_id(),
    )
    .await?;
    Ok(task_accepted(task))
}

/// Create and delete are not routes of a push repository.
pub async fn not_allowed(req: HttpRequest) -> PulpResult<HttpResponse> {
    Err(Error::MethodNotAllowed(req.method().to_string()).into())
}
