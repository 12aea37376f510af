//! `/pulp/api/v3/task-schedules/`: pulpcore's list and read, and berth's create (201), update,
//! partial update and delete (204). Superusers only, as pulpcore's access policy scopes it:
//! other signed-in users see an empty list and 404 on every schedule, and get 403 on create.
//! A schedule a retention policy owns answers 400 to changes (they go through the policy).
use super::caller::{SignedIn, Superuser, WithBody};
use super::common::{self, object, paginated, Params};
use super::errors::PulpResult;
use super::filters;
use super::task_schedule_models::{self as models, TaskScheduleResponse};
use crate::domain::hrefs;
use crate::domain::query::ListQuery;
use crate::domain::task_schedules::{TaskScheduleFilter as F, TaskScheduleOrder as O};
use crate::error::Error;
use crate::service::auth::Principal;
use crate::service::task_schedules::{self as svc, ScheduleRow};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use uuid::Uuid;

pub fn render(s: &ScheduleRow) -> Value {
    common::view(&TaskScheduleResponse::from(s))
}

/// The filters this list accepts (also declared in the OpenAPI document).
pub const FILTERS: &[&str] = &[
    "name",
    "name__contains",
    "task_name",
    "task_name__contains",
    "pulp_id__in",
    "pulp_href__in",
    "prn__in",
];

const ORDERING: &[(&str, O)] = &[
    ("name", O::Name),
    ("task_name", O::TaskName),
    ("next_dispatch", O::NextDispatch),
    ("dispatch_interval", O::DispatchInterval),
    ("pulp_created", O::Created),
    ("pulp_last_updated", O::Updated),
    ("pulp_id", O::Id),
    ("pk", O::Id),
];

pub async fn list(
    req: HttpRequest,
    st: web::Data<AppState>,
    SignedIn(user): SignedIn,
) -> PulpResult<HttpResponse> {
    let p = common::list_params(&req, &[FILTERS])?;
    let mut q = ListQuery::default();
    if !user.is_superuser {
        q.push(F::Nothing);
    }
    // Only `name`, `task_name` and their `__contains` pass the check above.
    q.filters
        .extend(filters::text(&p, "name").into_iter().map(F::Name));
    q.filters
        .extend(filters::text(&p, "task_name").into_iter().map(F::TaskName));
    for ids in filters::ids(&p, hrefs::TASK_SCHEDULES, hrefs::TASK_SCHEDULE_MODEL)? {
        q.push(F::IdIn(ids));
    }
    q.order = filters::ordering(&p, ORDERING)?;
    q.page = filters::page(&p);
    let (n, rows) = svc::list(&st.db, q).await?;
    Ok(paginated(&req, &p, n, rows.iter().map(render).collect()))
}

/// The schedule `id` as `user` sees it: superusers see every schedule, others none (404).
async fn visible(st: &AppState, id: Uuid, user: &Principal) -> PulpResult<ScheduleRow> {
    if !user.is_superuser {
        return Err(Error::NotFound("task schedule".into()).into());
    }
    Ok(svc::get(&st.db, id).await?)
}

pub async fn read(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    SignedIn(user): SignedIn,
) -> PulpResult<HttpResponse> {
    let s = visible(&st, *id, &user).await?;
    Ok(object(&Params::from(&req), render(&s)))
}

pub async fn create(
    st: web::Data<AppState>,
    WithBody(_, body): WithBody<Superuser>,
) -> PulpResult<HttpResponse> {
    let input = models::parse_new(&body)?;
    let s = svc::create(&st.tasks, input).await?;
    Ok(HttpResponse::Created().json(render(&s)))
}

async fn update_inner(
    st: web::Data<AppState>,
    id: Uuid,
    user: Principal,
    body: web::Bytes,
    partial: bool,
) -> PulpResult<HttpResponse> {
    let old = visible(&st, id, &user).await?;
    svc::check_not_owned(&old)?;
    let change = models::parse_change(&body, &old, partial)?;
    let s = svc::update(&st.tasks, &old, change).await?;
    Ok(HttpResponse::Ok().json(render(&s)))
}

pub async fn update(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(SignedIn(user), body): WithBody<SignedIn>,
) -> PulpResult<HttpResponse> {
    update_inner(st, *id, user, body, false).await
}

pub async fn partial_update(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(SignedIn(user), body): WithBody<SignedIn>,
) -> PulpResult<HttpResponse> {
    update_inner(st, *id, user, body, true).await
}

pub async fn delete(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    SignedIn(user): SignedIn,
) -> PulpResult<HttpResponse> {
    let s = visible(&st, *id, &user).await?;
    svc::delete(&st.db, &s).await?;
    Ok(HttpResponse::NoContent().finish())
}
