//! Running a task: [`run`] takes the task's resource locks, moves it `waiting → running`
//! exactly once, runs its [`TaskKind`] and records the outcome. A running task that is
//! canceled (`canceling`) is stopped by its runner, which polls for it, drops the body (rolling
//! back its open transaction) and records `canceled`. [`reconcile`] fails tasks whose worker
//! died and re-queues tasks left waiting.
use super::kind::TaskKind;
use super::outcome::{Created, Outcome};
use super::{TaskContext, TaskState};
use crate::error::{Error, Result};
use crate::repo::tasks::{self as q, Finish};
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

/// How often a running task checks whether it was canceled.
const CANCEL_POLL: Duration = Duration::from_millis(250);
/// A running task whose heartbeat is older than this is considered dead.
pub const DEAD_AFTER: Duration = Duration::from_secs(60);
/// A waiting task not picked up for this long is queued again.
const REQUEUE_AFTER: Duration = Duration::from_secs(30);

/// Runs task `id` if it is still waiting; any failure is recorded on the task.
pub async fn run(ctx: &TaskContext, id: Uuid) {
    if let Err(e) = run_inner(ctx, id).await {
        tracing::error!(error = ?e, task = %id, "task runner failed");
        let _ = fail(ctx, id, "internal error while running the task").await;
    }
}

/// Takes the locks and starts the task; `false` when it is no longer waiting.
async fn acquire(ctx: &TaskContext, id: Uuid, resources: &[String]) -> Result<bool> {
    let mut wait = Duration::from_millis(5);
    loop {
        let txn = ctx.db.begin_write().await?;
        if q::state(&*txn, id).await? != Some(TaskState::Waiting) {
            return Ok(false);
        }
        if q::try_lock(&*txn, id, resources).await? {
            let started = q::start(&*txn, id).await?;
            txn.commit().await?;
            return Ok(started);
        }
        drop(txn);
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_millis(200));
    }
}

async fn run_inner(ctx: &TaskContext, id: Uuid) -> Result<()> {
    let Some(task) = q::get(&ctx.db.conn, id).await? else {
        return Ok(());
    };
    if task.state != TaskState::Waiting {
        return Ok(());
    }
    let resources: Vec<String> = serde_json::from_str(&task.reserved_resources).unwrap_or_default();
    if !acquire(ctx, id, &resources).await? {
        return Ok(());
    }
    let m = crate::telemetry::metrics::global();
    let queued = (chrono::Utc::now() - task.created_at)
        .num_milliseconds()
        .max(0);
    m.task_started(&task.name, queued as f64 / 1000.0);
    let started = std::time::Instant::now();
    let beat = {
        let db = ctx.db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(10));
            loop {
                tick.tick().await;
                let _ = q::heartbeat(&db.conn, id).await;
            }
        })
    };
    let kind = TaskKind::from_row(&task.name, &task.args);
    // A cancel (`running → canceling`, from any replica) stops the body at its next await:
    // dropping it rolls back the transaction it has open. Steps it already committed stay, as
    // when a worker is killed (orphan cleanup is built to be safe there, ARCHITECTURE.md §5).
    let outcome = tokio::select! {
        o = async { kind?.run(ctx).await } => Some(o),
        () = canceled(ctx, id) => None,
    };
    beat.abort();
    m.task_ran(&task.name, started.elapsed().as_secs_f64());
    let finish = match outcome {
        None => ended(TaskState::Canceled, None),
        Some(Ok(o)) => completed(o),
        Some(Err(e)) => ended(TaskState::Failed, Some(&describe(&e))),
    };
    let txn = ctx.db.begin_write().await?;
    q::finish(&*txn, id, &finish).await?;
    q::unlock(&*txn, id).await?;
    txn.commit().await?;
    count(&task.name, &finish);
    Ok(())
}

