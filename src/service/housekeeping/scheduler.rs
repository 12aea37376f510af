//! The one scheduler of periodic housekeeping. Every `berth serve` and `berth worker` ticks it
//! (started by `startup::spawn_background`);
//! each job's next due time lives in the `schedules` table and a run is claimed with one atomic
//! update (`repo::schedules::claim`), so each run happens once across all replicas. Jobs:
//! - `upload-expiry` (every 10 minutes): idle upload sessions and stray staged objects;
//! - `version-retention` (hourly): the undo windows of retention runs that passed, then
//!   superseded versions older than `version_retention_hours`;
//! - `orphan-cleanup` (every `orphan_cleanup_interval_hours`, default daily, 0 = off):
//!   dispatched as the ordinary orphan cleanup task, so it shows in `tasks/`;
//! - `queue-trim` (hourly): apalis job rows finished over an hour ago;
//! - then the task schedules of `/task-schedules/` that are due (`schedule_dispatch`).
//!
//! A job that is new (first start) becomes due one interval after it is created; upload expiry
//! is due at once, as before.
use crate::error::Result;
use crate::repo::schedules as q;
use crate::service::tasks::TaskContext;
use chrono::{DateTime, Duration, Utc};

/// How often each replica looks for due jobs, unless `scheduler_tick_seconds` says otherwise.
pub const TICK: std::time::Duration = std::time::Duration::from_secs(30);

pub const UPLOAD_EXPIRY: &str = "upload-expiry";
pub const UNDO_WINDOWS: &str = "undo-windows";
pub const VERSION_RETENTION: &str = "version-retention";
pub const ORPHAN_CLEANUP: &str = "orphan-cleanup";
pub const QUEUE_TRIM: &str = "queue-trim";

/// Finished job rows are kept this long (the task rows are the record).
const KEEP_FINISHED_JOBS: Duration = Duration::hours(1);

struct Job {
    name: &'static str,
    every: Duration,
    due_at_start: bool,
}

/// The enabled jobs, in the order a tick runs them (retention before orphan cleanup, so a
/// cleanup sees what retention just released).
fn jobs(ctx: &TaskContext) -> Vec<Job> {
    let s = &ctx.settings;
    let hours = |h: u64| Duration::hours(h.min(876_000) as i64);
    let mut out = vec![Job {
        name: UPLOAD_EXPIRY,
        every: Duration::minutes(10),
        due_at_start: true,
    }];
    // Undo windows of retention runs close whatever the age pruning setting is (with it off,
    // a run's bytes must still come back once its window passed).
    out.push(Job {
        name: UNDO_WINDOWS,
        every: Duration::hours(1),
        due_at_start: false,
    });
    if s.version_retention_hours > 0 {
        out.push(Job {
            name: VERSION_RETENTION,
            every: Duration::hours(1),
            due_at_start: false,
        });
    }
    if s.orphan_cleanup_interval_hours > 0 {
        out.push(Job {
            name: ORPHAN_CLEANUP,
            every: hours(s.orphan_cleanup_interval_hours),
            due_at_start: false,
        });
    }
    if ctx.queue.is_some() {
        out.push(Job {
            name: QUEUE_TRIM,
            every: Duration::hours(1),
            due_at_start: false,
        });
    }
    out
}

/// Runs, as of `now`, every job that is due and that this caller claims; returns their names.
/// Job rows are created by the real clock; tests call this with a `now` in the future to run
/// the jobs at once.
pub async fn run_due(ctx: &TaskContext, now: DateTime<Utc>) -> Result<Vec<&'static str>> {
    let mut ran = vec![];
    let real_now = Utc::now();
    for job in jobs(ctx) {
        let first = if job.due_at_start {
            real_now
        } else {
            real_now + job.every
        };
        q::ensure(&ctx.db.conn, job.name, first).await?;
        shorten(ctx, &job, real_now).await?;
        if !q::claim(&ctx.db.conn, job.name, now, now + job.every).await? {
            continue;
        }
        if let Err(e) = run(ctx, job.name, now).await {
            tracing::warn!(error = ?e, job = job.name, "scheduled job failed");
        }
        ran.push(job.name);
    }
    if let Err(e) = super::schedule_dispatch::dispatch_due(ctx, now).await {
        tracing::warn!(error = ?e, "dispatching due task schedules failed");
    }
    Ok(ran)
}

/// Applies a shortened interval: a job due later than one interval after its last run (or
/// after now, if it never ran) is brought forward to that time.
async fn shorten(ctx: &TaskContext, job: &Job, real_now: DateTime<Utc>) -> Result<()> {
    if let Some((next, last)) = q::get(&ctx.db.conn, job.name).await? {
        let latest = last.unwrap_or(real_now) + job.every;
        if next > latest {
            q::bring_forward(&ctx.db.conn, job.name, latest).await?;
        }
    }
    Ok(())
}

async fn run(ctx: &TaskContext, name: &str, now: DateTime<Utc>) -> Result<()> {
    let s = &ctx.settings;
    match name {
        UPLOAD_EXPIRY => {
            let idle = std::time::Duration::from_secs(s.upload_expiry_hours.saturating_mul(3600));
            let (sessions, objects) =
                super::upload_expiry::expire_uploads(&ctx.db, &ctx.store, idle).await?;
            if sessions + objects > 0 {
                tracing::info!(sessions, objects, "expired idle uploads");
            }
        }
        UNDO_WINDOWS => {
            let closed = crate::service::retention::undo::expire_due(&ctx.db, now).await?;
            if closed > 0 {
                tracing::info!(versions = closed, "undo windows of retention runs closed");
            }
        }
        VERSION_RETENTION => {
            let n = super::retention::prune_aged(&ctx.db, now, s.version_retention_hours).await?;
            if n > 0 {
                tracing::info!(versions = n, "pruned superseded repository versions");
            }
        }
        ORPHAN_CLEANUP => {
            let minutes = s.orphan_protection_minutes.min(i64::MAX as u64) as i64;
            let task =
                super::orphans::dispatch(ctx, minutes, None, None, "scheduler".into()).await?;
            tracing::info!(task = %task, "dispatched the scheduled orphan cleanup");
        }
        QUEUE_TRIM => {
            if let Some(queue) = &ctx.queue {
                let n = queue.trim(now - KEEP_FINISHED_JOBS).await?;
                if n > 0 {
                    tracing::info!(jobs = n, "trimmed finished queue jobs");
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Ticks the scheduler at start and then every `scheduler_tick_seconds` (default [`TICK`])
/// until the process ends. Later ticks fall on whole multiples of the interval since the Unix
/// epoch, so replicas tick together and the atomic claims decide which one runs a job.
pub async fn run_forever(ctx: TaskContext) {
    let every = std::time::Duration::from_secs(ctx.settings.scheduler_tick_seconds.max(1));
    tick(&ctx).await;
    let mut ticks =
        tokio::time::interval_at(tokio::time::Instant::now() + until_aligned(every), every);
    loop {
        ticks.tick().await;
        tick(&ctx).await;
    }
}

async fn tick(ctx: &TaskContext) {
    if let Err(e) = run_due(ctx, Utc::now()).await {
        tracing::warn!(error = ?e, "scheduler tick failed");
    }
}

/// The time from now to the next whole multiple of `every` since the Unix epoch.
fn until_aligned(every: std::time::Duration) -> std::time::Duration {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let every_ns = every.as_nanos().max(1);
    let into = since_epoch.as_nanos() % every_ns;
    std::time::Duration::from_nanos((every_ns - into) as u64)
}
