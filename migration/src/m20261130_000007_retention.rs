//! Retention policies and pull tracking.
//! - `retention_policies`: a policy's scope (namespace, repository globs as JSON arrays), its
//!   rules (JSON, `domain::retention::RuleSpec` list), `delay`/`undo_window` in seconds,
//!   `allow_empty`, `enabled`, and an optional `schedule_seconds` (the interval of its
//!   scheduled run; the schedule row itself lives with the task schedules).
//! - `repository_pulls`: per repository and content unit (a tag or a manifest), when it was
//!   last pulled and how often; written in batches by the pull tracker.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000007_retention"
    }
}

fn col(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("retention_policies"))
                .col(col("id").uuid().not_null().primary_key())
                .col(col("name").text().not_null().unique_key())
                .col(col("namespace_id").uuid().null())
                .col(col("repositories").text().not_null())
                .col(col("exclude_repositories").text().not_null())
                .col(col("rules").text().not_null())
                .col(col("enabled").boolean().not_null())
                .col(col("delay_seconds").big_integer().not_null())
                .col(col("allow_empty").boolean().not_null())
                .col(col("undo_window_seconds").big_integer().not_null())
                .col(col("schedule_seconds").big_integer().null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .col(col("updated_at").timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_retention_policies_namespace_id")
                        .from(Alias::new("retention_policies"), Alias::new("namespace_id"))
                        .to(Alias::new("namespaces"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_retention_policies_namespace_id")
                .table(Alias::new("retention_policies"))
                .col(Alias::new("namespace_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("repository_pulls"))
                .col(col("repository_id").uuid().not_null())
                .col(col("content_id").uuid().not_null())
                .col(col("last_pulled_at").timestamp_with_time_zone().not_null())
                .col(col("pull_count").big_integer().not_null())
                .primary_key(
                    Index::create()
                        .col(Alias::new("repository_id"))
                        .col(Alias::new("content_id")),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_repository_pulls_repository_id")
                        .from(Alias::new("repository_pulls"), Alias::new("repository_id"))
                        .to(Alias::new("repositories"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["repository_pulls", "retention_policies"] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