/// Feeds `/metrics`: the finished task, and the bytes a (real) cleanup or retention run freed.
fn count(name: &str, finish: &Finish) {
    let m = crate::telemetry::metrics::global();
    m.task_finished(name, finish.state.as_str());
    if finish.state != TaskState::Completed {
        return;
    }
    let result: Value = finish
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or(Value::Null);
    if result["dry_run"] != Value::Bool(false) {
        return;
    }
    if name == "pulpcore.app.tasks.orphan.orphan_cleanup" {
        m.housekeeping_run("orphan_cleanup", result["bytes"].as_u64().unwrap_or(0));
    } else if name == crate::service::retention::run::TASK_NAME {
        let freed = result["totals"]["bytes_freed"].as_u64().unwrap_or(0);
        m.housekeeping_run("retention", freed);
    }
}

fn completed(o: Outcome) -> Finish {
    Finish {
        state: TaskState::Completed,
        error: None,
        created_resources: created(&o.created),
        progress_reports: (!o.progress_reports.is_empty())
            .then(|| serde_json::to_string(&o.progress_reports).ok())
            .flatten(),
        result: o.result.map(|v| v.to_string()),
    }
}

/// A task ending in `state` without results, with Pulp's error record if `error` is given.
fn ended(state: TaskState, error: Option<&str>) -> Finish {
    Finish {
        state,
        error: error.map(|d| json!({"description": d, "traceback": ""}).to_string()),
        created_resources: "[]".into(),
        progress_reports: None,
        result: None,
    }
}

/// Resolves once task `id` is marked `canceling` (polled: the cancel may come from any replica).
async fn canceled(ctx: &TaskContext, id: Uuid) {
    let mut tick = tokio::time::interval(CANCEL_POLL);
    loop {
        tick.tick().await;
        if let Ok(Some(TaskState::Canceling)) = q::state(&ctx.db.conn, id).await {
            return;
        }
    }
}

fn describe(e: &Error) -> String {
    if e.is_internal() {
        tracing::error!(error = ?e, "task failed");
    }
    match e {
        Error::Validation(fields) => fields
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// `[{"href": …, "prn": …}]` for the resources a task created.
fn created(resources: &[Created]) -> String {
    let out: Vec<Value> = resources
        .iter()
        .map(|c| json!({"href": c.href(), "prn": c.prn()}))
        .collect();
    Value::from(out).to_string()
}

/// Marks a task failed (worker died, or the runner itself failed) and releases its locks.
pub async fn fail(ctx: &TaskContext, id: Uuid, description: &str) -> Result<()> {
    let txn = ctx.db.begin_write().await?;
    q::finish(&*txn, id, &ended(TaskState::Failed, Some(description))).await?;
    q::unlock(&*txn, id).await?;
    txn.commit().await?;
    Ok(())
}

/// Fails tasks whose worker died and re-queues tasks left waiting; returns how many of each.
pub async fn reconcile(ctx: &TaskContext) -> Result<(usize, usize)> {
    let now = chrono::Utc::now();
    let dead_cutoff =
        now - chrono::Duration::from_std(DEAD_AFTER).unwrap_or(chrono::Duration::seconds(60));
    let dead = q::stale_running(&ctx.db.conn, dead_cutoff).await?;
    for id in &dead {
        fail(
            ctx,
            *id,
            "The worker running this task stopped responding (worker died).",
        )
        .await?;
    }
    let wait_cutoff =
        now - chrono::Duration::from_std(REQUEUE_AFTER).unwrap_or(chrono::Duration::seconds(30));
    let waiting = q::stale_waiting(&ctx.db.conn, wait_cutoff).await?;
    if let Some(queue) = &ctx.queue {
        for id in &waiting {
            q::touch(&ctx.db.conn, *id).await?;
            queue.push(*id).await?;
        }
    }
    Ok((dead.len(), waiting.len()))
}

pub(super) async fn reconcile_forever(ctx: TaskContext) {
    let mut tick = tokio::time::interval(Duration::from_secs(15));
    loop {
        tick.tick().await;
        match reconcile(&ctx).await {
            Ok((0, 0)) => {}
            Ok((dead, requeued)) => tracing::warn!(dead, requeued, "reconciled tasks"),
            Err(e) => tracing::warn!(error = ?e, "task reconcile failed"),
        }
    }
}
