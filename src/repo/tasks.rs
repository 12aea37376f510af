//! Task rows (Pulp's task model) and the resource locks that keep tasks on the same resource
//! from running at once. States are bound from `domain::tasks::TaskState`, never spelled here.
use super::criteria;
use super::{exec, now, one, placeholders};
use crate::domain::query::{ListQuery, TaskFilter, TaskOrder};
use crate::domain::tasks::TaskState;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct TaskRow {
    pub id: Uuid,
    pub state: TaskState,
    pub name: String,
    pub logging_cid: String,
    pub created_by: Option<Uuid>,
    /// The dispatcher's integer id, which their href carries (`/users/<number>/`).
    pub created_by_number: Option<i64>,
    pub args: String,
    pub reserved_resources: String,
    pub progress_reports: String,
    pub created_resources: String,
    pub error: Option<String>,
    pub result: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub unblocked_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLS: &str = "t.id, t.state, t.name, t.logging_cid, t.created_by, t.args, t.reserved_resources, \
    t.progress_reports, t.created_resources, t.error, t.result, t.created_at, t.updated_at, t.unblocked_at, \
    t.started_at, t.finished_at, (SELECT u.number FROM users u WHERE u.id = t.created_by) AS created_by_number";

fn row(r: &QueryResult) -> Result<TaskRow, DbErr> {
    Ok(TaskRow {
        id: r.try_get("", "id")?,
        state: parse_state(r.try_get("", "state")?)?,
        name: r.try_get("", "name")?,
        logging_cid: r.try_get("", "logging_cid")?,
        created_by: r.try_get("", "created_by")?,
        created_by_number: r.try_get("", "created_by_number")?,
        args: r.try_get("", "args")?,
        reserved_resources: r.try_get("", "reserved_resources")?,
        progress_reports: r.try_get("", "progress_reports")?,
        created_resources: r.try_get("", "created_resources")?,
        error: r.try_get("", "error")?,
        result: r.try_get("", "result")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
        unblocked_at: r.try_get("", "unblocked_at")?,
        started_at: r.try_get("", "started_at")?,
        finished_at: r.try_get("", "finished_at")?,
    })
}

fn parse_state(s: String) -> Result<TaskState, DbErr> {
    s.parse().map_err(DbErr::Custom)
}

/// `state IN (?, …)` over `states`, with their values.
fn state_in(states: &[TaskState]) -> (String, Vec<Value>) {
    (
        format!("state IN ({})", placeholders(states.len())),
        states.iter().map(|s| Value::from(s.as_str())).collect(),
    )
}

pub struct NewTaskRow<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub logging_cid: &'a str,
    pub created_by: Option<Uuid>,
    pub args: String,
    pub reserved_resources: String,
}

