//! berth's own operations in Pulp's conventions: retention policies (list, create, read,
//! update, partial update, delete) under a tag of their own.
use super::ops::{Loc, Op};
use crate::api::pulp::{filters, retention_policies};
use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

pub const POLICY: &str = "retention_policy_href";
pub const POLICY_PK: &str = "/pulp/api/v3/retention_policies/{pulp_id}/";
pub const T_POLICY: &str = "Retention: Policies";
const VIEW: &str = "berth.RetentionPolicyResponse";

pub fn ops() -> Vec<Op> {
    let list = Loc::Lit(retention_policies::PREFIX);
    let one = Loc::Href(POLICY, POLICY_PK, "");
    let mut list_filters: Vec<&str> = filters::NAME_LOOKUPS.to_vec();
    list_filters.extend_from_slice(retention_policies::FILTERS);
    vec![
        Op::new(
            Get,
            list,
            "retention_policies_list",
            T_POLICY,
            "List retention policies",
        )
        .list(&list_filters, VIEW),
        Op::new(
            Post,
            list,
            "retention_policies_create",
            T_POLICY,
            "Create a retention policy",
        )
        .body("berth.RetentionPolicy")
        .ok(201, VIEW),
        Op::new(
            Get,
            one,
            "retention_policies_read",
            T_POLICY,
            "Inspect a retention policy",
        )
        .fields()
        .ok(200, VIEW),
        Op::new(
            Put,
            one,
            "retention_policies_update",
            T_POLICY,
            "Update a retention policy",
        )
        .body("berth.RetentionPolicy")
        .ok(200, VIEW),
        Op::new(
            Patch,
            one,
            "retention_policies_partial_update",
            T_POLICY,
            "Update a retention policy",
        )
        .optional_body("Patchedberth.RetentionPolicy")
        .ok(200, VIEW),
        Op::new(
            Delete,
            one,
            "retention_policies_delete",
            T_POLICY,
            "Delete a retention policy",
        )
        .empty(204),
    ]
}
