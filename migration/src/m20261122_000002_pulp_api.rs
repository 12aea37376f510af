//! Management-API state: labels and flags on namespaces, distributions and repositories, and the
//! task table (Pulp's task model; apalis only carries task ids) with its resource locks.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000002_pulp_api"
    }
}

fn add(table: &'static str, col: ColumnDef) -> TableAlterStatement {
    Table::alter()
        .table(Alias::new(table))
        .add_column(col)
        .to_owned()
}

fn labels() -> ColumnDef {
    ColumnDef::new(Alias::new("pulp_labels"))
        .text()
        .not_null()
        .default("{}")
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(add("namespaces", labels())).await?;
        m.alter_table(add("repositories", labels())).await?;
        m.alter_table(add("distributions", labels())).await?;
        m.alter_table(add(
            "distributions",
            ColumnDef::new(Alias::new("hidden"))
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ))
        .await?;
        m.alter_table(add(
            "distributions",
            ColumnDef::new(Alias::new("repository_version_id"))
                .uuid()
                .null()
                .to_owned(),
        ))
        .await?;
        let text = |n: &'static str| ColumnDef::new(Alias::new(n)).text().not_null().to_owned();
        let text_null = |n: &'static str| ColumnDef::new(Alias::new(n)).text().null().to_owned();
        let ts = |n: &'static str| {
            ColumnDef::new(Alias::new(n))
                .timestamp_with_time_zone()
                .not_null()
                .to_owned()
        };
        let ts_null = |n: &'static str| {
            ColumnDef::new(Alias::new(n))
                .timestamp_with_time_zone()
                .null()
                .to_owned()
        };
        m.create_table(
            Table::create()
                .table(Alias::new("tasks"))
                .col(
                    ColumnDef::new(Alias::new("id"))
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(text("state"))
                .col(text("name"))
                .col(text("logging_cid"))
                .col(ColumnDef::new(Alias::new("created_by")).uuid().null())
                .col(text("args"))
                .col(text("reserved_resources"))
                .col(text("progress_reports"))
                .col(text("created_resources"))
                .col(text_null("error"))
                .col(text_null("result"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .col(ts_null("unblocked_at"))
                .col(ts_null("started_at"))
                .col(ts_null("finished_at"))
                .col(ts_null("heartbeat_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_tasks_state")
                .table(Alias::new("tasks"))
                .col(Alias::new("state"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("task_locks"))
                .col(
                    ColumnDef::new(Alias::new("resource"))
                        .text()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Alias::new("task_id")).uuid().not_null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
