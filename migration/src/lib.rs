//! Schema migrations for berth: one file per schema change, the same set for SQLite and
//! PostgreSQL. Migrations describe tables with sea-query and never import the app's code.
pub use sea_orm_migration::prelude::*;

mod m20261122_000001_initial;
mod m20261122_000002_pulp_api;
mod m20261122_000003_access_control;
mod m20261130_000004_repository_tags;
mod m20261130_000005_schedules;
mod m20261130_000006_upload_owner;
mod m20261130_000007_retention;
mod m20261130_000008_version_expiries;
mod m20261130_000009_task_schedules;
mod m20261130_000010_ui_sessions;
mod m20261130_000011_container_repositories;
mod m20261130_000012_namespace_quotas;
mod m20261130_000013_backup_holds_key_rotation;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_initial::Migration),
            Box::new(m20261122_000002_pulp_api::Migration),
            Box::new(m20261122_000003_access_control::Migration),
            Box::new(m20261130_000004_repository_tags::Migration),
            Box::new(m20261130_000005_schedules::Migration),
            Box::new(m20261130_000006_upload_owner::Migration),
            Box::new(m20261130_000007_retention::Migration),
            Box::new(m20261130_000008_version_expiries::Migration),
            Box::new(m20261130_000009_task_schedules::Migration),
            Box::new(m20261130_000010_ui_sessions::Migration),
            Box::new(m20261130_000011_container_repositories::Migration),
            Box::new(m20261130_000012_namespace_quotas::Migration),
            Box::new(m20261130_000013_backup_holds_key_rotation::Migration),
        ]
    }
}
