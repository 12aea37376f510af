//! `/pulp/api/v3/distributions/container/container/`: list, create (202), read, update and
//! partial update (200 when nothing changes, else 202), delete (202; also its push repository).
use super::common::{self, object, paginated, task_accepted, Params};
use super::errors::PulpResult;
use super::filters;
use crate::domain::hrefs;
use crate::domain::permissions as perm;
use crate::domain::query::{DistributionFilter as F, DistributionOrder as O, ListQuery};
use crate::service::lists::{self, DistributionRow};
use crate::service::{access, distributions as svc, tasks};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use uuid::Uuid;

const PREFIX: &str = "/pulp/api/v3/distributions/container/container/";
pub const PRN: &str = "container.containerdistribution";

pub fn render(req: &HttpRequest, d: &DistributionRow) -> Value {
    let host = req.connection_info().host().to_string();
    json!({
        "pulp_href": hrefs::distribution(d.id),
        "prn": hrefs::prn(PRN, d.id),
        "pulp_created": hrefs::timestamp(d.created_at),
        "pulp_last_updated": hrefs::timestamp(d.updated_at),
        "base_path": d.base_path,
        "content_guard": Value::Null,
        "content_guard_prn": Value::Null,
        "no_content_change_since": d.repository_version.map(|_| hrefs::timestamp(d.updated_at)),
        "hidden": d.hidden,
        "pulp_labels": serde_json::from_str::<Value>(&d.pulp_labels).unwrap_or_else(|_| json!({})),
        "name": d.name,
        "repository": d.repository_id.map(hrefs::push_repository),
        "repository_version": d.repository_version.map(|(r, n)| hrefs::version(r, n)),
        "registry_path": format!("{host}/{}", d.base_path),
        "remote": Value::Null,
        "namespace": hrefs::namespace(d.namespace_id),
        "private": d.private,
        "description": d.description,
    })
}

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
        .extend(filters::text(&p, "base_path").into_iter().map(F::BasePath));
    q.filters
        .extend(filters::ids(&p, PREFIX, PRN)?.into_iter().map(F::IdIn));
    q.filters
        .extend(filters::labels(&p).into_iter().map(F::Label));
    let repo_prefix = "/pulp/api/v3/repositories/container/container-push/";
    let repo_prn = "container.containerpushrepository";
    if let Some(r) = p.get("repository") {
        let id = hrefs::parse_id(r, repo_prefix, repo_prn);
        q.push(F::RepositoryIn(id.into_iter().collect()));
    }
    if let Some(list) = p.list("repository__in") {
        let ids = list
            .iter()
            .filter_map(|h| hrefs::parse_id(h, repo_prefix, repo_prn))
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
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let d = access::distribution(&st.db, &c, *id, None).await?;
    Ok(object(&Params::from(&req), render(&req, &d)))
}

pub async fn create(
    req: HttpRequest,
    st: web::Data<AppState>,
    body: web::Bytes,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let b = common::body(&body, svc::FIELDS)?;
    let d = svc::prepare(&st.db, &c, None, &b, false).await?;
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
    st: web::Data<AppState>,
    id: Uuid,
    body: web::Bytes,
    partial: bool,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let change = (perm::CHANGE_DIST, perm::NS_CHANGE_DIST);
    let old = access::distribution(&st.db, &c, id, Some(change)).await?;
    let b = common::body(&body, svc::FIELDS)?;
    let new = svc::prepare(&st.db, &c, Some(&old), &b, partial).await?;
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

pub async fn delete(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let delete = (perm::DELETE_DIST, perm::NS_DELETE_DIST);
    let d = access::distribution(&st.db, &c, *id, Some(delete)).await?;
    let mut exclusive = vec![hrefs::prn(PRN, d.id)];
    if let Some(r) = d.repository_id {
        exclusive.push(hrefs::prn("container.containerpushrepository", r));
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
