//! The web UI's cleanup schedule: when orphan cleanup last ran and when it runs next (the
//! built-in `orphan-cleanup` job of `orphan_cleanup_interval_hours` and the orphan cleanup task
//! schedules an administrator made), when a retention policy runs next, and the schedule editor's
//! changes, which go through `service::task_schedules` like the API's.
use crate::domain::task_schedules::{self as dom, ScheduledTask};
use crate::error::Result;
use crate::repo::{schedules, Db};
use crate::service::housekeeping::scheduler;
use crate::service::task_schedules::{self as ts, NewSchedule, ScheduleChange, ScheduleRow};
use crate::service::tasks::TaskContext;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What the Overview and Cleanup pages say about scheduled cleanups.
pub struct CleanupPlan {
    /// The built-in job: its interval in hours and next run (`None`: turned off).
    pub builtin: Option<(u64, Option<DateTime<Utc>>)>,
    /// Orphan cleanup task schedules, soonest first.
    pub orphan: Vec<ScheduleRow>,
    /// Retention policies' schedules, soonest first.
    pub retention: Vec<ScheduleRow>,
}

impl CleanupPlan {
    /// When orphan cleanup next runs, by any schedule.
    pub fn next_cleanup(&self) -> Option<DateTime<Utc>> {
        let builtin = self.builtin.and_then(|(_, t)| t);
        let own = self.orphan.iter().map(|s| s.next_dispatch).min();
        builtin.into_iter().chain(own).min()
    }
}

/// The cleanup schedules (the task schedule table is small: read whole).
pub async fn plan(db: &Db, every_hours: u64) -> Result<CleanupPlan> {
    let builtin = match every_hours {
        0 => None,
        h => Some((
            h,
            schedules::get(&db.conn, scheduler::ORPHAN_CLEANUP)
                .await?
                .map(|(next, _)| next),
        )),
    };
    let (_, mut rows) = ts::list(db, Default::default()).await?;
    rows.sort_by_key(|s| s.next_dispatch);
    let (orphan, rest): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|s| s.task_name == dom::ORPHAN_CLEANUP);
    let retention = rest
        .into_iter()
        .filter(|s| s.task_name == dom::RETENTION_RUN)
        .collect();
    Ok(CleanupPlan {
        builtin,
        orphan,
        retention,
    })
}

/// An orphan cleanup task schedule (for the schedule editor: 404 unless it is one).
pub async fn get(db: &Db, id: Uuid) -> Result<ScheduleRow> {
    let s = ts::get(db, id).await?;
    match s.task_name == dom::ORPHAN_CLEANUP {
        true => Ok(s),
        false => Err(crate::error::Error::NotFound("task schedule".into())),
    }
}

/// Creates an orphan cleanup schedule running every `seconds` (checked by the service).
pub async fn create(ctx: &TaskContext, name: String, seconds: i64) -> Result<ScheduleRow> {
    ts::create(
        ctx,
        NewSchedule {
            name,
            task: ScheduledTask::OrphanCleanup {
                protection_minutes: None,
                dry_run: false,
            },
            interval_seconds: seconds,
            next_dispatch: None,
        },
    )
    .await
}

/// Changes how often orphan cleanup schedule `s` runs.
pub async fn set_interval(ctx: &TaskContext, s: &ScheduleRow, seconds: i64) -> Result<()> {
    let change = ScheduleChange {
        interval_seconds: Some(seconds),
        ..Default::default()
    };
    ts::update(ctx, s, change).await.map(|_| ())
}

/// Removes orphan cleanup schedule `s`.
pub async fn remove(db: &Db, s: &ScheduleRow) -> Result<()> {
    ts::delete(db, s).await
}
