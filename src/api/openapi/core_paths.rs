//! pulpcore's operations berth implements: status, liveness, tasks, orphans, users, user roles,
//! roles, and the registry's token service, with Pulp's operationIds and tags.
use super::ops::{Loc, Op};
use crate::api::pulp::{roles, tasks, users};
use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

const TASK: &str = "task_href";
const TASK_PK: &str = "/pulp/api/v3/tasks/{pulp_id}/";
const USER: &str = "auth_user_href";
const USER_PK: &str = "/pulp/api/v3/users/{id}/";
const USER_ROLE: &str = "auth_users_user_role_href";
const USER_ROLE_PK: &str = "/pulp/api/v3/users/{user_id}/roles/{pulp_id}/";
const ROLE: &str = "role_href";
const ROLE_PK: &str = "/pulp/api/v3/roles/{pulp_id}/";

pub fn ops() -> Vec<Op> {
    let tasks_list = Loc::Lit("/pulp/api/v3/tasks/");
    let task = Loc::Href(TASK, TASK_PK, "");
    let users_list = Loc::Lit("/pulp/api/v3/users/");
    let user = Loc::Href(USER, USER_PK, "");
    let roles_list = Loc::Lit("/pulp/api/v3/roles/");
    let role = Loc::Href(ROLE, ROLE_PK, "");
    let user_roles = Loc::Href(USER, USER_PK, "roles/");
    let user_role = Loc::Href(USER_ROLE, USER_ROLE_PK, "");
    let mut user_filters: Vec<String> = users::FILTERS.iter().map(|s| s.to_string()).collect();
    user_filters.extend(users::text_filters());
    let mut role_filters: Vec<&str> = roles::FILTERS.to_vec();
    role_filters.extend_from_slice(crate::api::pulp::filters::NAME_LOOKUPS);
    vec![
        Op::new(
            Get,
            Loc::Lit("/pulp/api/v3/status/"),
            "status_read",
            "Status",
            "Inspect status of Pulp",
        )
        .anonymous()
        .ok(200, "StatusResponse"),
        Op::new(
            Get,
            Loc::Lit("/pulp/api/v3/livez/"),
            "livez_read",
            "Livez",
            "Inspect liveness of Pulp's REST API.",
        )
        .anonymous()
        .empty(200),
        Op::new(Get, tasks_list, "tasks_list", "Tasks", "List tasks")
            .list(tasks::FILTERS, "TaskResponse"),
        Op::new(Get, task, "tasks_read", "Tasks", "Inspect a task")
            .fields()
            .ok(200, "TaskResponse"),
        Op::new(Patch, task, "tasks_cancel", "Tasks", "Cancel a task")
            .body("PatchedTaskCancel")
            .ok(200, "TaskResponse")
            .ok(409, "TaskResponse"),
        Op::new(
            Delete,
            task,
            "tasks_delete",
            "Tasks",
            "Delete a finished task",
        )
        .empty(204)
        .empty(409),
        Op::new(
            Post,
            Loc::Lit("/pulp/api/v3/tasks/purge/"),
            "tasks_purge",
            "Tasks",
            "Purge completed tasks",
        )
        .optional_body("Purge")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Delete,
            Loc::Lit("/pulp/api/v3/orphans/"),
            "orphans_delete",
            "Orphans",
            "Delete orphans (deprecated: use orphans/cleanup/)",
        )
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Post,
            Loc::Lit("/pulp/api/v3/orphans/cleanup/"),
            "orphans_cleanup_cleanup",
            "Orphans Cleanup",
            "Clean up orphaned content and purge unreferenced blobs",
        )
        .optional_body("OrphansCleanup")
        .ok(202, "AsyncOperationResponse"),
        Op::new(Get, users_list, "users_list", "Users", "List users")
            .list(&user_filters, "UserResponse"),
        Op::new(Post, users_list, "users_create", "Users", "Create a user")
            .body("User")
            .ok(201, "UserResponse"),
        Op::new(Get, user, "users_read", "Users", "Inspect a user")
            .fields()
            .ok(200, "UserResponse"),
        Op::new(Put, user, "users_update", "Users", "Update a user")
            .body("User")
            .ok(200, "UserResponse"),
        Op::new(
            Patch,
            user,
            "users_partial_update",
            "Users",
            "Update a user",
        )
        .optional_body("PatchedUser")
        .ok(200, "UserResponse"),
        Op::new(Delete, user, "users_delete", "Users", "Delete a user").empty(204),
        Op::new(
            Get,
            user_roles,
            "users_roles_list",
            "Users: Roles",
            "List user roles",
        )
        .list(users::ROLE_FILTERS, "UserRoleResponse"),
        Op::new(
            Post,
            user_roles,
            "users_roles_create",
            "Users: Roles",
            "Give a user a role",
        )
        .body("UserRole")
        .ok(201, "UserRoleResponse"),
        Op::new(
            Get,
            user_role,
            "users_roles_read",
            "Users: Roles",
            "Inspect a user role",
        )
        .fields()
        .ok(200, "UserRoleResponse"),
        Op::new(
            Delete,
            user_role,
            "users_roles_delete",
            "Users: Roles",
            "Take a role from a user",
        )
        .empty(204),
        Op::new(Get, roles_list, "roles_list", "Roles", "List roles")
            .list(&role_filters, "RoleResponse"),
        Op::new(Post, roles_list, "roles_create", "Roles", "Create a role")
            .body("Role")
            .ok(201, "RoleResponse"),
        Op::new(Get, role, "roles_read", "Roles", "Inspect a role")
            .fields()
            .ok(200, "RoleResponse"),
        Op::new(Put, role, "roles_update", "Roles", "Update a role")
            .body("Role")
            .ok(200, "RoleResponse"),
        Op::new(
            Patch,
            role,
            "roles_partial_update",
            "Roles",
            "Update a role",
        )
        .optional_body("PatchedRole")
        .ok(200, "RoleResponse"),
        Op::new(Delete, role, "roles_delete", "Roles", "Delete a role").empty(204),
        Op::new(
            Get,
            Loc::Lit("/token/"),
            "token_get",
            "Token",
            "Get a registry bearer token for the requested scopes",
        )
        .query("service")
        .query("scope")
        .query("account")
        .anonymous()
        .ok(200, "TokenResponse"),
    ]
}
