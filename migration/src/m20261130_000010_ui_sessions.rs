//! `ui_sessions`: the web UI's server-side sessions, in the database so every replica knows
//! them. `id` is the SHA-256 (hex) of the random token in the cookie (a leaked table does not
//! give working cookies); `csrf_token` is what every form of the session must send back;
//! `created_at` and `last_seen_at` bound the absolute and idle lifetimes.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000010_ui_sessions"
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
                .table(Alias::new("ui_sessions"))
                .col(col("id").text().not_null().primary_key())
                .col(col("user_id").uuid().not_null())
                .col(col("csrf_token").text().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .col(col("last_seen_at").timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ui_sessions_user_id")
                        .from(Alias::new("ui_sessions"), Alias::new("user_id"))
                        .to(Alias::new("users"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_ui_sessions_user_id")
                .table(Alias::new("ui_sessions"))
                .col(Alias::new("user_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("ui_sessions")).to_owned())
            .await
    }
}
