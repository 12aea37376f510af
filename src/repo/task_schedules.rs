//! The `task_schedules` table: periodic tasks (Pulp's TaskSchedule). A due slot is claimed
//! with one atomic `UPDATE … SET next_dispatch = <next> WHERE id = ? AND next_dispatch <= now`
//! (rows affected = 1 wins), the same on SQLite and PostgreSQL, so replicas and workers ticking
//! together dispatch each slot once. Rows map through `FromQueryResult`.
use super::criteria::{self, Criteria};
use super::{all, exec, one};
use crate::domain::query::ListQuery;
use crate::domain::task_schedules::{TaskScheduleFilter as F, TaskScheduleOrder as O};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, QueryResult};
use uuid::Uuid;

/// A schedule as stored, with its policy's name when a retention policy owns it.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ScheduleRow {
    pub id: Uuid,
    pub name: String,
    pub task_name: String,
    /// The task's arguments, JSON text.
    pub args: String,
    pub dispatch_interval_seconds: i64,
    pub next_dispatch: DateTime<Utc>,
    pub last_task_id: Option<Uuid>,
    pub policy_id: Option<Uuid>,
    pub policy_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLS: &str = "s.id, s.name, s.task_name, s.args, s.dispatch_interval_seconds, \
    s.next_dispatch, s.last_task_id, s.policy_id, \
    (SELECT p.name FROM retention_policies p WHERE p.id = s.policy_id) AS policy_name, \
    s.created_at, s.updated_at";

fn rows(rs: &[QueryResult]) -> Result<Vec<ScheduleRow>, DbErr> {
    rs.iter()
        .map(|r| ScheduleRow::from_query_result(r, ""))
        .collect()
}

async fn select_one(
    c: &impl ConnectionTrait,
    cond: &str,
    value: sea_orm::Value,
) -> Result<Option<ScheduleRow>, DbErr> {
    let r = one(
        c,
        &format!("SELECT {COLS} FROM task_schedules s WHERE {cond}"),
        vec![value],
    )
    .await?;
    r.map(|r| ScheduleRow::from_query_result(&r, ""))
        .transpose()
}

pub async fn get(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<ScheduleRow>, DbErr> {
    select_one(c, "s.id = ?", id.into()).await
}

/// The schedule of retention policy `policy`.
pub async fn of_policy(
    c: &impl ConnectionTrait,
    policy: Uuid,
) -> Result<Option<ScheduleRow>, DbErr> {
    select_one(c, "s.policy_id = ?", policy.into()).await
}

/// The id of the schedule named `name`.
pub async fn id_named(c: &impl ConnectionTrait, name: &str) -> Result<Option<Uuid>, DbErr> {
    let r = one(
        c,
        "SELECT id FROM task_schedules WHERE name = ?",
        vec![name.into()],
    )
    .await?;
    r.map(|r| r.try_get("", "id")).transpose()
}

/// Inserts `s` (its `policy_name` is ignored).
pub async fn insert(c: &impl ConnectionTrait, s: &ScheduleRow) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO task_schedules (id, name, task_name, args, dispatch_interval_seconds, \
         next_dispatch, last_task_id, policy_id, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            s.id.into(),
            s.name.clone().into(),
            s.task_name.clone().into(),
            s.args.clone().into(),
            s.dispatch_interval_seconds.into(),
            s.next_dispatch.into(),
            s.last_task_id.into(),
            s.policy_id.into(),
            s.created_at.into(),
            s.updated_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Writes the changeable fields of `s` (name, task, arguments, interval, next dispatch).
pub async fn update(c: &impl ConnectionTrait, s: &ScheduleRow) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE task_schedules SET name = ?, task_name = ?, args = ?, \
         dispatch_interval_seconds = ?, next_dispatch = ?, updated_at = ? WHERE id = ?",
        vec![
            s.name.clone().into(),
            s.task_name.clone().into(),
            s.args.clone().into(),
            s.dispatch_interval_seconds.into(),
            s.next_dispatch.into(),
            s.updated_at.into(),
            s.id.into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn delete(c: &impl ConnectionTrait, id: Uuid) -> Result<u64, DbErr> {
    exec(
        c,
        "DELETE FROM task_schedules WHERE id = ?",
        vec![id.into()],
    )
    .await
}

/// The schedules due at `now`, earliest first.
pub async fn due(c: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<ScheduleRow>, DbErr> {
    let rs = all(
        c,
        &format!(
            "SELECT {COLS} FROM task_schedules s WHERE s.next_dispatch <= ? \
             ORDER BY s.next_dispatch, s.id"
        ),
        vec![now.into()],
    )
    .await?;
    rows(&rs)
}

/// Claims the slot of schedule `id` due at or before `now`, moving it to `next`; `true` when
/// this caller won it.
pub async fn claim(
    c: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
    next: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = exec(
        c,
        "UPDATE task_schedules SET next_dispatch = ? WHERE id = ? AND next_dispatch <= ?",
        vec![next.into(), id.into(), now.into()],
    )
    .await?;
    Ok(n == 1)
}

/// Records the task schedule `id` dispatched last.
pub async fn set_last_task(c: &impl ConnectionTrait, id: Uuid, task: Uuid) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE task_schedules SET last_task_id = ? WHERE id = ?",
        vec![task.into(), id.into()],
    )
    .await?;
    Ok(())
}

fn list_criteria(q: &ListQuery<F, O>) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            F::Name(t) => c.text("s.name", t),
            F::TaskName(t) => c.text("s.task_name", t),
            F::IdIn(ids) => c.any_of("s.id", ids),
            F::Nothing => c.nothing(),
        }
    }
    c.order(
        &q.order,
        |o| match o {
            O::Name => "s.name",
            O::TaskName => "s.task_name",
            O::NextDispatch => "s.next_dispatch",
            O::DispatchInterval => "s.dispatch_interval_seconds",
            O::Created => "s.created_at",
            O::Updated => "s.updated_at",
            O::Id => "s.id",
        },
        &["s.name"],
    );
    c.page(q.page);
    c
}

pub async fn list(
    c: &impl ConnectionTrait,
    q: &ListQuery<F, O>,
) -> Result<(u64, Vec<ScheduleRow>), DbErr> {
    let crit = list_criteria(q);
    let (n, rs) = criteria::page(c, COLS, "task_schedules s", &crit).await?;
    Ok((n, rows(&rs)?))
}
