//! `/pulp/api/v3/tasks/`: list (filters), read, cancel (`PATCH {"state":"canceled"}`),
//! delete (final tasks only) and `purge/`.
use super::body::Body;
use super::caller::{Authenticated, WithBody};
use super::common::{self, object, paginated, task_accepted, Params};
use super::errors::PulpResult;
use super::filters;
use super::task_models::{PatchedTaskCancel, Purge, TaskResponse};
use crate::domain::hrefs;
use crate::domain::query::{Cmp, ListQuery, TaskFilter as F, TaskOrder as O, Text};
use crate::error::field_errors as fe;
use crate::error::Error;
use crate::service::lists::{self, TaskRow};
use crate::service::tasks::{self, TaskState};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use uuid::Uuid;

const PREFIX: &str = "/pulp/api/v3/tasks/";

pub fn render(t: &TaskRow) -> Value {
    common::view(&TaskResponse::from(t))
}

/// The filters this list accepts (also declared in the OpenAPI document).
pub const FILTERS: &[&str] = &[
    "state",
    "state__in",
    "state__ne",
    "name",
    "name__contains",
    "name__in",
    "name__ne",
    "logging_cid",
    "logging_cid__contains",
    "created_resources",
    "reserved_resources",
    "reserved_resources__in",
    "exclusive_resources",
    "exclusive_resources__in",
    "shared_resources",
    "shared_resources__in",
    "worker",
    "parent_task",
    "child_tasks",
    "task_group",
    "pulp_id__in",
    "pulp_href__in",
    "prn__in",
    "pulp_created",
    "pulp_created__gt",
    "pulp_created__gte",
    "pulp_created__lt",
    "pulp_created__lte",
    "started_at",
    "started_at__gt",
    "started_at__gte",
    "started_at__lt",
    "started_at__lte",
    "finished_at",
    "finished_at__gt",
    "finished_at__gte",
    "finished_at__lt",
    "finished_at__lte",
    "unblocked_at__gte",
    "unblocked_at__lte",
];

fn datetime(key: &str, v: &str) -> Result<chrono::DateTime<chrono::Utc>, Error> {
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|d| d.to_utc())
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f").map(|d| d.and_utc())
        })
        .map_err(|_| fe::field(key, fe::BAD_DATETIME))
}

/// A resource filter value (href or PRN) as the PRN stored in `reserved_resources`.
fn resource(v: &str) -> String {
    hrefs::href_to_prn(v).unwrap_or_else(|| v.to_string())
}

