//! `/pulp/api/v3/task-schedules/`: pulpcore's list and read (its operationIds and tag), and
//! berth's create, update, partial update and delete.
use super::ops::{Loc, Op};
use crate::api::pulp::task_schedules;
use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

const TAG: &str = "Task-Schedules";

pub fn ops() -> Vec<Op> {
    let list = Loc::Lit("/pulp/api/v3/task-schedules/");
    let one = Loc::Href(
        "task_schedule_href",
        "/pulp/api/v3/task-schedules/{pulp_id}/",
        "",
    );
    vec![
        Op::new(Get, list, "task_schedules_list", TAG, "List task schedules")
            .list(task_schedules::FILTERS, "TaskScheduleResponse"),
        Op::new(
            Post,
            list,
            "task_schedules_create",
            TAG,
            "Create a task schedule",
        )
        .body("TaskSchedule")
        .ok(201, "TaskScheduleResponse"),
        Op::new(
            Get,
            one,
            "task_schedules_read",
            TAG,
            "Inspect a task schedule",
        )
        .fields()
        .ok(200, "TaskScheduleResponse"),
        Op::new(
            Put,
            one,
            "task_schedules_update",
            TAG,
            "Update a task schedule",
        )
        .body("TaskSchedule")
        .ok(200, "TaskScheduleResponse"),
        Op::new(
            Patch,
            one,
            "task_schedules_partial_update",
            TAG,
            "Update a task schedule",
        )
        .optional_body("PatchedTaskSchedule")
        .ok(200, "TaskScheduleResponse"),
        Op::new(
            Delete,
            one,
            "task_schedules_delete",
            TAG,
            "Delete a task schedule",
        )
        .empty(204),
    ]
}
