//! `/pulp/api/v3/pulp_container/namespaces/`: list, create (201), read, delete (202 task),
//! `set_quota/` (superusers); the request and view types, which are also the OpenAPI schemas.
use super::body::Body;
use super::caller::{Authenticated, WithBody};
use super::common::{self, object, paginated, task_accepted, Params};
use super::errors::PulpResult;
use super::filters;
use crate::domain::hrefs;
use crate::domain::permissions as perm;
use crate::domain::query::{ListQuery, NamespaceFilter as F, NamespaceOrder as O};
use crate::error::field_errors as fe;
use crate::service::lists::{self, NamespaceRow};
use crate::service::policy::Caller;
use crate::service::quotas::{self, Usage};
use crate::service::{access, namespaces as svc, tasks, usage};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

pub const PREFIX: &str = "/pulp/api/v3/pulp_container/namespaces/";
pub const PRN: &str = "container.containernamespace";

/// A namespace to create.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = container::ContainerNamespace)]
pub struct Namespace {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    pub pulp_labels: Option<BTreeMap<String, String>>,
}

impl Namespace {
    /// Reads a create body in Pulp's order: whether the caller may create the namespace it
    /// names comes before what is wrong with the body.
    fn parse(bytes: &[u8], c: &Caller) -> PulpResult<Namespace> {
        let b = Body::parse::<Namespace>(bytes)?;
        let wanted = b.get("name").and_then(Value::as_str).unwrap_or("");
        svc::authorize_create(c, wanted)?;
        let name = b.required_string("name")?;
        svc::check_name(&name)?;
        Ok(Namespace {
            name,
            pulp_labels: b.labels("pulp_labels")?,
        })
    }
}

/// A namespace: the first path segment that groups repositories and distributions.
#[derive(ToSchema, serde::Serialize)]
#[schema(as = container::ContainerNamespaceResponse)]
pub struct NamespaceResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    name: String,
    pulp_labels: HashMap<String, String>,
    /// berth: bytes of the distinct blobs any kept version of any of its repositories holds
    /// (each blob once).
    stored_bytes: i64,
    /// berth: the storage quota in bytes (`null`: none); set by superusers through
    /// `set_quota/`.
    #[schema(required = true)]
    quota_bytes: Option<i64>,
    /// berth: the bytes the quota is charged: `stored_bytes` plus blobs pushed but not yet in
    /// a version (each blob once).
    quota_used_bytes: i64,
}

impl NamespaceResponse {
    fn new(n: &NamespaceRow, stored_bytes: i64, quota: Usage) -> Self {
        NamespaceResponse {
            pulp_href: hrefs::namespace(n.id),
            prn: hrefs::prn(PRN, n.id),
            pulp_created: hrefs::timestamp(n.created_at),
            pulp_last_updated: hrefs::timestamp(n.updated_at),
            name: n.name.clone(),
            pulp_labels: serde_json::from_str(&n.pulp_labels).unwrap_or_default(),
            stored_bytes,
            quota_bytes: quota.quota_bytes,
            quota_used_bytes: quota.used_bytes,
        }
    }
}

pub fn render(n: &NamespaceRow, stored_bytes: i64, quota: Usage) -> Value {
    common::view(&NamespaceResponse::new(n, stored_bytes, quota))
}

/// `set_quota/`: the storage quota of a namespace, in bytes (`null` removes it).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetQuota {
    #[schema(minimum = 0, required = true)]
    pub quota_bytes: Option<i64>,
}

impl SetQuota {
    fn parse(bytes: &[u8]) -> PulpResult<SetQuota> {
        let b = Body::parse::<SetQuota>(bytes)?;
        if !b.given("quota_bytes") {
            return Err(fe::field("quota_bytes", fe::REQUIRED).into());
        }
        let quota_bytes = match b.get("quota_bytes") {
            Some(Value::Null) | None => None,
            Some(v) => Some(v.as_i64().filter(|n| *n >= 0).ok_or_else(|| {
                fe::field(
                    "quota_bytes",
                    "A whole number of bytes, 0 or more, is required (null removes the quota).",
                )
            })?),
        };
        Ok(SetQuota { quota_bytes })
    }
}

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let p = common::list_params(&req, &[filters::NAME_LOOKUPS, filters::COMMON])?;
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
    let ids: Vec<Uuid> = rows.iter().map(|n| n.id).collect();
    let bytes = usage::namespaces(&st.db, &ids).await?;
    let quota = quotas::usage(&st.db, &ids).await?;
    let stored = |n: &NamespaceRow| bytes.get(&n.id).copied().unwrap_or(0);
    let quota = |n: &NamespaceRow| quota.get(&n.id).copied().unwrap_or_default();
    Ok(paginated(
        &req,
        &p,
        count,
        rows.iter()
            .map(|n| render(n, stored(n), quota(n)))
            .collect(),
    ))
}

pub async fn create(
    st: web::Data<AppState>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let n = Namespace::parse(&body, &c)?;
    let n = svc::create(&st.db, &c, &n.name, n.pulp_labels.as_ref())
        .await?
        .ok_or_else(|| fe::field("name", fe::UNIQUE))?;
    Ok(HttpResponse::Created().json(render(&n, 0, Usage::default())))
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let p = Params::from(&req);
    let n = access::namespace(&st.db, &c, *id, None).await?;
    Ok(object(&p, view(&st, &n).await?))
}

async fn view(st: &AppState, n: &NamespaceRow) -> PulpResult<Value> {
    let stored = usage::namespace(&st.db, n.id).await?;
    let quota = quotas::usage(&st.db, &[n.id]).await?;
    let quota = quota.get(&n.id).copied().unwrap_or_default();
    Ok(render(n, stored, quota))
}

/// `POST {namespace_href}set_quota/` (superusers): sets or removes the storage quota; answers
/// the namespace.
pub async fn set_quota(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    if !c.is_admin() {
        return Err(crate::error::Error::Forbidden(
            "Only superusers may set storage quotas.".into(),
        )
        .into());
    }
    let SetQuota { quota_bytes } = SetQuota::parse(&body)?;
    quotas::set(&st.db, &c, *id, quota_bytes).await?;
    let n = svc::get(&st.db, *id).await?;
    Ok(HttpResponse::Ok().json(view(&st, &n).await?))
}

pub async fn delete(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
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
