//! Tasks: Pulp's task model on apalis. A task is a [`TaskKind`] (its payload: which Pulp task
//! and its arguments, typed) plus the resources it holds exclusively.
//! - [`dispatch`] writes the task row (`waiting`) and queues a job carrying its id; with
//!   embedded workers the task also starts at once in-process (Pulp's "immediate" tasks), and
//!   the queued job then finds it taken.
//! - `runner` takes the task's resource locks (tasks sharing a resource never run at once),
//!   moves it to `running` exactly once, runs its kind (`kind`: one function per kind), and
//!   records the outcome; it also reconciles tasks whose worker died.
//! - [`cancel`], [`delete_final`]: what the management API does to a task.
//!
//! Everything here takes a [`TaskContext`] (database, storage, queue, settings), never the
//! HTTP state, so the queue workers, the scheduler and the handlers share one entry point.
mod container;
mod kind;
mod outcome;
mod runner;

pub use crate::domain::tasks::TaskState;
pub use crate::repo::tasks::TaskRow;
pub use container::ContainerTask;
pub use kind::{Create, Delete, TaskKind, Update};
pub use outcome::{Created, Outcome, ProgressReport};
pub use runner::{fail, reconcile, run};

use crate::config::Settings;
use crate::error::Result;
use crate::repo::tasks::{self as q, NewTaskRow};
use crate::repo::Db;
use crate::storage::BlobStore;
use std::sync::Arc;
use uuid::Uuid;

/// What dispatching and running tasks needs. Cheap to clone.
#[derive(Clone)]
pub struct TaskContext {
    pub db: Db,
    pub store: BlobStore,
    /// The apalis queue tasks are pushed to (`None` only in tools that never dispatch).
    pub queue: Option<crate::tasks::Queue>,
    /// `workers` (embedded workers also start tasks in-process) and the housekeeping settings.
    pub settings: Arc<Settings>,
}

/// A task to dispatch.
pub struct NewTask {
    pub kind: TaskKind,
    /// Resources (PRNs, `pdrn:…`) no other task may hold while this one runs.
    pub exclusive: Vec<String>,
    pub created_by: Option<Uuid>,
    pub logging_cid: String,
}

pub async fn dispatch(ctx: &TaskContext, t: NewTask) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let (name, args) = t.kind.to_row()?;
    q::insert(&ctx.db.conn, &new_row(id, &t, name, args)).await?;
    enqueue(ctx, id).await;
    Ok(id)
}

/// Like [`dispatch`], unless a task of the same kind with the same arguments is still waiting:
/// then that task is returned and nothing is queued (requests do not pile up; a waiting task
/// has not started, so it does everything the new one would).
pub async fn dispatch_coalesced(ctx: &TaskContext, t: NewTask) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let (name, args) = t.kind.to_row()?;
    let row = new_row(id, &t, name, args);
    let txn = ctx.db.begin_write().await?;
    q::lock_dispatch(&*txn, row.name).await?;
    if let Some(waiting) = q::waiting_like(&*txn, row.name, &row.args).await? {
        return Ok(waiting);
    }
    q::insert(&*txn, &row).await?;
    txn.commit().await?;
    enqueue(ctx, id).await;
    Ok(id)
}

fn new_row<'a>(id: Uuid, t: &'a NewTask, name: &'a str, args: String) -> NewTaskRow<'a> {
    NewTaskRow {
        id,
        name,
        logging_cid: &t.logging_cid,
        created_by: t.created_by,
        args,
        reserved_resources: serde_json::to_string(&t.exclusive).unwrap_or_else(|_| "[]".into()),
    }
}

/// Queues the committed task `id` and, with embedded workers, starts it in-process too.
async fn enqueue(ctx: &TaskContext, id: Uuid) {
    if let Some(queue) = &ctx.queue {
        if let Err(e) = queue.push(id).await {
            tracing::warn!(error = ?e, task = %id, "could not queue task; reconcile will retry");
        }
    }
    if ctx.settings.workers > 0 {
        let ctx = ctx.clone();
        tokio::spawn(async move { run(&ctx, id).await });
    }
}

/// Starts `count` queue workers running tasks, and (with any) the reconcile loop.
pub fn spawn_workers(ctx: &TaskContext, count: usize) {
    let Some(queue) = ctx.queue.clone() else {
        return;
    };
    let runner_ctx = ctx.clone();
    let handler = crate::tasks::Handler::new(move |id| {
        let ctx = runner_ctx.clone();
        Box::pin(async move { run(&ctx, id).await })
    });
    crate::tasks::spawn_workers(&queue, count, handler);
    if count > 0 {
        tokio::spawn(runner::reconcile_forever(ctx.clone()));
    }
}

pub async fn get(db: &Db, id: Uuid) -> Result<Option<TaskRow>> {
    Ok(q::get(&db.conn, id).await?)
}

/// Cancels task `id`: a waiting task ends `canceled` here (and releases its locks); a running
/// one becomes `canceling`, and its runner stops the body, records `canceled` and releases its
/// locks itself. A task already final is left as it is.
pub async fn cancel(db: &Db, id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    q::cancel(&*txn, id).await?;
    if q::state(&*txn, id).await? == Some(TaskState::Canceled) {
        q::unlock(&*txn, id).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Deletes a task in a final state with its queue job; `false` when it is not final.
pub async fn delete_final(ctx: &TaskContext, id: Uuid) -> Result<bool> {
    if q::delete_final(&ctx.db.conn, id).await? == 0 {
        return Ok(false);
    }
    if let Some(queue) = &ctx.queue {
        queue.forget(&[id]).await?;
    }
    Ok(true)
}
