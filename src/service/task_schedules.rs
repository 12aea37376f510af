//! Task schedules (Pulp's TaskSchedule, writable here): create, change, delete and read the
//! periodic tasks an administrator asks for, and keep a retention policy's schedule in step
//! with its `schedule_seconds` ([`sync_policy`]). Superusers only: the api checks the caller.
//! A schedule a policy owns is changed only through that policy. Due schedules are dispatched
//! by `housekeeping::schedule_dispatch` from the scheduler's tick.
use crate::domain::query::ListQuery;
use crate::domain::task_schedules::{
    self as dom, ScheduledTask, TaskScheduleFilter, TaskScheduleOrder,
};
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::repo::task_schedules as q;
use crate::repo::{retention_policies, Db};
use crate::service::tasks::{TaskContext, TaskKind};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use uuid::Uuid;

pub use crate::repo::task_schedules::ScheduleRow;

/// A schedule to create (fields already read and checked for form by the api).
pub struct NewSchedule {
    pub name: String,
    pub task: ScheduledTask,
    pub interval_seconds: i64,
    /// When it is first due (default: one interval from now).
    pub next_dispatch: Option<DateTime<Utc>>,
}

/// Fields of a schedule to change (`None`: unchanged).
#[derive(Default)]
pub struct ScheduleChange {
    pub name: Option<String>,
    pub task: Option<ScheduledTask>,
    pub interval_seconds: Option<i64>,
    pub next_dispatch: Option<DateTime<Utc>>,
}

/// Times are kept to the microsecond, as they are shown (and as PostgreSQL stores them), so a
/// `next_dispatch` read from the API is the stored one.
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

pub async fn get(db: &Db, id: Uuid) -> Result<ScheduleRow> {
    q::get(&db.conn, id)
        .await?
        .ok_or_else(|| Error::NotFound("task schedule".into()))
}

pub async fn list(
    db: &Db,
    query: ListQuery<TaskScheduleFilter, TaskScheduleOrder>,
) -> Result<(u64, Vec<ScheduleRow>)> {
    Ok(q::list(&db.conn, &query).await?)
}

/// The stored arguments of `task`, refused (400 on `task_args`) when this build's task would
/// not read them as given (e.g. a `dry_run` its task does not know) or the policy is missing.
async fn stored_args(ctx: &TaskContext, task: &ScheduledTask) -> Result<String> {
    let minutes = ctx.settings.orphan_protection_minutes.min(i64::MAX as u64) as i64;
    let args = task.args(minutes);
    let text = args.to_string();
    let bad = |m: String| fe::field("task_args", m);
    let kind = TaskKind::from_row(task.task_name(), &text).map_err(|_| {
        bad(format!(
            "{} is not available in this build.",
            task.task_name()
        ))
    })?;
    let (_, back) = kind.to_row()?;
    let back: serde_json::Value = serde_json::from_str(&back).unwrap_or_default();
    if let serde_json::Value::Object(given) = &args {
        if let Some((k, _)) = given.iter().find(|(k, v)| back.get(k.as_str()) != Some(*v)) {
            return Err(bad(format!(
                "'{k}' is not supported by {} in this build.",
                task.task_name()
            )));
        }
    }
    if let ScheduledTask::RetentionRun { policy, .. } = task {
        if retention_policies::get(&ctx.db.conn, *policy)
            .await?
            .is_none()
        {
            return Err(bad(format!("Retention policy {policy} does not exist.")));
        }
    }
    Ok(text)
}

async fn check_name(db: &Db, name: &str, except: Option<Uuid>) -> Result<()> {
    match q::id_named(&db.conn, name).await? {
        Some(id) if Some(id) != except => Err(fe::field("name", fe::UNIQUE)),
        _ => Ok(()),
    }
}

pub async fn create(ctx: &TaskContext, s: NewSchedule) -> Result<ScheduleRow> {
    check_name(&ctx.db, &s.name, None).await?;
    let args = stored_args(ctx, &s.task).await?;
    let now = micros(Utc::now());
    let row = ScheduleRow {
        id: Uuid::now_v7(),
        name: s.name,
        task_name: s.task.task_name().into(),
        args,
        dispatch_interval_seconds: s.interval_seconds,
        next_dispatch: s
            .next_dispatch
            .map(micros)
            .unwrap_or_else(|| now + Duration::seconds(s.interval_seconds)),
        last_task_id: None,
        policy_id: None,
        policy_name: None,
        created_at: now,
        updated_at: now,
    };
    q::insert(&ctx.db.conn, &row).await.map_err(unique_name)?;
    get(&ctx.db, row.id).await
}