pub async fn insert(c: &impl ConnectionTrait, t: &NewTaskRow<'_>) -> Result<(), DbErr> {
    let ts = now();
    exec(
        c,
        "INSERT INTO tasks (id, state, name, logging_cid, created_by, args, reserved_resources, progress_reports, \
         created_resources, error, result, created_at, updated_at, unblocked_at, started_at, finished_at, heartbeat_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, '[]', '[]', NULL, NULL, ?, ?, NULL, NULL, NULL, NULL)",
        vec![
            t.id.into(), TaskState::Waiting.as_str().into(), t.name.into(), t.logging_cid.into(), t.created_by.into(), t.args.clone().into(),
            t.reserved_resources.clone().into(), ts.into(), ts.into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn get(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<TaskRow>, DbErr> {
    let r = one(
        c,
        &format!("SELECT {COLS} FROM tasks t WHERE t.id = ?"),
        vec![id.into()],
    )
    .await?;
    r.as_ref().map(row).transpose()
}

pub async fn list(
    c: &impl ConnectionTrait,
    q: &ListQuery<TaskFilter, TaskOrder>,
) -> Result<(u64, Vec<TaskRow>), DbErr> {
    let (n, rows) = criteria::page(c, COLS, "tasks t", &super::lists::tasks(q)).await?;
    Ok((n, rows.iter().map(row).collect::<Result<_, _>>()?))
}

/// Moves `waiting → running` (only one caller wins); returns whether this call did.
pub async fn start(c: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let t = now();
    let n = exec(
        c,
        "UPDATE tasks SET state = ?, started_at = ?, unblocked_at = ?, heartbeat_at = ?, updated_at = ? \
         WHERE id = ? AND state = ?",
        vec![
            TaskState::Running.as_str().into(),
            t.into(),
            t.into(),
            t.into(),
            t.into(),
            id.into(),
            TaskState::Waiting.as_str().into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

pub async fn heartbeat(c: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    let (active, mut values) = state_in(&TaskState::ACTIVE);
    values.splice(0..0, [Value::from(now()), Value::from(id)]);
    exec(
        c,
        &format!("UPDATE tasks SET heartbeat_at = ? WHERE id = ? AND {active}"),
        values,
    )
    .await?;
    Ok(())
}

pub struct Finish {
    pub state: TaskState,
    pub error: Option<String>,
    pub created_resources: String,
    pub progress_reports: Option<String>,
    pub result: Option<String>,
}

/// Ends a task that is running or canceling.
pub async fn finish(c: &impl ConnectionTrait, id: Uuid, f: &Finish) -> Result<(), DbErr> {
    let t = now();
    let (open, open_values) =
        state_in(&[TaskState::Waiting, TaskState::Running, TaskState::Canceling]);
    let mut values: Vec<Value> = vec![
        f.state.as_str().into(),
        f.error.clone().into(),
        f.created_resources.clone().into(),
        f.progress_reports.clone().into(),
        f.result.clone().into(),
        t.into(),
        t.into(),
        id.into(),
    ];
    values.extend(open_values);
    exec(
        c,
        &format!(
            "UPDATE tasks SET state = ?, error = ?, created_resources = ?, progress_reports = COALESCE(?, progress_reports), \
             result = ?, finished_at = ?, updated_at = ? WHERE id = ? AND {open}"
        ),
        values,
    )
    .await?;
    Ok(())
}

/// `waiting → canceled` or `running → canceling`; returns the state now, or `None` if final.
pub async fn cancel(c: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let t = now();
    let a = exec(
        c,
        "UPDATE tasks SET state = ?, finished_at = ?, updated_at = ? WHERE id = ? AND state = ?",
        vec![
            TaskState::Canceled.as_str().into(),
            t.into(),
            t.into(),
            id.into(),
            TaskState::Waiting.as_str().into(),
        ],
    )
    .await?;
    let b = exec(
        c,
        "UPDATE tasks SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
        vec![
            TaskState::Canceling.as_str().into(),
            t.into(),
            id.into(),
            TaskState::Running.as_str().into(),
        ],
    )
    .await?;
    Ok(a + b > 0)
}

pub async fn state(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<TaskState>, DbErr> {
    let r = one(c, "SELECT state FROM tasks WHERE id = ?", vec![id.into()]).await?;
    r.map(|r| parse_state(r.try_get("", "state")?)).transpose()
}

pub async fn delete_final(c: &impl ConnectionTrait, id: Uuid) -> Result<u64, DbErr> {
    let (fin, mut values) = state_in(&TaskState::FINAL);
    values.insert(0, id.into());
    exec(
        c,
        &format!("DELETE FROM tasks WHERE id = ? AND {fin}"),
        values,
    )
    .await
}

/// Deletes final tasks finished before `before` in `states`; returns their ids.
pub async fn purge(
    c: &impl ConnectionTrait,
    before: DateTime<Utc>,
    states: &[TaskState],
    owner: Option<Uuid>,
) -> Result<Vec<Uuid>, DbErr> {
    if states.is_empty() {
        return Ok(vec![]);
    }
    let (in_states, state_values) = state_in(states);
    let mut values: Vec<Value> = vec![before.into()];
    values.extend(state_values);
    let mine = match owner {
        Some(o) => {
            values.push(o.into());
            " AND created_by = ?"
        }
        None => "",
    };
    super::all(
        c,
        &format!("DELETE FROM tasks WHERE finished_at < ? AND {in_states}{mine} RETURNING id"),
        values,
    )
    .await?
    .iter()
    .map(|r| r.try_get("", "id"))
    .collect()
}

/// Takes every lock in `resources` for `task`, or none (returns false on any conflict).
pub async fn try_lock(
    c: &impl ConnectionTrait,
    task: Uuid,
    resources: &[String],
) -> Result<bool, DbErr> {
    for r in resources {
        let n = exec(
            c,
            "INSERT INTO task_locks (resource, task_id) VALUES (?, ?) ON CONFLICT (resource) DO NOTHING",
            vec![r.clone().into(), task.into()],
        )
        .await?;
        if n == 0 {
            let holder = one(
                c,
                "SELECT task_id FROM task_locks WHERE resource = ?",
                vec![r.clone().into()],
            )
            .await?;
            let held_by_self = match holder {
                Some(h) => h.try_get::<Uuid>("", "task_id")? == task,
                None => false,
            };
            if !held_by_self {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

pub async fn unlock(c: &impl ConnectionTrait, task: Uuid) -> Result<(), DbErr> {
    exec(
        c,
        "DELETE FROM task_locks WHERE task_id = ?",
        vec![task.into()],
    )
    .await?;
    Ok(())
}

/// Tasks running (or canceling) whose heartbeat is older than `cutoff`.
pub async fn stale_running(
    c: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    let (active, mut values) = state_in(&TaskState::ACTIVE);
    values.push(cutoff.into());
    super::all(
        c,
        &format!(
            "SELECT id FROM tasks WHERE {active} AND (heartbeat_at IS NULL OR heartbeat_at < ?)"
        ),
        values,
    )
    .await?
    .iter()
    .map(|r| r.try_get("", "id"))
    .collect()
}

/// Tasks still waiting that were created before `cutoff`.
pub async fn stale_waiting(
    c: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    super::all(
        c,
        "SELECT id FROM tasks WHERE state = ? AND updated_at < ?",
        vec![TaskState::Waiting.as_str().into(), cutoff.into()],
    )
    .await?
    .iter()
    .map(|r| r.try_get("", "id"))
    .collect()
}

/// Marks a waiting task as re-queued (so the next reconcile waits again before re-pushing).
pub async fn touch(c: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE tasks SET updated_at = ? WHERE id = ? AND state = ?",
        vec![now().into(), id.into(), TaskState::Waiting.as_str().into()],
    )
    .await?;
    Ok(())
}

/// Serialises, until the transaction ends, dispatches of tasks named `name` that must not pile
/// up (PostgreSQL advisory lock; SQLite write transactions are already serialised).
pub async fn lock_dispatch(c: &impl ConnectionTrait, name: &str) -> Result<(), DbErr> {
    if c.get_database_backend() == sea_orm::DbBackend::Postgres {
        one(
            c,
            "SELECT 1 AS x FROM (SELECT pg_advisory_xact_lock(hashtext(?))) AS l",
            vec![format!("dispatch:{name}").into()],
        )
        .await?;
    }
    Ok(())
}

/// A task named `name` with exactly `args` that is still waiting, if any.
pub async fn waiting_like(
    c: &impl ConnectionTrait,
    name: &str,
    args: &str,
) -> Result<Option<Uuid>, DbErr> {
    one(
        c,
        "SELECT id FROM tasks WHERE name = ? AND args = ? AND state = ? \
         ORDER BY created_at LIMIT 1",
        vec![name.into(), args.into(), TaskState::Waiting.as_str().into()],
    )
    .await?
    .map(|r| r.try_get("", "id"))
    .transpose()
}
