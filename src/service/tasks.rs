//! Tasks: Pulp's task model on apalis. [`dispatch`] writes the task row (`waiting`) and queues
//! a job carrying its id; [`run`] takes the task's resource locks (tasks sharing a resource
//! never run at once), moves it to `running` exactly once, executes its body from
//! `task_bodies`, and records the outcome. In a process with embedded workers the task also
//! starts at once in-process (Pulp's "immediate" tasks); the queued job then finds it taken.
//! A running task that is canceled (`canceling`) is stopped by its runner, which polls for it,
//! drops the body (rolling back its open transaction) and records `canceled`.
use super::task_bodies::{self, Outcome};
use crate::domain::hrefs;
use crate::error::{Error, Result};
use crate::repo::tasks::{self as q, Finish, NewTaskRow};
use crate::state::AppState;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

pub use task_bodies::{
    GENERAL_CREATE, GENERAL_MULTI_DELETE, GENERAL_UPDATE, ORPHAN_CLEANUP, REMOVE_IMAGE, TAG, UNTAG,
};
pub const PURGE: &str = "pulpcore.app.tasks.purge.purge";

/// How often a running task checks whether it was canceled.
const CANCEL_POLL: Duration = Duration::from_millis(250);

pub struct NewTask {
    pub name: &'static str,
    pub args: Value,
    pub exclusive: Vec<String>,
    pub created_by: Option<Uuid>,
    pub logging_cid: String,
}

pub async fn dispatch(state: &AppState, t: NewTask) -> Result<Uuid> {
    let id = Uuid::now_v7();
    q::insert(&state.db.conn, &new_row(id, &t)).await?;
    enqueue(state, id).await;
    Ok(id)
}

/// Like [`dispatch`], unless a task with the same name and arguments is still waiting: then
/// that task is returned and nothing is queued (requests do not pile up; a waiting task has not
/// started, so it does everything the new one would).
pub async fn dispatch_coalesced(state: &AppState, t: NewTask) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let row = new_row(id, &t);
    let txn = state.db.begin_write().await?;
    q::lock_dispatch(&*txn, t.name).await?;
    if let Some(waiting) = q::waiting_like(&*txn, t.name, &row.args).await? {
        return Ok(waiting);
    }
    q::insert(&*txn, &row).await?;
    txn.commit().await?;
    enqueue(state, id).await;
    Ok(id)
}

fn new_row(id: Uuid, t: &NewTask) -> NewTaskRow<'_> {
    NewTaskRow {
        id,
        name: t.name,
        logging_cid: &t.logging_cid,
        created_by: t.created_by,
        args: t.args.to_string(),
        reserved_resources: serde_json::to_string(&t.exclusive).unwrap_or_else(|_| "[]".into()),
    }
}

/// Queues the committed task `id` and, with embedded workers, starts it in-process too.
async fn enqueue(state: &AppState, id: Uuid) {
    if let Some(queue) = &state.queue {
        if let Err(e) = queue.push(id).await {
            tracing::warn!(error = ?e, task = %id, "could not queue task; reconcile will retry");
        }
    }
    if state.settings.workers > 0 {
        let st = state.clone();
        tokio::spawn(async move { run(&st, id).await });
    }
}

/// Runs task `id` if it is still waiting; any failure is recorded on the task.
pub async fn run(state: &AppState, id: Uuid) {
    if let Err(e) = run_inner(state, id).await {
        tracing::error!(error = ?e, task = %id, "task runner failed");
        let _ = fail(state, id, "internal error while running the task").await;
    }
}

