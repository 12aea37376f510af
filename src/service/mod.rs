//! Use cases and rules. Handlers call these; these call `repo`, `storage` and `domain`.
pub mod auth;
pub mod blobs;
pub mod listing;
pub mod maintenance;
pub mod manifests;
pub mod repositories;
pub mod uploads;
pub mod versions;
