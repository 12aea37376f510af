//! `schedules`: one row per periodic housekeeping job (upload expiry, version retention,
//! orphan cleanup, queue trimming) with when it is next due. Every replica ticks; the one whose
//! `UPDATE … SET next_run_at = … WHERE name = … AND next_run_at <= now` changes the row runs
//! the job, so each run happens once across all replicas.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000005_schedules"
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
                .table(Alias::new("schedules"))
                .col(col("name").text().not_null().primary_key())
                .col(col("next_run_at").timestamp_with_time_zone().not_null())
                .col(col("last_run_at").timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("schedules")).to_owned())
            .await
    }
}
