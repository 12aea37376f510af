//! Online backups and token key rotation.
//! - `backup_holds`: while a `berth backup` copies the data directory it holds a row here
//!   (renewed, with an expiry so a killed backup cannot hold forever); orphan cleanup deletes
//!   no stored bytes while an unexpired hold exists, so every blob the copied database names
//!   is still there when the blobs are copied.
//! - `signing_keys.verify_until`: a retired token signing key is kept, verify-only, until this
//!   time (its last token's expiry plus a margin); `NULL` for the current key.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000013_backup_holds_key_rotation"
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
                .table(Alias::new("backup_holds"))
                .col(col("name").text().not_null().primary_key())
                .col(col("expires_at").timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("signing_keys"))
                .add_column(col("verify_until").timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("signing_keys"))
                .drop_column(Alias::new("verify_until"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(Alias::new("backup_holds")).to_owned())
            .await
    }
}
