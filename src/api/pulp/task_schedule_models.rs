//! The request and view types of `/pulp/api/v3/task-schedules/` (also their OpenAPI schemas)
//! and the reading of their bodies with Pulp's messages. The view is pulpcore's
//! TaskScheduleResponse plus two berth fields, `task_args` and `retention_policy`.
use super::body::Body;
use crate::domain::hrefs;
use crate::domain::task_schedules::{self as dom, ScheduledTask};
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::service::task_schedules::{NewSchedule, ScheduleChange, ScheduleRow};
use chrono::{DateTime, Utc};
use serde_json::Value;
use utoipa::ToSchema;

const MAX_NAME: usize = 255;

/// A periodic task to create or replace (a berth extension: Pulp's schedules are read-only).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TaskSchedule {
    /// The name of the schedule.
    #[schema(min_length = 1, max_length = 255)]
    name: String,
    /// The task to run: `pulpcore.app.tasks.orphan.orphan_cleanup` or
    /// `berth.app.tasks.retention.run_policy`.
    task_name: String,
    /// Periodicity of the schedule: `"[DD] [HH:[MM:]]ss"` (e.g. `"1 00:00:00"`), ISO 8601
    /// (`"P1D"`), or a number and a unit (`"30m"`, `"1d"`); at least one minute.
    dispatch_interval: String,
    /// When the task is next dispatched (default: one interval from now).
    #[schema(format = DateTime)]
    next_dispatch: Option<String>,
    /// The task's arguments: orphan cleanup takes `orphan_protection_time` (minutes; default
    /// the server's) and `dry_run`; a retention run takes `policy` (id or href) and `dry_run`.
    #[schema(value_type = Option<Object>)]
    task_args: Option<serde_json::Map<String, Value>>,
}

/// Fields of a schedule to change.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PatchedTaskSchedule {
    #[schema(min_length = 1, max_length = 255)]
    name: Option<String>,
    task_name: Option<String>,
    dispatch_interval: Option<String>,
    #[schema(format = DateTime)]
    next_dispatch: Option<String>,
    #[schema(value_type = Option<Object>)]
    task_args: Option<serde_json::Map<String, Value>>,
}

/// A periodic task (pulpcore's fields, with berth's `task_args` and `retention_policy`).
#[derive(ToSchema, serde::Serialize)]
pub struct TaskScheduleResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    /// The name of the task schedule.
    name: String,
    /// The name of the task to be scheduled.
    task_name: String,
    /// Periodicity of the schedule.
    #[schema(required = true)]
    dispatch_interval: Option<String>,
    /// Timestamp of the next time the task will be dispatched.
    #[schema(format = DateTime, required = true)]
    next_dispatch: Option<String>,
    /// The last task dispatched by this schedule.
    #[schema(required = true)]
    last_task: Option<String>,
    /// The task's arguments.
    #[schema(value_type = Object)]
    task_args: Value,
    /// The retention policy that owns this schedule (change it there), or null.
    #[schema(required = true)]
    retention_policy: Option<String>,
}

impl From<&ScheduleRow> for TaskScheduleResponse {
    fn from(s: &ScheduleRow) -> Self {
        TaskScheduleResponse {
            pulp_href: hrefs::task_schedule(s.id),
            prn: hrefs::prn(hrefs::TASK_SCHEDULE_MODEL, s.id),
            pulp_created: hrefs::timestamp(s.created_at),
            pulp_last_updated: hrefs::timestamp(s.updated_at),
            name: s.name.clone(),
            task_name: s.task_name.clone(),
            dispatch_interval: Some(dom::render_interval(s.dispatch_interval_seconds)),
            next_dispatch: Some(hrefs::timestamp(s.next_dispatch)),
            last_task: s.last_task_id.map(hrefs::task),
            task_args: dom::view_args(&s.args),
            retention_policy: s.policy_id.map(hrefs::retention_policy),
        }
    }
}

/// Collects field errors so a body's problems are reported together.
#[derive(Default)]
struct Errors(Vec<(String, String)>);

impl Errors {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_string(), message.into()));
    }
}