/// A unique violation (a concurrent create took the name) as the field error.
fn unique_name(e: sea_orm::DbErr) -> Error {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => fe::field("name", fe::UNIQUE),
        _ => e.into(),
    }
}

/// Refuses changes to a schedule a retention policy owns, naming the policy.
pub fn check_not_owned(s: &ScheduleRow) -> Result<()> {
    match s.policy_id {
        None => Ok(()),
        Some(p) => Err(fe::non_field(format!(
            "This schedule belongs to the retention policy '{}' ({p}); change or remove it \
             through the policy's `schedule` at /pulp/api/v3/retention_policies/{p}/.",
            s.policy_name.as_deref().unwrap_or("?")
        ))),
    }
}

/// Applies `change` to schedule `old`. A shorter interval brings the next dispatch forward to
/// one new interval from now at the latest (as the built-in jobs do).
pub async fn update(
    ctx: &TaskContext,
    old: &ScheduleRow,
    change: ScheduleChange,
) -> Result<ScheduleRow> {
    check_not_owned(old)?;
    let mut row = old.clone();
    let now = micros(Utc::now());
    if let Some(name) = change.name {
        check_name(&ctx.db, &name, Some(old.id)).await?;
        row.name = name;
    }
    if let Some(task) = change.task {
        row.args = stored_args(ctx, &task).await?;
        row.task_name = task.task_name().into();
    }
    if let Some(secs) = change.interval_seconds {
        row.dispatch_interval_seconds = secs;
        row.next_dispatch = row.next_dispatch.min(now + Duration::seconds(secs));
    }
    if let Some(t) = change.next_dispatch {
        row.next_dispatch = micros(t);
    }
    row.updated_at = now;
    q::update(&ctx.db.conn, &row).await.map_err(unique_name)?;
    get(&ctx.db, row.id).await
}

pub async fn delete(db: &Db, s: &ScheduleRow) -> Result<()> {
    check_not_owned(s)?;
    q::delete(&db.conn, s.id).await?;
    Ok(())
}

/// Makes retention policy `policy`'s schedule match the policy: none when the policy is
/// missing, disabled or has no `schedule_seconds`; otherwise one schedule named
/// `retention: <policy name>` running `berth.app.tasks.retention.run_policy` every
/// `schedule_seconds`. A new schedule is first due one interval from now; a shorter interval
/// brings a due time forward, a longer one leaves it.
pub async fn sync_policy(db: &Db, policy: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    let p = retention_policies::get(&*txn, policy).await?;
    let existing = q::of_policy(&*txn, policy).await?;
    let wanted = p
        .as_ref()
        .filter(|p| p.enabled)
        .and_then(|p| p.schedule_seconds.map(|s| (p, s.max(1))));
    let Some((p, secs)) = wanted else {
        if let Some(s) = existing {
            q::delete(&*txn, s.id).await?;
        }
        txn.commit().await?;
        return Ok(());
    };
    let now = micros(Utc::now());
    let mut name = dom::policy_schedule_name(&p.name);
    if q::id_named(&*txn, &name)
        .await?
        .is_some_and(|id| Some(id) != existing.as_ref().map(|s| s.id))
    {
        // A schedule an administrator made already has the name.
        name = format!("{name} ({policy})");
    }
    let task = ScheduledTask::RetentionRun {
        policy,
        dry_run: false,
    };
    let args = task.args(0).to_string();
    match existing {
        Some(mut s) => {
            s.next_dispatch = s.next_dispatch.min(now + Duration::seconds(secs));
            s.name = name;
            s.task_name = task.task_name().into();
            s.args = args;
            s.dispatch_interval_seconds = secs;
            s.updated_at = now;
            q::update(&*txn, &s).await?;
        }
        None => {
            let s = ScheduleRow {
                id: Uuid::now_v7(),
                name,
                task_name: task.task_name().into(),
                args,
                dispatch_interval_seconds: secs,
                next_dispatch: now + Duration::seconds(secs),
                last_task_id: None,
                policy_id: Some(policy),
                policy_name: None,
                created_at: now,
                updated_at: now,
            };
            q::insert(&*txn, &s).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}
