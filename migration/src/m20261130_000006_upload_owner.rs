//! Who opened each upload session (`uploads.owner_id`, the user's id; NULL for sessions opened
//! before this migration), so the number of open sessions per user can be capped.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000006_upload_owner"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("uploads"))
                .add_column(ColumnDef::new(Alias::new("owner_id")).uuid().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_uploads_owner_id")
                .table(Alias::new("uploads"))
                .col(Alias::new("owner_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_uploads_owner_id")
                .table(Alias::new("uploads"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("uploads"))
                .drop_column(Alias::new("owner_id"))
                .to_owned(),
        )
        .await
    }
}
