//! `/pulp/api/v3/distributions/container/container/`: list, create (202), read, update and
//! partial update (200 when nothing changes, else 202), delete (202; also its push repository).
//! The request and view types are in `distribution_models`.
use super::caller::{Authenticated, WithBody};
use super::common::{self, object, paginated, task_accepted, Params};
use super::distribution_models::parse;
pub use super::distribution_models::{
    render, Distribution, DistributionResponse, PatchedDistribution,
};
use super::errors::PulpResult;
use super::filters;
use crate::domain::hrefs;
use crate::domain::permissions as perm;
use crate::domain::query::{DistributionFilter as F, DistributionOrder as O, ListQuery};
use crate::service::lists;
use crate::service::policy::Caller;
use crate::service::{access, distributions as svc, tasks};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use uuid::Uuid;

pub const PREFIX: &str = "/pulp/api/v3/distributions/container/container/";
pub const PRN: &str = "container.containerdistribution";
const PUSH_PRN: &str = hrefs::PUSH_REPOSITORY_MODEL;

/// The filters this list accepts (also declared in the OpenAPI document).
pub const FILTERS: &[&str] = &[
    "base_path",
    "base_path__contains",
    "base_path__icontains",
    "base_path__in",
    "repository",
    "repository__in",
    "namespace__name",
    "with_content",
];

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let p = common::list_params(&req, &[filters::NAME_LOOKUPS, filters::COMMON, FILTERS])?;
    let mut q = ListQuery::default();
    q.filters
        .extend(filters::text(&p, "name").into_iter().map(F::Name));
    q.filters
        .extend(filters::text(&p, "base_path").into_iter().map(F::BasePath));
    q.filters
        .extend(filters::ids(&p, PREFIX, PRN)?.into_iter().map(F::IdIn));
    q.filters
        .extend(filters::labels(&p).into_iter().map(F::Label));
    if let Some(r) = p.get("repository") {
        let id = super::distribution_models::repository_id(r);
        q.push(F::RepositoryIn(id.into_iter().collect()));
    }
    if let Some(list) = p.list("repository__in") {
        let ids = list
            .iter()
            .filter_map(|h| super::distribution_models::repository_id(h))
            .collect();
        q.push(F::RepositoryIn(ids));
    }
    if let Some(ns) = p.get("namespace__name") {
        q.push(F::NamespaceName(ns.to_string()));
    }
    if let Some(href) = p.get("with_content") {
        let id = super::content::content_id(href);
        q.push(F::WithContent(id.unwrap_or_default()));
    }
    q.order = filters::ordering(
        &p,
        &[
            ("name", O::Name),
            ("base_path", O::BasePath),
            ("hidden", O::Hidden),
            ("private", O::Private),
            ("description", O::Description),
            ("pulp_created", O::Created),
            ("pulp_last_updated", O::Updated),
            ("pk", O::Id),
            ("pulp_id", O::Id),
        ],
    )?;
    q.page = filters::page(&p);
    let (count, rows) = lists::distributions(&st.db, &c, q).await?;
    Ok(paginated(
        &req,
        &p,
        count,
        rows.iter().map(|d| render(&req, d)).collect(),
    ))
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let d = access::distribution(&st.db, &c, *id, None).await?;
    Ok(object(&Params::from(&req), render(&req, &d)))
}

pub async fn create(
    req: HttpRequest,
    st: web::Data<AppState>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let input = parse(&body, false)?;
    let d = svc::prepare(&st.db, &c, None, input, false).await?;
    let task = tasks::dispatch(
        &st.tasks,
        tasks::NewTask {
            exclusive: vec![
                "pdrn:distributions".into(),
                format!("pdrn:distribution.base_path:{}", d.base_path),
            ],
            kind: tasks::TaskKind::Create(tasks::Create::Distribution {
                row: d,
                owner: c.user_id(),
            }),
            created_by: c.user_id(),
            logging_cid: common::cid(&req),
        },
    )
    .await?;
    Ok(task_accepted(hrefs::task(task)))
}

async fn update_inner(
    req: HttpRequest,
    c: Caller,
    st: web::Data<AppState>,
    id: Uuid,
    body: web::Bytes,
    partial: bool,
) -> PulpResult<HttpResponse> {
    let change = (perm::CHANGE_DIST, perm::NS_CHANGE_DIST);
    let old = access::distribution(&st.db, &c, id, Some(change)).await?;
    let input = parse(&body, partial)?;
    let new = svc::prepare(&st.db, &c, Some(&old), input, partial).await?;
    if svc::unchanged(&old, &new) {
        return Ok(HttpResponse::Ok().json(render(&req, &old)));
    }
    let task = tasks::dispatch(
        &st.tasks,
        tasks::NewTask {
            exclusive: vec![
                hrefs::prn(PRN, id),
                format!("pdrn:distribution.base_path:{}", new.base_path),
            ],
            kind: tasks::TaskKind::Update(tasks::Update::Distribution { row: new }),
            created_by: c.user_id(),
            logging_cid: common::cid(&req),
        },
    )
    .await?;
    Ok(task_accepted(hrefs::task(task)))
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

pub async fn delete(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let delete = (perm::DELETE_DIST, perm::NS_DELETE_DIST);
    let d = access::distribution(&st.db, &c, *id, Some(delete)).await?;
    let mut exclusive = vec![hrefs::prn(PRN, d.id)];
    if let Some(r) = d.repository_id {
        exclusive.push(hrefs::prn(PUSH_PRN, r));
    }
    let task = tasks::dispatch(
        &st.tasks,
        tasks::NewTask {
            kind: tasks::TaskKind::Delete(tasks::Delete::Distribution { id: d.id }),
            exclusive,
            created_by: c.user_id(),
            logging_cid: common::cid(&req),
        },
    )
    .await?;
    Ok(task_accepted(hrefs::task(task)))
}
