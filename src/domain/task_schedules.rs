//! Task schedules as data: the tasks a schedule may run, its interval (read in Django's
//! duration forms, ISO 8601, seconds, or berth's `"30m"`; shown as Django renders it,
//! `"1 00:00:00"`), the slot arithmetic (the next due time is advanced by whole intervals past
//! now, so a schedule that missed slots during downtime runs once, not once per missed slot),
//! and the list query of `/task-schedules/`. Pure; the service checks arguments and dispatches.
use super::query::Text;
use super::retention::Span;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

/// Orphan cleanup (`{"orphan_protection_time": minutes, "dry_run": bool}`).
pub const ORPHAN_CLEANUP: &str = "pulpcore.app.tasks.orphan.orphan_cleanup";
/// A retention policy's run (`{"policy": "<uuid>", "dry_run": bool}`).
pub const RETENTION_RUN: &str = "berth.app.tasks.retention.run_policy";
/// The task names a schedule may run.
pub const TASK_NAMES: &[&str] = &[ORPHAN_CLEANUP, RETENTION_RUN];

/// Shortest interval accepted: the scheduler ticks every 30 s by default, so a shorter
/// interval would only run every tick.
pub const MIN_INTERVAL_SECONDS: i64 = 60;
/// Longest interval accepted: 100 years.
pub const MAX_INTERVAL_SECONDS: i64 = 100 * 365 * 86_400;

/// Reads an interval: Django's `"[D ]HH:MM:SS"` (also `"MM:SS"`, `"SS"`, `"D days, HH:MM:SS"`),
/// ISO 8601 (`"P1DT2H"`, `"PT30M"`), berth's spans (`"30m"`, `"1d"`) or a number of seconds.
/// Fractions of a second are refused (intervals are whole seconds).
pub fn parse_interval(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let seconds = if t.starts_with('P') || t.starts_with("-P") || t.starts_with("+P") {
        iso8601(t)
    } else if let Ok(span) = t.parse::<Span>() {
        Some(span.seconds())
    } else {
        django(t)
    }
    .ok_or_else(|| {
        format!(
            "'{s}' is not a duration; use \"[DD] [HH:[MM:]]ss\" (e.g. \"1 00:00:00\", \
             \"00:30:00\"), ISO 8601 (\"P1D\") or a number and a unit (\"30m\", \"1d\")"
        )
    })?;
    check_range(seconds)
}

/// Whether `seconds` is a usable interval.
pub fn check_range(seconds: i64) -> Result<i64, String> {
    if seconds < MIN_INTERVAL_SECONDS {
        return Err(format!(
            "Ensure this value is at least {} (one minute).",
            render_interval(MIN_INTERVAL_SECONDS)
        ));
    }
    if seconds > MAX_INTERVAL_SECONDS {
        return Err(format!(
            "Ensure this value is at most {} (100 years).",
            render_interval(MAX_INTERVAL_SECONDS)
        ));
    }
    Ok(seconds)
}

/// A whole number of seconds, with an optional all-zero fraction.
fn whole_seconds(s: &str) -> Option<i64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || int.len() > 12 {
        return None;
    }
    if !frac.bytes().all(|b| b == b'0') || frac.len() > 6 {
        return None;
    }
    int.parse().ok()
}

/// Django's standard form: `[-]D[ days][,] [[HH:]MM:]SS[.ffffff]`.
fn django(s: &str) -> Option<i64> {
    let (days, clock) = match s.split_once(' ') {
        Some((d, rest)) => {
            let rest = rest.trim_start();
            let rest = rest
                .strip_prefix("days,")
                .or_else(|| rest.strip_prefix("day,"))
                .or_else(|| rest.strip_prefix("days"))
                .or_else(|| rest.strip_prefix("day"))
                .unwrap_or(rest)
                .trim_start();
            (d.parse::<i64>().ok().filter(|d| *d >= 0)?, rest)
        }
        None => (0, s),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let (last, rest) = parts.split_last()?;
    let secs = whole_seconds(last)?;
    let mut total = secs;
    for (p, scale) in rest.iter().rev().zip([60i64, 3_600]) {
        if !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 9 {
            return None;
        }
        total = total.checked_add(p.parse::<i64>().ok()?.checked_mul(scale)?)?;
    }
    days.checked_mul(86_400)?.checked_add(total)
}

/// ISO 8601 durations of days, hours, minutes and seconds (`P1DT2H3M4S`, `PT30M`, `P2W`).
fn iso8601(s: &str) -> Option<i64> {
    let s = s.strip_prefix('+').unwrap_or(s).strip_prefix('P')?;
    let (date, time) = s.split_once('T').unwrap_or((s, ""));
    if s.is_empty() || (s.contains('T') && time.is_empty()) {
        return None;
    }
    let mut total: i64 = 0;
    for (text, units) in [
        (date, &[('W', 604_800), ('D', 86_400)][..]),
        (time, &[('H', 3_600), ('M', 60), ('S', 1)][..]),
    ] {
        let mut number = String::new();
        let mut next_unit = 0;
        for c in text.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let pos = units[next_unit..].iter().position(|(u, _)| *u == c)?;
            let scale = units[next_unit + pos].1;
            next_unit += pos + 1;
            total = total.checked_add(whole_seconds(&number)?.checked_mul(scale)?)?;
            number.clear();
        }
        if !number.is_empty() {
            return None;
        }
    }
    Some(total)
}

/// Django's rendering of a duration: `"1 00:00:00"`, `"00:30:00"`, `"2 03:04:05"`.
pub fn render_interval(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    );
    if days != 0 {
        format!("{days} {clock}")
    } else {
        clock
    }
}