/// Takes the locks and starts the task; `false` when it is no longer waiting.
async fn acquire(state: &AppState, id: Uuid, resources: &[String]) -> Result<bool> {
    let mut wait = Duration::from_millis(5);
    loop {
        let txn = state.db.begin_write().await?;
        if q::state(&*txn, id).await?.as_deref() != Some("waiting") {
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

async fn run_inner(state: &AppState, id: Uuid) -> Result<()> {
    let Some(task) = q::get(&state.db.conn, id).await? else {
        return Ok(());
    };
    if task.state != "waiting" {
        return Ok(());
    }
    let resources: Vec<String> = serde_json::from_str(&task.reserved_resources).unwrap_or_default();
    if !acquire(state, id, &resources).await? {
        return Ok(());
    }
    let beat = {
        let db = state.db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(10));
            loop {
                tick.tick().await;
                let _ = q::heartbeat(&db.conn, id).await;
            }
        })
    };
    let args: Value = serde_json::from_str(&task.args).unwrap_or(Value::Null);
    // A cancel (`running → canceling`, from any replica) stops the body at its next await:
    // dropping it rolls back the transaction it has open. Steps it already committed stay, as
    // when a worker is killed (orphan cleanup is built to be safe there, ARCHITECTURE.md §5).
    let outcome = tokio::select! {
        o = execute(state, &task.name, &args) => Some(o),
        () = canceled(state, id) => None,
    };
    beat.abort();
    let finish = match outcome {
        None => Finish {
            state: "canceled",
            error: None,
            created_resources: "[]".into(),
            progress_reports: None,
            result: None,
        },
        Some(Ok(o)) => Finish {
            state: "completed",
            error: None,
            created_resources: created(state, &o.created_resources).await,
            progress_reports: (!o.progress_reports.is_empty())
                .then(|| Value::from(o.progress_reports).to_string()),
            result: o.result.map(|r| r.to_string()),
        },
        Some(Err(e)) => Finish {
            state: "failed",
            error: Some(json!({"description": describe(&e), "traceback": ""}).to_string()),
            created_resources: "[]".into(),
            progress_reports: None,
            result: None,
        },
    };
    let txn = state.db.begin_write().await?;
    q::finish(&*txn, id, &finish).await?;
    q::unlock(&*txn, id).await?;
    txn.commit().await?;
    Ok(())
}

/// Resolves once task `id` is marked `canceling` (polled: the cancel may come from any replica).
async fn canceled(state: &AppState, id: Uuid) {
    let mut tick = tokio::time::interval(CANCEL_POLL);
    loop {
        tick.tick().await;
        if let Ok(Some(s)) = q::state(&state.db.conn, id).await {
            if s == "canceling" {
                return;
            }
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

async fn execute(state: &AppState, name: &str, args: &Value) -> Result<Outcome> {
    if name == PURGE {
        let before: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(args["finished_before"].clone())
                .map_err(|e| Error::Internal(format!("purge argument: {e}")))?;
        let states: Vec<String> =
            serde_json::from_value(args["states"].clone()).unwrap_or_default();
        let owner: Option<uuid::Uuid> = args
            .get("owner")
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        let ids = q::purge(&state.db.conn, before, &states, owner).await?;
        if let Some(queue) = &state.queue {
            queue.forget(&ids).await?;
        }
        let n = ids.len();
        return Ok(Outcome {
            progress_reports: vec![
                json!({"message": "Purged old tasks", "code": "purge.tasks.total", "state": "completed",
                                         "total": n, "done": n, "suffix": null}),
            ],
            ..Default::default()
        });
    }
    task_bodies::execute(state, name, args)
        .await?
        .ok_or_else(|| Error::Internal(format!("unknown task '{name}'")))
}

/// Deletes a task in a final state with its queue job; `false` when it is not final.
pub async fn delete_final(state: &AppState, id: Uuid) -> Result<bool> {
    if q::delete_final(&state.db.conn, id).await? == 0 {
        return Ok(false);
    }
    if let Some(queue) = &state.queue {
        queue.forget(&[id]).await?;
    }
    Ok(true)
}

/// `[{"href": …, "prn": …}]` for the resources a task created.
async fn created(state: &AppState, resources: &[String]) -> String {
    let mut out = vec![];
    for href in resources {
        out.push(json!({"href": href, "prn": prn_of(state, href).await}));
    }
    Value::from(out).to_string()
}

async fn prn_of(state: &AppState, href: &str) -> Option<String> {
    if let Some((repo, n)) = crate::api::pulp::content::version_ref(href) {
        let v = crate::repo::push_repos::version(&state.db.conn, repo, n)
            .await
            .ok()
            .flatten()?;
        return Some(hrefs::prn("core.repositoryversion", v.id));
    }
    hrefs::href_to_prn(href)
}

/// Marks a task failed (worker died, or the runner itself failed) and releases its locks.
pub async fn fail(state: &AppState, id: Uuid, description: &str) -> Result<()> {
    let txn = state.db.begin_write().await?;
    let f = Finish {
        state: "failed",
        error: Some(json!({"description": description, "traceback": ""}).to_string()),
        created_resources: "[]".into(),
        progress_reports: None,
        result: None,
    };
    q::finish(&*txn, id, &f).await?;
    q::unlock(&*txn, id).await?;
    txn.commit().await?;
    Ok(())
}
