//! Dispatching due task schedules, from the scheduler's tick in every `berth serve` and
//! `berth worker`. Each due slot is claimed with one atomic update that moves the schedule's
//! `next_dispatch` past now by whole intervals (`domain::task_schedules::next_due`), so a slot
//! runs once across replicas and a schedule that missed slots while everything was down runs
//! once, not once per missed slot. The claimed slot dispatches an ordinary task (it shows in
//! `tasks/`, with no user) and records it as the schedule's `last_task`, unless the previous
//! task is still waiting or running: then the slot is skipped (logged), not stacked.
use crate::domain::task_schedules::{next_due, ORPHAN_CLEANUP};
use crate::domain::tasks::TaskState;
use crate::error::Result;
use crate::repo::{task_schedules as q, tasks as task_rows};
use crate::service::housekeeping::orphans::ORPHAN_LOCK;
use crate::service::retention;
use crate::service::tasks::{self, NewTask, TaskContext, TaskKind};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What one due schedule's slot came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// This caller dispatched the task.
    Dispatched(Uuid),
    /// The previous task (this one) was still waiting or running.
    Skipped(Uuid),
}

/// The resources a scheduled task holds exclusively: orphan cleanups one at a time (as
/// `orphans/cleanup/` dispatches them). Retention runs are dispatched by the retention
/// service, which locks the policy and the repositories it covers.
fn exclusive(task_name: &str) -> Vec<String> {
    match task_name {
        ORPHAN_CLEANUP => vec![ORPHAN_LOCK.into()],
        _ => vec![],
    }
}

/// Dispatches, as of `now`, every schedule that is due and whose slot this caller claims;
/// returns `(schedule, slot)` for each. The tick calls it with the real clock; tests with a
/// `now` in the future.
pub async fn dispatch_due(ctx: &TaskContext, now: DateTime<Utc>) -> Result<Vec<(Uuid, Slot)>> {
    let mut out = vec![];
    for s in q::due(&ctx.db.conn, now).await? {
        let next = next_due(s.next_dispatch, s.dispatch_interval_seconds, now);
        if !q::claim(&ctx.db.conn, s.id, now, next).await? {
            continue;
        }
        // Read again after the claim: the last task is the one the previous slot dispatched.
        let last = q::get(&ctx.db.conn, s.id)
            .await?
            .and_then(|s| s.last_task_id);
        if let Some(task) = last {
            let state = task_rows::state(&ctx.db.conn, task).await?;
            if matches!(
                state,
                Some(TaskState::Waiting | TaskState::Running | TaskState::Canceling)
            ) {
                tracing::info!(
                    schedule = %s.name, %task, next = %next,
                    "skipped a scheduled run: the previous task is still going"
                );
                out.push((s.id, Slot::Skipped(task)));
                continue;
            }
        }
        let kind = match TaskKind::from_row(&s.task_name, &s.args) {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(schedule = %s.name, error = ?e, "a schedule's task cannot run");
                continue;
            }
        };
        let task = match kind {
            // A policy deleted since the claim: its schedule went with it.
            TaskKind::RetentionRun { policy, dry_run } => {
                match retention::run::dispatch_with_cid(
                    ctx,
                    policy,
                    dry_run,
                    None,
                    "scheduler".into(),
                )
                .await
                {
                    Ok(task) => task,
                    Err(e) => {
                        tracing::warn!(schedule = %s.name, error = ?e, "a scheduled retention run could not start");
                        continue;
                    }
                }
            }
            kind => {
                tasks::dispatch(
                    ctx,
                    NewTask {
                        kind,
                        exclusive: exclusive(&s.task_name),
                        created_by: None,
                        logging_cid: "scheduler".into(),
                    },
                )
                .await?
            }
        };
        q::set_last_task(&ctx.db.conn, s.id, task).await?;
        tracing::info!(schedule = %s.name, %task, next = %next, "dispatched a scheduled task");
        out.push((s.id, Slot::Dispatched(task)));
    }
    Ok(out)
}
