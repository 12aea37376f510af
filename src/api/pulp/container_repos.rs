//! `/pulp/api/v3/repositories/container/container/`: plain container repositories as Pulp
//! 2.28 has them, without sync (no remotes: `remote` is always `null`). Create answers 201;
//! update, partial update and delete are tasks (202), as Pulp makes them for repositories.
//! Their versions are read here too; the content actions are in `container_repo_actions`.
use super::body::Body;
use super::caller::{Authenticated, WithBody};
use super::common::{self, object, paginated, task_accepted, Params};
use super::errors::{PulpError, PulpResult};
use super::filters;
use crate::domain::hrefs;
use crate::domain::permissions as perm;
use crate::error::field_errors as fe;
use crate::error::Error;
use crate::service::access::{self, ContainerRepoAction as A};
use crate::service::container_repos::{self as svc, ContainerRepoInput};
use crate::service::lists::{self, PushRepoRow};
use crate::service::tasks::{self, ContainerTask, TaskKind};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

pub const PREFIX: &str = hrefs::CONTAINER_REPOSITORIES;
pub const PRN: &str = hrefs::CONTAINER_REPOSITORY_MODEL;

/// A plain container repository to create or replace.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = container::ContainerRepository)]
pub struct ContainerRepository {
    #[schema(min_length = 1)]
    pub name: String,
    pub description: Option<String>,
    pub pulp_labels: Option<BTreeMap<String, String>>,
    #[schema(minimum = 1)]
    pub retain_repo_versions: Option<i64>,
    pub retain_checkpoints: Option<i64>,
    /// berth has no remotes: only `null` is accepted.
    pub remote: Option<String>,
    pub manifest_signing_service: Option<String>,
}

/// Fields of a plain container repository to change.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = Patchedcontainer::ContainerRepository)]
pub struct PatchedContainerRepository {
    #[schema(min_length = 1)]
    pub name: Option<String>,
    pub description: Option<String>,
    pub pulp_labels: Option<BTreeMap<String, String>>,
    #[schema(minimum = 1)]
    pub retain_repo_versions: Option<i64>,
    pub retain_checkpoints: Option<i64>,
    pub remote: Option<String>,
    pub manifest_signing_service: Option<String>,
}

/// Reads a create or update body, in the order Pulp reports its fields.
fn parse(bytes: &[u8], partial: bool) -> PulpResult<ContainerRepoInput> {
    let b = match partial {
        true => Body::parse::<PatchedContainerRepository>(bytes)?,
        false => Body::parse::<ContainerRepository>(bytes)?,
    };
    let name = match partial {
        true => b.string("name")?,
        false => Some(b.required_string("name")?),
    };
    if name.as_deref() == Some("") {
        return Err(fe::field("name", fe::BLANK).into());
    }
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
    if b.set("remote") {
        return Err(fe::field("remote", "berth has no remotes: only null is accepted.").into());
    }
    for key in ["retain_checkpoints", "manifest_signing_service"] {
        if b.set(key) {
            return Err(fe::field(key, "Not supported by berth.").into());
        }
    }
    let pulp_labels = match b.given("pulp_labels") {
        true => Some(b.labels("pulp_labels")?.unwrap_or_default()),
        false => None,
    };
    Ok(ContainerRepoInput {
        name,
        description,
        retain_repo_versions,
        pulp_labels,
    })
}

/// A plain container repository: content is added and removed through its actions, each
/// change making a new immutable numbered version.
#[derive(ToSchema, serde::Serialize)]
#[schema(as = container::ContainerRepositoryResponse)]
pub struct ContainerRepositoryResponse {
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
    remote: Option<String>,
    #[schema(required = true)]
    manifest_signing_service: Option<String>,
}

pub fn render(r: &PushRepoRow) -> Value {
    let href = hrefs::container_repository(r.id);
    common::view(&ContainerRepositoryResponse {
        prn: hrefs::prn(PRN, r.id),
        pulp_created: hrefs::timestamp(r.created_at),
        pulp_last_updated: hrefs::timestamp(r.updated_at),
        versions_href: format!("{href}versions/"),
        pulp_labels: serde_json::from_str(&r.pulp_labels).unwrap_or_default(),
        latest_version_href: hrefs::container_version(r.id, r.latest_version),
        name: r.name.clone(),
        description: r.description.clone(),
        retain_repo_versions: r.retain_repo_versions,
        retain_checkpoints: None,
        remote: None,
        manifest_signing_service: None,
        pulp_href: href,
    })
}

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let groups = [
        filters::NAME_LOOKUPS,
        filters::COMMON,
        super::repositories::FILTERS,
    ];
    let p = common::list_params(&req, &groups)?;
    let q = super::repositories::list_query(&p, PREFIX, PRN)?;
    let (count, rows) = lists::container_repositories(&st.db, &c, q).await?;
    Ok(paginated(
        &req,
        &p,
        count,
        rows.iter().map(render).collect(),
    ))
}

pub async fn create(
    st: web::Data<AppState>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    if !c.global(perm::ADD_REPO) {
        return Err(Error::Denied.into());
    }
    let r = svc::create(&st.db, parse(&body, false)?, c.user_id()).await?;
    Ok(HttpResponse::Created().json(render(&r)))
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let r = access::container_repo(&st.db, &c, *id, A::View).await?;
    Ok(object(&Params::from(&req), render(&r)))
}

async fn update_inner(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: Uuid,
    c: crate::service::policy::Caller,
    body: web::Bytes,
    partial: bool,
) -> PulpResult<HttpResponse> {
    let old = access::container_repo(&st.db, &c, id, A::Change).await?;
    let row = svc::prepare(&st.db, &old, parse(&body, partial)?, partial).await?;
    let kind = TaskKind::Container(ContainerTask::Update { row });
    Ok(task_accepted(
        dispatch(&req, &st, id, kind, c.user_id()).await?,
    ))
}

pub async fn update(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    update_inner(req, st, *id, c, body, false).await
}

pub async fn partial_update(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    update_inner(req, st, *id, c, body, true).await
}

pub async fn delete(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let r = access::container_repo(&st.db, &c, *id, A::Delete).await?;
    let kind = TaskKind::Container(ContainerTask::Delete { repository: r.id });
    Ok(task_accepted(
        dispatch(&req, &st, r.id, kind, c.user_id()).await?,
    ))
}

/// Dispatches a task exclusive on repository `repo` and on `shared` (a copy's source, which
/// Pulp only shares: berth's task locks are all exclusive); returns the task's href.
pub(super) async fn dispatch_with(
    req: &HttpRequest,
    st: &AppState,
    repo: Uuid,
    shared: Option<String>,
    kind: TaskKind,
    user: Option<Uuid>,
) -> Result<String, PulpError> {
    let mut exclusive = vec![hrefs::prn(PRN, repo)];
    exclusive.extend(shared);
    let task = tasks::dispatch(
        &st.tasks,
        tasks::NewTask {
            kind,
            exclusive,
            created_by: user,
            logging_cid: common::cid(req),
        },
    )
    .await?;
    Ok(hrefs::task(task))
}

pub(super) async fn dispatch(
    req: &HttpRequest,
    st: &AppState,
    repo: Uuid,
    kind: TaskKind,
    user: Option<Uuid>,
) -> Result<String, PulpError> {
    dispatch_with(req, st, repo, None, kind, user).await
}
