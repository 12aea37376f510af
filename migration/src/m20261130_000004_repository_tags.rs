//! The latest version's tags of every repository, by name: what `/v2/<name>/tags/list`,
//! manifest GET by tag and the "one tag name per version" rule read, without scanning every
//! present content row of the repository (10,000 tags made each tag-list page and each tag push
//! O(tags)). Kept by the versioning service in the same transaction as `repository_content`;
//! filled here from the present rows.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000004_repository_tags"
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
                .table(Alias::new("repository_tags"))
                .col(col("repository_id").uuid().not_null())
                .col(col("name").text().not_null())
                .col(col("tag_id").uuid().not_null())
                .col(col("manifest_id").uuid().not_null())
                .primary_key(
                    Index::create()
                        .col(Alias::new("repository_id"))
                        .col(Alias::new("name")),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_repository_tags_repository_id")
                        .from(Alias::new("repository_tags"), Alias::new("repository_id"))
                        .to(Alias::new("repositories"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_repository_tags_repository_id_manifest_id")
                .table(Alias::new("repository_tags"))
                .col(Alias::new("repository_id"))
                .col(Alias::new("manifest_id"))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            // Tag lists sort bytewise (COLLATE "C"), like distribution's.
            db.execute_unprepared(
                "CREATE INDEX ix_repository_tags_byte_order \
                 ON repository_tags (repository_id, name COLLATE \"C\")",
            )
            .await?;
        }
        db.execute_unprepared(
            "INSERT INTO repository_tags (repository_id, name, tag_id, manifest_id) \
             SELECT rc.repository_id, t.name, t.id, t.manifest_id FROM repository_content rc \
             JOIN tags t ON t.id = rc.content_id \
             WHERE rc.version_removed IS NULL AND rc.content_type = 'tag'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(Alias::new("repository_tags"))
                .to_owned(),
        )
        .await
    }
}
