//! Use cases and rules. Handlers call these; these call `repo`, `storage` and `domain`.
pub mod auth;
pub mod blobs;
pub mod distributions;
pub mod listing;
pub mod maintenance;
pub mod manifests;
pub mod namespaces;
pub mod orphans;
pub mod policy;
pub mod push_repos;
pub mod repositories;
pub mod retention;
pub mod roles;
pub mod task_bodies;
pub mod tasks;
pub mod uploads;
pub mod versions;
