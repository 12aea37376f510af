//! `/pulp/api/v3/repositories/container/container-push/`: list, read, update (200 / 202),
//! and the `tag/`, `untag/`, `remove_image/` actions (202 tasks). Create and delete answer 405.
use super::common::{self, object, paginated, task_accepted, Params};
use super::errors::{PulpError, PulpResult};
use super::filters;
use crate::domain::hrefs;
use crate::domain::query::{ListQuery, RepositoryFilter as F, RepositoryOrder as O};
use crate::error::Error;
use crate::service::access::{self, RepoAction};
use crate::service::lists::{self, PushRepoRow};
use crate::service::{push_repos as svc, tasks};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use uuid::Uuid;

pub const PREFIX: &str = "/pulp/api/v3/repositories/container/container-push/";
pub const PRN: &str = "container.containerpushrepository";

pub fn render(r: &PushRepoRow) -> Value {
    let href = hrefs::push_repository(r.id);
    json!({
        "pulp_href": href,
        "prn": hrefs::prn(PRN, r.id),
        "pulp_created": hrefs::timestamp(r.created_at),
        "pulp_last_updated": hrefs::timestamp(r.updated_at),
        "versions_href": format!("{href}versions/"),
        "pulp_labels": serde_json::from_str::<Value>(&r.pulp_labels).unwrap_or_else(|_| json!({})),
        "latest_version_href": hrefs::version(r.id, r.latest_version),
        "name": r.name,
        "description": r.description,
        "retain_repo_versions": r.retain_repo_versions,
        "retain_checkpoints": Value::Null,
        "manifest_signing_service": Value::Null,
    })
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

pub async fn list(req: HttpRequest, st: web::Data<AppState>) -> PulpResult<HttpResponse> {
    let (p, c) = common::list_params(
        &req,
        &st,
        &[filters::NAME_LOOKUPS, filters::COMMON, FILTERS],
    )
    .await?;
    let mut q = ListQuery::default();
    q.filters
        .extend(filters::text(&p, "name").into_iter().map(F::Name));
    q.filters
        .extend(filters::ids(&p, PREFIX, PRN)?.into_iter().map(F::IdIn));
    q.filters
        .extend(filters::labels(&p).into_iter().map(F::Label));
    let retain = filters::numeric(&p, "retain_repo_versions")?;
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
        &p,
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
    q.page = filters::page(&p);
    let (count, rows) = lists::repositories(&st.db, &c, q).await?;
    Ok(paginated(
        &req,
        &p,
        count,
        rows.iter().map(render).collect(),
    ))
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let r = access::push_repo(&st.db, &c, *id, RepoAction::View).await?;
    Ok(object(&Params::from(&req), render(&r)))
}

async fn update_inner(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: Uuid,
    body: web::Bytes,
    partial: bool,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let old = access::push_repo(&st.db, &c, id, RepoAction::Change).await?;
    let b = common::body(&body, svc::FIELDS)?;
    let new = svc::prepare(&old, &b, partial)?;
    if new == old {
        return Ok(HttpResponse::Ok().json(render(&old)));
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
    body: web::Bytes,
) -> PulpResult<HttpResponse> {
    update_inner(req, st, *id, body, true).await
}

pub async fn update(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> PulpResult<HttpResponse> {
    update_inner(req, st, *id, body, false).await
}

async fn dispatch(
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
    body: web::Bytes,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let r = access::push_repo(&st.db, &c, *id, RepoAction::ModifyContent).await?;
    let b = common::body(&body, &["digest"])?;
    let digest = svc::manifest_in_latest(&st.db, &r, &b).await?;
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
    body: web::Bytes,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let r = access::push_repo(&st.db, &c, *id, RepoAction::ModifyContent).await?;
    let b = common::body(&body, &["tag", "digest"])?;
    let tag = svc::tag_name(&b)?;
    let digest = svc::manifest_in_latest(&st.db, &r, &b).await?;
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
    body: web::Bytes,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let r = access::push_repo(&st.db, &c, *id, RepoAction::ModifyContent).await?;
    let b = common::body(&body, &["tag"])?;
    let tag = svc::existing_tag(&st.db, &r, &b).await?;
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
