//! The preview and run actions of retention policies (a berth extension), under the
//! policies' tag.
use super::ops::{Loc, Op};
use utoipa::openapi::path::HttpMethod::Post;

const POLICY: &str = "retention_policy_href";
const POLICY_PK: &str = "/pulp/api/v3/retention_policies/{pulp_id}/";
const TAG: &str = super::retention_paths::T_POLICY;

pub fn ops() -> Vec<Op> {
    vec![
        Op::new(
            Post,
            Loc::Href(POLICY, POLICY_PK, "preview/"),
            "retention_policies_preview",
            TAG,
            "Preview what a retention policy keeps and removes",
        )
        .query("limit")
        .ok(200, "RetentionPreview"),
        Op::new(
            Post,
            Loc::Href(POLICY, POLICY_PK, "run/"),
            "retention_policies_run",
            TAG,
            "Run a retention policy (or dry-run it)",
        )
        .optional_body("RetentionRun")
        .ok(202, "AsyncOperationResponse"),
    ]
}