fn name(b: &Body, required: bool, errs: &mut Errors) -> Option<String> {
    match b.get("name") {
        Some(Value::String(s)) if s.trim().is_empty() => errs.add("name", fe::BLANK),
        Some(Value::String(s)) if s.chars().count() > MAX_NAME => {
            errs.add("name", fe::max_length(MAX_NAME))
        }
        Some(Value::String(s)) => return Some(s.clone()),
        Some(Value::Null) => errs.add("name", "This field may not be null."),
        Some(_) => errs.add("name", fe::NOT_STRING),
        None if required => errs.add("name", fe::REQUIRED),
        None => {}
    }
    None
}

fn interval(b: &Body, required: bool, errs: &mut Errors) -> Option<i64> {
    let key = "dispatch_interval";
    let parsed = match b.get(key) {
        Some(Value::String(s)) => dom::parse_interval(s),
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| "Enter a whole number of seconds.".to_string())
            .and_then(dom::check_range),
        Some(Value::Null) => Err("This field may not be null.".into()),
        Some(_) => Err("Enter a valid duration.".into()),
        None if required => Err(fe::REQUIRED.into()),
        None => return None,
    };
    parsed.map_err(|m| errs.add(key, m)).ok()
}

fn next_dispatch(b: &Body, errs: &mut Errors) -> Option<DateTime<Utc>> {
    match b.get("next_dispatch") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let t = DateTime::parse_from_rfc3339(s).map(|d| d.to_utc()).ok();
            let t = t.filter(|t| (1..=9999).contains(&chrono::Datelike::year(t)));
            if t.is_none() {
                errs.add("next_dispatch", fe::BAD_DATETIME);
            }
            t
        }
        Some(_) => {
            errs.add("next_dispatch", fe::BAD_DATETIME);
            None
        }
    }
}

/// The task: `task_name` (given, else the existing schedule's) with `task_args`; `None` when
/// neither is given on a partial update.
fn task(b: &Body, existing: Option<&ScheduleRow>, errs: &mut Errors) -> Option<ScheduledTask> {
    let task_name = match b.get("task_name") {
        Some(Value::String(s)) if dom::TASK_NAMES.contains(&s.as_str()) => Some(s.clone()),
        Some(Value::String(s)) => {
            errs.add(
                "task_name",
                format!(
                    "'{s}' cannot be scheduled; choose one of: {}.",
                    dom::TASK_NAMES.join(", ")
                ),
            );
            return None;
        }
        Some(_) => {
            errs.add("task_name", fe::NOT_STRING);
            return None;
        }
        None if existing.is_none() => {
            errs.add("task_name", fe::REQUIRED);
            return None;
        }
        None if !b.given("task_args") => return None,
        None => existing.map(|e| e.task_name.clone()),
    }?;
    // A partial update that names the same task without arguments keeps them.
    let kept = existing
        .filter(|e| e.task_name == task_name && !b.given("task_args"))
        .map(|e| dom::view_args(&e.args));
    let args = b.get("task_args").or(kept.as_ref());
    ScheduledTask::from_args(&task_name, args)
        .map_err(|m| errs.add("task_args", m))
        .ok()
}

/// Reads a create body.
pub fn parse_new(bytes: &[u8]) -> Result<NewSchedule> {
    let b = Body::parse::<TaskSchedule>(bytes)?;
    let mut errs = Errors::default();
    let name = name(&b, true, &mut errs);
    let task = task(&b, None, &mut errs);
    let interval_seconds = interval(&b, true, &mut errs);
    let next_dispatch = next_dispatch(&b, &mut errs);
    match (name, task, interval_seconds) {
        (Some(name), Some(task), Some(interval_seconds)) if errs.0.is_empty() => Ok(NewSchedule {
            name,
            task,
            interval_seconds,
            next_dispatch,
        }),
        _ => Err(Error::Validation(errs.0)),
    }
}

/// Reads an update body over `existing` (`partial` = PATCH).
pub fn parse_change(bytes: &[u8], existing: &ScheduleRow, partial: bool) -> Result<ScheduleChange> {
    let b = match partial {
        true => Body::parse::<PatchedTaskSchedule>(bytes)?,
        false => Body::parse::<TaskSchedule>(bytes)?,
    };
    let mut errs = Errors::default();
    let change = ScheduleChange {
        name: name(&b, !partial, &mut errs),
        task: task(&b, partial.then_some(existing), &mut errs),
        interval_seconds: interval(&b, !partial, &mut errs),
        next_dispatch: next_dispatch(&b, &mut errs),
    };
    if errs.0.is_empty() {
        Ok(change)
    } else {
        Err(Error::Validation(errs.0))
    }
}
