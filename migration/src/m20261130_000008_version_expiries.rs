//! `version_expiries`: the undo windows of retention runs. A run that made version
//! `before_number` of a repository keeps the versions before it until `due_at`; then the
//! housekeeping scheduler deletes them (except versions a distribution serves, and the
//! latest), and the row goes.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000008_version_expiries"
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
                .table(Alias::new("version_expiries"))
                .col(col("repository_id").uuid().not_null())
                .col(col("before_number").big_integer().not_null())
                .col(col("due_at").timestamp_with_time_zone().not_null())
                .primary_key(
                    Index::create()
                        .col(Alias::new("repository_id"))
                        .col(Alias::new("before_number")),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_version_expiries_repository_id")
                        .from(Alias::new("version_expiries"), Alias::new("repository_id"))
                        .to(Alias::new("repositories"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_version_expiries_due_at")
                .table(Alias::new("version_expiries"))
                .col(Alias::new("due_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(Alias::new("version_expiries"))
                .to_owned(),
        )
        .await
    }
}