fn build(p: &Params) -> Result<ListQuery<F, O>, Error> {
    p.check(FILTERS)?;
    let mut q = ListQuery::default();
    q.filters
        .extend(filters::text(p, "name").into_iter().map(F::Name));
    if let Some(v) = p.get("name__ne") {
        q.push(F::Name(Text::Ne(v.to_string())));
    }
    let cids = filters::text(p, "logging_cid");
    q.filters.extend(cids.into_iter().map(F::LoggingCid));
    if let Some(v) = p.get("state") {
        q.push(F::State(Text::Eq(v.to_string())));
    }
    if let Some(v) = p.list("state__in") {
        q.push(F::State(Text::In(v)));
    }
    if let Some(v) = p.get("state__ne") {
        q.push(F::State(Text::Ne(v.to_string())));
    }
    let ids = filters::ids(p, PREFIX, "core.task")?;
    q.filters.extend(ids.into_iter().map(F::IdIn));
    if let Some(h) = p.get("created_resources") {
        q.push(F::CreatedResource(h.to_string()));
    }
    for key in ["reserved_resources", "exclusive_resources"] {
        if let Some(v) = p.get(key) {
            q.push(F::ReservedResource(resource(v)));
        }
        if let Some(list) = p.list(&format!("{key}__in")) {
            q.push(F::ReservedResourceIn(
                list.iter().map(|v| resource(v)).collect(),
            ));
        }
    }
    for key in [
        "shared_resources",
        "shared_resources__in",
        "worker",
        "parent_task",
        "child_tasks",
        "task_group",
    ] {
        if p.get(key).is_some() {
            q.push(F::Nothing);
        }
    }
    type Make = fn(Cmp<chrono::DateTime<chrono::Utc>>) -> F;
    let times: [(&str, Make); 4] = [
        ("pulp_created", F::Created),
        ("started_at", F::Started),
        ("finished_at", F::Finished),
        ("unblocked_at", F::Unblocked),
    ];
    for (field, make) in times {
        for (k, v) in &p.0 {
            let Some(suffix) = k.strip_prefix(field) else {
                continue;
            };
            let d = datetime(k, v)?;
            let cmp = match suffix {
                "" => Cmp::Eq(d),
                "__gt" => Cmp::Gt(d),
                "__gte" => Cmp::Gte(d),
                "__lt" => Cmp::Lt(d),
                "__lte" => Cmp::Lte(d),
                _ => continue,
            };
            q.push(make(cmp));
        }
    }
    q.order = filters::ordering(
        p,
        &[
            ("pulp_created", O::Created),
            ("started_at", O::Started),
            ("finished_at", O::Finished),
            ("name", O::Name),
            ("state", O::State),
            ("pk", O::Id),
            ("pulp_id", O::Id),
        ],
    )?;
    q.page = filters::page(p);
    Ok(q)
}

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let p = Params::from(&req);
    let q = build(&p)?;
    let (n, rows) = lists::tasks(&st.db, &c, q).await?;
    Ok(paginated(&req, &p, n, rows.iter().map(render).collect()))
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let t = lists::task(&st.db, &c, *id).await?;
    let p = Params::from(&req);
    let mut v = render(&t);
    if p.bool("minimal")? == Some(true) {
        if let Value::Object(m) = &mut v {
            let keep = [
                "pulp_href",
                "prn",
                "pulp_created",
                "pulp_last_updated",
                "pulp_api_version",
                "name",
                "state",
                "unblocked_at",
                "started_at",
                "finished_at",
                "worker",
            ];
            m.retain(|k, _| keep.contains(&k.as_str()));
        }
    }
    Ok(object(&p, v))
}

pub async fn cancel(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    PatchedTaskCancel::parse(&body)?;
    let t = lists::task(&st.db, &c, *id).await?;
    if t.state.is_final() {
        return Ok(HttpResponse::Conflict().json(render(&t)));
    }
    tasks::cancel(&st.db, t.id).await?;
    Ok(HttpResponse::Ok().json(render(&lists::task(&st.db, &c, *id).await?)))
}

pub async fn delete(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    lists::task(&st.db, &c, *id).await?;
    if !tasks::delete_final(&st.tasks, *id).await? {
        return Ok(HttpResponse::Conflict().finish());
    }
    Ok(HttpResponse::NoContent().finish())
}

pub async fn purge(
    req: HttpRequest,
    st: web::Data<AppState>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let b = Body::parse::<Purge>(&body)?;
    let before = match b.get("finished_before") {
        None | Some(Value::Null) => chrono::Utc::now() - chrono::Duration::days(30),
        Some(Value::String(s)) => datetime("finished_before", s)?,
        Some(_) => return Err(fe::field("finished_before", fe::BAD_DATETIME).into()),
    };
    let states: Vec<TaskState> = match b.get("states") {
        None | Some(Value::Null) => vec![TaskState::Completed],
        Some(Value::Array(a)) => {
            let mut out = vec![];
            for s in a {
                match s.as_str().and_then(|x| x.parse::<TaskState>().ok()) {
                    Some(x) if x.is_final() => out.push(x),
                    _ => {
                        return Err(
                            fe::field("states", format!("\"{s}\" is not a valid choice.")).into(),
                        )
                    }
                }
            }
            out
        }
        Some(_) => return Err(fe::field("states", fe::NOT_LIST).into()),
    };
    let task = tasks::dispatch(
        &st.tasks,
        tasks::NewTask {
            kind: tasks::TaskKind::Purge {
                finished_before: before,
                states,
                owner: (!c.is_admin()).then(|| c.user_id()).flatten(),
            },
            exclusive: vec![],
            created_by: c.user_id(),
            logging_cid: common::cid(&req),
        },
    )
    .await?;
    Ok(task_accepted(hrefs::task(task)))
}
