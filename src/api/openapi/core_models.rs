//! Schemas of pulpcore's resources as berth renders them (tasks, status, users, roles, orphan
//! cleanup, the 202 body, error bodies, the registry token), under Pulp's component names.
//! Description only, like `container_models`.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use utoipa::ToSchema;

/// The body of every 202: the task that does the work.
#[derive(ToSchema)]
pub struct AsyncOperationResponse {
    task: String,
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

/// An asynchronous task.
#[derive(ToSchema)]
pub struct TaskResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    state: TaskState,
    name: String,
    logging_cid: String,
    created_by: Option<String>,
    #[schema(format = DateTime)]
    unblocked_at: Option<String>,
    #[schema(format = DateTime)]
    started_at: Option<String>,
    #[schema(format = DateTime)]
    finished_at: Option<String>,
    #[schema(value_type = Option<Object>)]
    error: Option<HashMap<String, Value>>,
    worker: Option<String>,
    parent_task: Option<String>,
    child_tasks: Vec<String>,
    task_group: Option<String>,
    #[schema(value_type = Vec<Object>)]
    progress_reports: Vec<Value>,
    created_resources: Vec<String>,
    created_resource_prns: Vec<String>,
    reserved_resources_record: Vec<String>,
    /// What the task returned (any JSON), if anything.
    #[schema(value_type = Value)]
    result: Option<Value>,
    pulp_api_version: Option<String>,
}

/// The only change a client may make to a task: cancel it.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchedTaskCancel {
    #[schema(value_type = String, pattern = "^canceled$")]
    state: String,
}

/// Delete finished tasks.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purge {
    #[schema(format = DateTime)]
    finished_before: Option<String>,
    states: Option<Vec<TaskState>>,
}

/// An error: `{"detail": "…"}`, `{"field": ["…"]}` or `{"errors": ["…"]}`, as DRF renders them.
#[derive(ToSchema)]
#[schema(as = ErrorResponse)]
pub struct ErrorResponse {
    detail: Option<String>,
    errors: Option<Vec<String>>,
    non_field_errors: Option<Vec<String>>,
}

/// A registry bearer token (docker's token protocol).
#[derive(ToSchema)]
pub struct TokenResponse {
    token: String,
    access_token: String,
    expires_in: i64,
    #[schema(format = DateTime)]
    issued_at: String,
}
