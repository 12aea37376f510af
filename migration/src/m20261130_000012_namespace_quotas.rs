//! `namespace_quotas`: the storage quota of a namespace (bytes its repositories may hold, each
//! blob counted once), set by superusers; no row means no quota. The row goes with its
//! namespace.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000012_namespace_quotas"
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
                .table(Alias::new("namespace_quotas"))
                .col(col("namespace_id").uuid().not_null().primary_key())
                .col(col("quota_bytes").big_integer().not_null())
                .col(col("updated_at").timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_namespace_quotas_namespace_id")
                        .from(Alias::new("namespace_quotas"), Alias::new("namespace_id"))
                        .to(Alias::new("namespaces"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(Alias::new("namespace_quotas"))
                .to_owned(),
        )
        .await
    }
}
