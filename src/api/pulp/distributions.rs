//! `/pulp/api/v3/distributions/container/container/`: list, create (202), read, update and
//! partial update (200 when nothing changes, else 202), delete (202; also its push repository).
use super::body::Body;
use super::caller::{Authenticated, WithBody};
use super::common::{self, object, paginated, task_accepted, Params};
use super::errors::PulpResult;
use super::filters;
use crate::domain::hrefs;
use crate::domain::permissions as perm;
use crate::domain::query::{DistributionFilter as F, DistributionOrder as O, ListQuery};
use crate::error::Error;
use crate::service::distributions::{DistributionInput, RepositoryChoice};
use crate::service::lists::{self, DistributionRow};
use crate::service::policy::Caller;
use crate::service::{access, distributions as svc, tasks};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

pub const PREFIX: &str = "/pulp/api/v3/distributions/container/container/";
pub const PRN: &str = "container.containerdistribution";
const PUSH_PREFIX: &str = hrefs::PUSH_REPOSITORIES;
const PUSH_PRN: &str = hrefs::PUSH_REPOSITORY_MODEL;

/// A distribution to create or replace.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = container::ContainerDistribution)]
pub struct Distribution {
    #[schema(min_length = 1)]
    pub base_path: String,
    #[schema(min_length = 1)]
    pub name: String,
    pub content_guard: Option<String>,
    #[schema(nullable = false)]
    pub hidden: Option<bool>,
    pub pulp_labels: Option<BTreeMap<String, String>>,
    pub repository: Option<String>,
    pub repository_version: Option<String>,
    #[schema(nullable = false)]
    pub private: Option<bool>,
    pub description: Option<String>,
}

/// Fields of a distribution to change.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = Patchedcontainer::ContainerDistribution)]
pub struct PatchedDistribution {
    #[schema(min_length = 1)]
    pub base_path: Option<String>,
    #[schema(min_length = 1)]
    pub name: Option<String>,
    pub content_guard: Option<String>,
    #[schema(nullable = false)]
    pub hidden: Option<bool>,
    pub pulp_labels: Option<BTreeMap<String, String>>,
    pub repository: Option<String>,
    pub repository_version: Option<String>,
    #[schema(nullable = false)]
    pub private: Option<bool>,
    pub description: Option<String>,
}

/// Reads a create or update body (which fields are required is the service's rule). Type
/// errors of the later fields travel in the input so the service reports them in Pulp's order.
fn parse(bytes: &[u8], partial: bool) -> PulpResult<DistributionInput> {
    let b = match partial {
        true => Body::parse::<PatchedDistribution>(bytes)?,
        false => Body::parse::<Distribution>(bytes)?,
    };
    let name = b.string("name")?;
    let base_path = b.string("base_path")?;
    let repository = match b.get("repository") {
        None => None,
        Some(Value::Null) => Some(RepositoryChoice::Nothing),
        Some(Value::String(h)) => Some(
            match (
                hrefs::parse_id(h, PUSH_PREFIX, PUSH_PRN),
                hrefs::parse_id(
                    h,
                    hrefs::CONTAINER_REPOSITORIES,
                    hrefs::CONTAINER_REPOSITORY_MODEL,
                ),
            ) {
                (Some(id), _) => RepositoryChoice::Push(id),
                (None, Some(id)) => RepositoryChoice::Container(id),
                (None, None) => RepositoryChoice::Unknown,
            },
        ),
        Some(_) => Some(RepositoryChoice::NotUrl),
    };
    let mut type_error = None;
    let pulp_labels = match b.given("pulp_labels") {
        true => defer(b.labels("pulp_labels"), &mut type_error).map(Option::unwrap_or_default),
        false => None,
    };
    let description = defer(b.nullable_string("description"), &mut type_error).flatten();
    let private = defer(b.boolean("private"), &mut type_error).flatten();
    let hidden = defer(b.boolean("hidden"), &mut type_error).flatten();
    Ok(DistributionInput {
        name,
        base_path,
        repository,
        repository_version: b.set("repository_version"),
        content_guard: b.set("content_guard"),
        pulp_labels,
        description,
        private,
        hidden,
        type_error,
    })
}

/// The value, or `None` with the first error kept in `slot`.
fn defer<T>(r: Result<T, Error>, slot: &mut Option<Error>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            slot.get_or_insert(e);
            None
        }
    }
}

/// A distribution: serves a repository (its latest version) or one fixed version at a base path.
#[derive(ToSchema, serde::Serialize)]
#[schema(as = container::ContainerDistributionResponse)]
pub struct DistributionResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    base_path: String,
    #[schema(required = true)]
    content_guard: Option<String>,
    #[schema(required = true)]
    content_guard_prn: Option<String>,
    #[schema(format = DateTime, required = true)]
    no_content_change_since: Option<String>,
    hidden: bool,
    pulp_labels: HashMap<String, String>,
    name: String,
    #[schema(required = true)]
    repository: Option<String>,
    #[schema(required = true)]
    repository_version: Option<String>,
    registry_path: String,
    #[schema(required = true)]
    remote: Option<String>,
    namespace: String,
    private: bool,
    #[schema(required = true)]
    description: Option<String>,
}

impl DistributionResponse {
    fn new(req: &HttpRequest, d: &DistributionRow) -> Self {
        let host = req.connection_info().host().to_string();
        DistributionResponse {
            pulp_href: hrefs::distribution(d.id),
            prn: hrefs::prn(PRN, d.id),
            pulp_created: hrefs::timestamp(d.created_at),
            pulp_last_updated: hrefs::timestamp(d.updated_at),
            base_path: d.base_path.clone(),
            content_guard: None,
            content_guard_prn: None,
            no_content_change_since: d.repository_version.map(|_| hrefs::timestamp(d.updated_at)),
            hidden: d.hidden,
            pulp_labels: serde_json::from_str(&d.pulp_labels).unwrap_or_default(),
            name: d.name.clone(),
            repository: d.repository_id.map(|id| match d.repository_container {
                true => hrefs::container_repository(id),
                false => hrefs::push_repository(id),
            }),
            repository_version: d.repository_version.map(|(r, n)| hrefs::version(r, n)),
            registry_path: format!("{host}/{}", d.base_path),
            remote: None,
            namespace: hrefs::namespace(d.namespace_id),
            private: d.private,
            description: d.description.clone(),
        }
    }
}

pub fn render(req: &HttpRequest, d: &DistributionRow) -> Value {
    common::view(&DistributionResponse::new(req, d))
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
    let (repo_prefix, repo_prn) = (PUSH_PREFIX, PUSH_PRN);
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