/// The due time after the slot at `due` is taken at `now`: `due` advanced by the least number
/// of whole intervals that puts it after `now` (one slot runs however many were missed).
pub fn next_due(due: DateTime<Utc>, interval_seconds: i64, now: DateTime<Utc>) -> DateTime<Utc> {
    let step = interval_seconds.max(1);
    let behind = (now - due).num_seconds().max(0);
    let slots = behind / step + 1;
    slots
        .checked_mul(step)
        .and_then(Duration::try_seconds)
        .and_then(|d| due.checked_add_signed(d))
        .unwrap_or(now + Duration::seconds(step))
}

/// The name of a retention policy's schedule.
pub fn policy_schedule_name(policy_name: &str) -> String {
    format!("retention: {policy_name}")
}

/// What a schedule runs: a task name with its arguments, checked. `from_args` reads the
/// `task_args` a client gives (field errors name `task_args`); `args` is the stored JSON, the
/// task row's `args` shape, which `TaskKind::from_row` reads when the schedule fires.
#[derive(Debug, Clone, PartialEq)]
pub enum ScheduledTask {
    /// `protection_minutes: None` takes the server's default when the schedule is stored.
    OrphanCleanup {
        protection_minutes: Option<i64>,
        dry_run: bool,
    },
    RetentionRun {
        policy: uuid::Uuid,
        dry_run: bool,
    },
}

/// Longest orphan protection time accepted (as `orphans/cleanup/` does).
const MAX_PROTECTION_MINUTES: i64 = 4_294_967_295;

impl ScheduledTask {
    /// Reads `args` (an object, or `None`/`null` for the defaults) for task `name`.
    pub fn from_args(name: &str, args: Option<&Value>) -> Result<ScheduledTask, String> {
        let empty = Map::new();
        let map = match args {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(m)) => m,
            Some(_) => return Err("Expected an object of the task's arguments.".into()),
        };
        let known: &[&str] = match name {
            ORPHAN_CLEANUP => &["orphan_protection_time", "dry_run"],
            RETENTION_RUN => &["policy", "dry_run"],
            _ => {
                return Err(format!(
                    "'{name}' cannot be scheduled; choose one of: {}.",
                    TASK_NAMES.join(", ")
                ))
            }
        };
        if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!(
                "Unexpected argument '{k}' for {name} (accepted: {}).",
                known.join(", ")
            ));
        }
        let dry_run = match map.get("dry_run") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err("dry_run: Must be a valid boolean.".into()),
        };
        if name == ORPHAN_CLEANUP {
            let protection_minutes = match map.get("orphan_protection_time") {
                None | Some(Value::Null) => None,
                Some(v) => match v.as_i64() {
                    Some(n) if (0..=MAX_PROTECTION_MINUTES).contains(&n) => Some(n),
                    _ => {
                        return Err(format!(
                            "orphan_protection_time: Ensure this value is a number of minutes \
                             between 0 and {MAX_PROTECTION_MINUTES}."
                        ))
                    }
                },
            };
            return Ok(ScheduledTask::OrphanCleanup {
                protection_minutes,
                dry_run,
            });
        }
        let policy = match map.get("policy") {
            Some(Value::String(s)) => uuid::Uuid::parse_str(s).ok().or_else(|| {
                s.trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .and_then(|t| uuid::Uuid::parse_str(t).ok())
            }),
            _ => None,
        }
        .ok_or_else(|| {
            "policy: This field is required: the retention policy's id or href.".to_string()
        })?;
        Ok(ScheduledTask::RetentionRun { policy, dry_run })
    }

    pub fn task_name(&self) -> &'static str {
        match self {
            ScheduledTask::OrphanCleanup { .. } => ORPHAN_CLEANUP,
            ScheduledTask::RetentionRun { .. } => RETENTION_RUN,
        }
    }

    /// The stored arguments: the task row's shape (`dry_run` only when set, so a build whose
    /// task has no `dry_run` yet reads them too, and refuses a dry run instead of ignoring it:
    /// the service checks the round trip).
    pub fn args(&self, default_protection_minutes: i64) -> Value {
        let mut m = Map::new();
        match self {
            ScheduledTask::OrphanCleanup {
                protection_minutes,
                dry_run,
            } => {
                m.insert("content".into(), Value::Null);
                let minutes = protection_minutes.unwrap_or(default_protection_minutes);
                m.insert("orphan_protection_time".into(), minutes.into());
                if *dry_run {
                    m.insert("dry_run".into(), true.into());
                }
            }
            ScheduledTask::RetentionRun { policy, dry_run } => {
                m.insert("policy".into(), policy.to_string().into());
                m.insert("dry_run".into(), (*dry_run).into());
            }
        }
        Value::Object(m)
    }
}

/// The `task_args` a schedule shows: its stored arguments without the internal `content`.
pub fn view_args(stored: &str) -> Value {
    match serde_json::from_str::<Value>(stored) {
        Ok(Value::Object(mut m)) => {
            m.remove("content");
            if m.contains_key("orphan_protection_time") && !m.contains_key("dry_run") {
                m.insert("dry_run".into(), false.into());
            }
            Value::Object(m)
        }
        _ => Value::Object(Map::new()),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TaskScheduleFilter {
    Name(Text),
    TaskName(Text),
    IdIn(Vec<uuid::Uuid>),
    /// Matches nothing (the caller sees no schedules).
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskScheduleOrder {
    Name,
    TaskName,
    NextDispatch,
    DispatchInterval,
    Created,
    Updated,
    Id,
}

#[cfg(test)]
#[path = "task_schedules_tests.rs"]
mod tests;
