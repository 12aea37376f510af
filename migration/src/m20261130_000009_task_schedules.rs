//! `task_schedules`: Pulp's TaskSchedule, the periodic tasks an administrator (or a retention
//! policy's `schedule`) asks for. One row per schedule: the task's name and JSON arguments,
//! its interval in seconds, when it is next due, the last task it dispatched (cleared when that
//! task is purged) and, for a retention policy's schedule, the policy (unique: one schedule per
//! policy; deleting the policy deletes its schedule). Claimed like `schedules`: one atomic
//! `UPDATE … WHERE next_dispatch <= now` per due slot, so each slot runs once across replicas.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000009_task_schedules"
    }
}

fn col(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let t = || Alias::new("task_schedules");
        m.create_table(
            Table::create()
                .table(t())
                .col(col("id").uuid().not_null().primary_key())
                .col(col("name").text().not_null().unique_key())
                .col(col("task_name").text().not_null())
                .col(col("args").text().not_null())
                .col(col("dispatch_interval_seconds").big_integer().not_null())
                .col(col("next_dispatch").timestamp_with_time_zone().not_null())
                .col(col("last_task_id").uuid().null())
                .col(col("policy_id").uuid().null().unique_key())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .col(col("updated_at").timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_task_schedules_policy_id")
                        .from(t(), Alias::new("policy_id"))
                        .to(Alias::new("retention_policies"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_task_schedules_last_task_id")
                        .from(t(), Alias::new("last_task_id"))
                        .to(Alias::new("tasks"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_task_schedules_next_dispatch")
                .table(t())
                .col(Alias::new("next_dispatch"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("task_schedules")).to_owned())
            .await
    }
}
