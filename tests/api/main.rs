//! The one integration-test binary: every test drives the real HTTP server (`TestApp`), on
//! SQLite by default or on PostgreSQL when `BERTH_TEST_DATABASE_URL` names a server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod delete_races;
mod layering;
mod oci_base;
mod oci_blobs;
mod oci_concurrency;
mod oci_disconnect;
mod oci_manifests;
mod oci_uploads;
mod openapi;
mod protocol_connections;
mod protocol_input;
mod protocol_races;
mod pull_tracking;
mod pulp_orphans_race;
mod pulp_requests;
mod pulp_tasks;
mod pulp_users_roles;
mod pulp_validation;
mod pulp_walkthrough;
mod rbac;
mod reclaim_delete;
mod reclaim_race;
mod reclaim_scheduler;
mod reclaim_tasks;
mod registry_tokens;
mod security_access;
mod security_files;
mod security_signin;
mod security_tokens;
mod skopeo;
mod storage_contract;
mod storage_fsck;
mod storage_housekeeping;
mod storage_upload_path;
mod tag_index;
