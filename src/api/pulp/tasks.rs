//! `/pulp/api/v3/tasks/`: list (filters), read, cancel (`PATCH {"state":"canceled"}`),
//! delete (final tasks only) and `purge/`.
use super::body::Body;
use super::caller::{Authenticated, WithBody};
use super::common::{self, object, paginated, task_accepted, Params};
use super::errors::PulpResult;
use super::filters;
use super::task_models::{PatchedTaskCancel, Purge, TaskResponse};
use crate::domain::hrefs;
use crate::error::field_errors as fe;
use crate::error::Error;
use crate::repo::criteria::{Criteria, Op};
use crate::repo::tasks::{self as q, TaskRow};
use crate::service::access;
use crate::service::policy::Caller;
use crate::service::tasks;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use uuid::Uuid;

const PREFIX: &str = "/pulp/api/v3/tasks/";
const FINAL: &[&str] = &["completed", "failed", "canceled", "skipped"];

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

fn like_json_string(col: &str, crit: &mut Criteria, s: &str) {
    let needle = serde_json::to_string(s)
        .unwrap_or_default()
        .replace('%', "\\%")
        .replace('_', "\\_");
    crit.push(
        "",
        Op::Sql(
            format!("{col} LIKE ? ESCAPE '\\'"),
            vec![format!("%{needle}%").into()],
        ),
    );
}

fn build(p: &Params) -> Result<Criteria, Error> {
    p.check(FILTERS)?;
    let mut crit = Criteria::default();
    filters::text(p, &mut crit, "name", "t.name");
    if let Some(v) = p.get("name__ne") {
        crit.push("t.name", Op::Ne(v.into()));
    }
    filters::text(p, &mut crit, "logging_cid", "t.logging_cid");
    if let Some(v) = p.get("state") {
        crit.push("t.state", Op::Eq(v.into()));
    }
    if let Some(v) = p.list("state__in") {
        crit.push("t.state", Op::In(v.into_iter().map(Into::into).collect()));
    }
    if let Some(v) = p.get("state__ne") {
        crit.push("t.state", Op::Ne(v.into()));
    }
    filters::ids(p, &mut crit, "t.id", PREFIX, "core.task")?;
    if let Some(h) = p.get("created_resources") {
        like_json_string("t.created_resources", &mut crit, h);
    }
    for key in ["reserved_resources", "exclusive_resources"] {
        if let Some(v) = p.get(key) {
            like_json_string("t.reserved_resources", &mut crit, &resource(v));
        }
        if let Some(list) = p.list(&format!("{key}__in")) {
            let mut sub = Criteria::default();
            for v in &list {
                like_json_string("t.reserved_resources", &mut sub, &resource(v));
            }
            let (mut sqls, mut values) = (vec![], vec![]);
            for (_, op) in sub.conds {
                if let Op::Sql(s, v) = op {
                    sqls.push(s);
                    values.extend(v);
                }
            }
            let sql = if sqls.is_empty() {
                "1 = 0".to_string()
            } else {
                sqls.join(" OR ")
            };
            crit.push("", Op::Sql(sql, values));
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
            crit.push("", Op::Sql("1 = 0".into(), vec![]));
        }
    }
    for (field, col) in [
        ("pulp_created", "t.created_at"),
        ("started_at", "t.started_at"),
        ("finished_at", "t.finished_at"),
        ("unblocked_at", "t.unblocked_at"),
    ] {
        for (k, v) in &p.0 {
            let Some(suffix) = k.strip_prefix(field) else {
                continue;
            };
            let d = datetime(k, v)?;
            let op = match suffix {
                "" => Op::Eq(d.into()),
                "__gt" => Op::Gt(d.into()),
                "__gte" => Op::Gte(d.into()),
                "__lt" => Op::Lt(d.into()),
                "__lte" => Op::Lte(d.into()),
                _ => continue,
            };
            crit.push(col, op);
        }
    }
    filters::ordering(
        p,
        &mut crit,
        &[
            ("pulp_created", "t.created_at"),
            ("started_at", "t.started_at"),
            ("finished_at", "t.finished_at"),
            ("name", "t.name"),
            ("state", "t.state"),
            ("pk", "t.id"),
            ("pulp_id", "t.id"),
        ],
        &["t.created_at DESC", "t.id DESC"],
    )?;
    filters::paginate(p, &mut crit);
    Ok(crit)
}

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let p = Params::from(&req);
    let mut crit = build(&p)?;
    access::scope_tasks(&c, &mut crit);
    let (n, rows) = q::list(&st.db.conn, &crit).await.map_err(Error::from)?;
    Ok(paginated(&req, &p, n, rows.iter().map(render).collect()))
}

/// A task the caller sees (their own, or any for superusers).
async fn find(st: &AppState, c: &Caller, id: Uuid) -> Result<TaskRow, Error> {
    let t = q::get(&st.db.conn, id)
        .await?
        .ok_or_else(|| Error::NotFound("task".into()))?;
    access::task(c, t.created_by)?;
    Ok(t)
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    let t = find(&st, &c, *id).await?;
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
    let t = find(&st, &c, *id).await?;
    if FINAL.contains(&t.state.as_str()) {
        return Ok(HttpResponse::Conflict().json(render(&t)));
    }
    // A waiting task ends `canceled` here; a running one becomes `canceling`, and its runner
    // stops the body, records `canceled` and releases its resource locks itself.
    let txn = st.db.begin_write().await.map_err(Error::from)?;
    q::cancel(&*txn, t.id).await.map_err(Error::from)?;
    if q::state(&*txn, t.id).await.map_err(Error::from)?.as_deref() == Some("canceled") {
        q::unlock(&*txn, t.id).await.map_err(Error::from)?;
    }
    txn.commit().await.map_err(Error::from)?;
    Ok(HttpResponse::Ok().json(render(&find(&st, &c, *id).await?)))
}

pub async fn delete(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    Authenticated(c): Authenticated,
) -> PulpResult<HttpResponse> {
    find(&st, &c, *id).await?;
    if !tasks::delete_final(&st, *id).await? {
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
    let states: Vec<String> = match b.get("states") {
        None | Some(Value::Null) => vec!["completed".into()],
        Some(Value::Array(a)) => {
            let mut out = vec![];
            for s in a {
                match s.as_str() {
                    Some(x) if FINAL.contains(&x) => out.push(x.to_string()),
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
        &st,
        tasks::NewTask {
            name: tasks::PURGE,
            args: json!({"finished_before": before, "states": states,
                          "owner": (!c.is_admin()).then(|| c.user_id()).flatten()}),
            exclusive: vec![],
            created_by: c.user_id(),
            logging_cid: common::cid(&req),
        },
    )
    .await?;
    Ok(task_accepted(hrefs::task(task)))
}
