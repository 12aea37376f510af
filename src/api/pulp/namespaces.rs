//! `/pulp/api/v3/pulp_container/namespaces/`: list, create (201), read, delete (202 task).
use super::common::{self, object, paginated, task_accepted, Params};
use super::errors::PulpResult;
use super::filters;
use crate::domain::hrefs;
use crate::domain::permissions as perm;
use crate::domain::query::{ListQuery, NamespaceFilter as F, NamespaceOrder as O};
use crate::service::lists::{self, NamespaceRow};
use crate::service::{access, namespaces as svc, tasks};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use uuid::Uuid;

const PREFIX: &str = "/pulp/api/v3/pulp_container/namespaces/";
const PRN: &str = "container.containernamespace";

pub fn render(n: &NamespaceRow) -> Value {
    json!({
        "pulp_href": hrefs::namespace(n.id),
        "prn": hrefs::prn(PRN, n.id),
        "pulp_created": hrefs::timestamp(n.created_at),
        "pulp_last_updated": hrefs::timestamp(n.updated_at),
        "name": n.name,
        "pulp_labels": serde_json::from_str::<Value>(&n.pulp_labels).unwrap_or_else(|_| json!({})),
    })
}

pub async fn list(req: HttpRequest, st: web::Data<AppState>) -> PulpResult<HttpResponse> {
    let (p, c) = common::list_params(&req, &st, &[filters::NAME_LOOKUPS, filters::COMMON]).await?;
    let mut q = ListQuery::default();
    q.filters
        .extend(filters::text(&p, "name").into_iter().map(F::Name));
    q.filters
        .extend(filters::ids(&p, PREFIX, PRN)?.into_iter().map(F::IdIn));
    q.filters
        .extend(filters::labels(&p).into_iter().map(F::Label));
    q.order = filters::ordering(
        &p,
        &[
            ("name", O::Name),
            ("pulp_created", O::Created),
            ("pulp_last_updated", O::Updated),
            ("pulp_id", O::Id),
            ("pk", O::Id),
        ],
    )?;
    q.page = filters::page(&p);
    let (count, rows) = lists::namespaces(&st.db, &c, q).await?;
    Ok(paginated(
        &req,
        &p,
        count,
        rows.iter().map(render).collect(),
    ))
}

pub async fn create(
    req: HttpRequest,
    st: web::Data<AppState>,
    body: web::Bytes,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let b = common::body(&body, &["name", "pulp_labels"])?;
    let n = svc::create(&st.db, &c, &b).await?;
    Ok(HttpResponse::Created().json(render(&n)))
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let p = Params::from(&req);
    Ok(object(
        &p,
        render(&access::namespace(&st.db, &c, *id, None).await?),
    ))
}

pub async fn delete(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> PulpResult<HttpResponse> {
    let c = common::caller(&req, &st).await?;
    let n = access::namespace(&st.db, &c, *id, Some(perm::DELETE_NAMESPACE)).await?;
    let task = tasks::dispatch(
        &st.tasks,
        tasks::NewTask {
            kind: tasks::TaskKind::Delete(tasks::Delete::Namespace { id: n.id }),
            exclusive: vec![hrefs::prn(PRN, n.id)],
            created_by: c.user_id(),
            logging_cid: common::cid(&req),
        },
    )
    .await?;
    Ok(task_accepted(hrefs::task(task)))
}
