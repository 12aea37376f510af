//! The request and view types of `/pulp/api/v3/tasks/` and the 202 body (also their OpenAPI
//! schemas, under pulpcore's names).
use super::body::Body;
use super::errors::PulpResult;
use crate::domain::hrefs;
use crate::error::field_errors as fe;
use crate::service::lists::TaskRow;
use serde_json::Value;
use utoipa::ToSchema;

/// The body of every 202: the task that does the work.
#[derive(ToSchema, serde::Serialize)]
pub struct AsyncOperationResponse {
    pub task: String,
}

/// A task's life cycle.
#[derive(ToSchema, serde::Deserialize)]
#[schema(as = StateEnum)]
#[allow(non_camel_case_types)]
pub enum TaskState {
    waiting,
    skipped,
    running,
    completed,
    failed,
    canceled,
    canceling,
}

/// Why a task failed (pulpcore's `exception_to_dict`). Schema only: the stored record is passed
/// through as the runner wrote it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TaskError {
    /// What went wrong, for people.
    description: String,
    /// Pulp's Python traceback; berth writes an empty string.
    traceback: String,
}

/// One step of a task's work (schema only: the stored reports are passed through).
#[derive(ToSchema)]
#[schema(as = ProgressReportResponse)]
#[allow(dead_code)]
pub struct ProgressReport {
    /// What the step does, for people (`Clean up orphan Content`).
    message: String,
    /// What the step does, for programs (`clean-up.content`).
    code: String,
    #[schema(value_type = TaskState)]
    state: String,
    /// How many units the step has to handle, if known.
    #[schema(required = true)]
    total: Option<i64>,
    /// How many it handled.
    #[schema(required = true)]
    done: Option<i64>,
    /// A detail appended to the message, if any.
    #[schema(required = true)]
    suffix: Option<String>,
}

/// An asynchronous task.
// Stored JSON (error, progress, resources, result) is passed through as it is.
#[derive(ToSchema, serde::Serialize)]
pub struct TaskResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    #[schema(value_type = TaskState)]
    state: String,
    name: String,
    logging_cid: String,
    #[schema(required = true)]
    created_by: Option<String>,
    #[schema(format = DateTime, required = true)]
    unblocked_at: Option<String>,
    #[schema(format = DateTime, required = true)]
    started_at: Option<String>,
    #[schema(format = DateTime, required = true)]
    finished_at: Option<String>,
    #[schema(value_type = Option<TaskError>, required = true)]
    error: Option<Value>,
    #[schema(required = true)]
    worker: Option<String>,
    #[schema(required = true)]
    parent_task: Option<String>,
    child_tasks: Vec<String>,
    #[schema(required = true)]
    task_group: Option<String>,
    #[schema(value_type = Vec<ProgressReport>)]
    progress_reports: Value,
    #[schema(value_type = Vec<String>)]
    created_resources: Vec<Value>,
    #[schema(value_type = Vec<String>)]
    created_resource_prns: Vec<Value>,
    #[schema(value_type = Vec<String>)]
    reserved_resources_record: Value,
    /// What the task returned (any JSON), if anything.
    #[schema(value_type = Value)]
    result: Option<Value>,
    #[schema(required = true)]
    pulp_api_version: Option<String>,
}

impl From<&TaskRow> for TaskResponse {
    fn from(t: &TaskRow) -> Self {
        let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
        let created: Vec<Value> = serde_json::from_str(&t.created_resources).unwrap_or_default();
        let ts = |d: Option<chrono::DateTime<chrono::Utc>>| d.map(hrefs::timestamp);
        TaskResponse {
            pulp_href: hrefs::task(t.id),
            prn: hrefs::prn("core.task", t.id),
            pulp_created: hrefs::timestamp(t.created_at),
            pulp_last_updated: hrefs::timestamp(t.updated_at),
            state: t.state.as_str().to_string(),
            name: t.name.clone(),
            logging_cid: t.logging_cid.clone(),
            created_by: t.created_by_number.map(super::users::href),
            unblocked_at: ts(t.unblocked_at),
            started_at: ts(t.started_at),
            finished_at: ts(t.finished_at),
            error: t.error.as_deref().map(parse),
            worker: None,
            parent_task: None,
            child_tasks: vec![],
            task_group: None,
            progress_reports: parse(&t.progress_reports),
            created_resources: created.iter().map(|c| c["href"].clone()).collect(),
            created_resource_prns: created.iter().map(|c| c["prn"].clone()).collect(),
            reserved_resources_record: parse(&t.reserved_resources),
            result: t.result.as_deref().map(parse),
            pulp_api_version: Some("v3".into()),
        }
    }
}

/// The only change a client may make to a task: cancel it.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchedTaskCancel {
    #[schema(value_type = String, pattern = "^canceled$")]
    pub state: String,
}

impl PatchedTaskCancel {
    pub fn parse(bytes: &[u8]) -> PulpResult<PatchedTaskCancel> {
        let b = Body::parse::<PatchedTaskCancel>(bytes)?;
        match b.get("state").and_then(Value::as_str) {
            Some("canceled") => Ok(PatchedTaskCancel {
                state: "canceled".into(),
            }),
            _ => Err(fe::field(
                "state",
                "The only acceptable value for 'state' is 'canceled'.",
            )
            .into()),
        }
    }
}

/// Delete finished tasks.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purge {
    #[schema(format = DateTime)]
    pub finished_before: Option<String>,
    pub states: Option<Vec<TaskState>>,
}
