//! The initial schema: users, namespaces, push repositories and their versions, distributions,
//! the global content units (blobs, manifests, tags), version membership, pending content and
//! upload sessions.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000001_initial"
    }
}

fn uuid_pk(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}
fn uuid_col(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .uuid()
        .not_null()
        .to_owned()
}
fn text(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .text()
        .not_null()
        .to_owned()
}
fn text_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().null().to_owned()
}
fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .not_null()
        .to_owned()
}
fn big_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .null()
        .to_owned()
}
fn boolean(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .boolean()
        .not_null()
        .to_owned()
}
fn ts(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}
fn fk(
    table: &'static str,
    col: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(Alias::new(table), Alias::new(col))
        .to(Alias::new(target), Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}
fn index(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!("ix_{table}_{}", cols.join("_")))
        .table(Alias::new(table));
    for c in cols {
        idx.col(Alias::new(*c));
    }
    if unique {
        idx.unique();
    }
    idx.to_owned()
}

fn tables() -> Vec<TableCreateStatement> {
    use ForeignKeyAction::{Cascade, Restrict, SetNull};
    let t = |name: &'static str| Table::create().table(Alias::new(name)).to_owned();
    vec![
        t("users")
            .col(uuid_pk("id"))
            .col(text("username").unique_key().to_owned())
            .col(text("password_hash"))
            .col(boolean("is_superuser"))
            .col(boolean("is_active"))
            .col(ts("created_at"))
            .to_owned(),
        t("namespaces")
            .col(uuid_pk("id"))
            .col(text("name").unique_key().to_owned())
            .col(ts("created_at"))
            .col(ts("updated_at"))
            .to_owned(),
        t("repositories")
            .col(uuid_pk("id"))
            .col(text("name").unique_key().to_owned())
            .col(uuid_col("namespace_id"))
            .col(text_null("description"))
            .col(big_null("retain_repo_versions"))
            .col(big("next_version"))
            .col(ts("created_at"))
            .col(ts("updated_at"))
            .foreign_key(&mut fk(
                "repositories",
                "namespace_id",
                "namespaces",
                Cascade,
            ))
            .to_owned(),
        t("repository_versions")
            .col(uuid_pk("id"))
            .col(uuid_col("repository_id"))
            .col(big("number"))
            .col(text("content_summary"))
            .col(ts("created_at"))
            .foreign_key(&mut fk(
                "repository_versions",
                "repository_id",
                "repositories",
                Cascade,
            ))
            .to_owned(),
        t("distributions")
            .col(uuid_pk("id"))
            .col(text("name").unique_key().to_owned())
            .col(text("base_path").unique_key().to_owned())
            .col(uuid_col("namespace_id"))
            .col(ColumnDef::new(Alias::new("repository_id")).uuid().null())
            .col(boolean("private"))
            .col(text_null("description"))
            .col(ts("created_at"))
            .col(ts("updated_at"))
            .foreign_key(&mut fk(
                "distributions",
                "namespace_id",
                "namespaces",
                Cascade,
            ))
            .foreign_key(&mut fk(
                "distributions",
                "repository_id",
                "repositories",
                SetNull,
            ))
            .to_owned(),
        t("blobs")
            .col(uuid_pk("id"))
            .col(text("digest").unique_key().to_owned())
            .col(big("size"))
            .col(ts("created_at"))
            .col(ts("touched_at"))
            .to_owned(),
        t("manifests")
            .col(uuid_pk("id"))
            .col(text("digest").unique_key().to_owned())
            .col(text("media_type"))
            .col(big("size"))
            .col(ColumnDef::new(Alias::new("data")).blob().not_null())
            .col(big("schema_version"))
            .col(ColumnDef::new(Alias::new("config_blob_id")).uuid().null())
            .col(text_null("artifact_type"))
            .col(text_null("subject_digest"))
            .col(text("annotations"))
            .col(text("labels"))
            .col(text("kind"))
            .col(text_null("os"))
            .col(text_null("architecture"))
            .col(big("compressed_size"))
            .col(ts("created_at"))
            .col(ts("touched_at"))
            .foreign_key(&mut fk("manifests", "config_blob_id", "blobs", Restrict))
            .to_owned(),
        t("manifest_blobs")
            .col(uuid_col("manifest_id"))
            .col(uuid_col("blob_id"))
            .primary_key(
                Index::create()
                    .col(Alias::new("manifest_id"))
                    .col(Alias::new("blob_id")),
            )
            .foreign_key(&mut fk(
                "manifest_blobs",
                "manifest_id",
                "manifests",
                Cascade,
            ))
            .foreign_key(&mut fk("manifest_blobs", "blob_id", "blobs", Restrict))
            .to_owned(),
        t("manifest_list_manifests")
            .col(uuid_col("list_id"))
            .col(uuid_col("manifest_id"))
            .primary_key(
                Index::create()
                    .col(Alias::new("list_id"))
                    .col(Alias::new("manifest_id")),
            )
            .foreign_key(&mut fk(
                "manifest_list_manifests",
                "list_id",
                "manifests",
                Cascade,
            ))
            .foreign_key(&mut fk(
                "manifest_list_manifests",
                "manifest_id",
                "manifests",
                Restrict,
            ))
            .to_owned(),
        t("tags")
            .col(uuid_pk("id"))
            .col(text("name"))
            .col(uuid_col("manifest_id"))
            .col(ts("created_at"))
            .col(ts("touched_at"))
            .foreign_key(&mut fk("tags", "manifest_id", "manifests", Restrict))
            .to_owned(),
        t("repository_content")
            .col(uuid_col("repository_id"))
            .col(uuid_col("content_id"))
            .col(text("content_type"))
            .col(big("version_added"))
            .col(big_null("version_removed"))
            .primary_key(
                Index::create()
                    .col(Alias::new("repository_id"))
                    .col(Alias::new("content_id"))
                    .col(Alias::new("version_added")),
            )
            .foreign_key(&mut fk(
                "repository_content",
                "repository_id",
                "repositories",
                Cascade,
            ))
            .to_owned(),
        t("repository_pending")
            .col(uuid_col("repository_id"))
            .col(uuid_col("content_id"))
            .col(text("content_type"))
            .col(ts("created_at"))
            .primary_key(
                Index::create()
                    .col(Alias::new("repository_id"))
                    .col(Alias::new("content_id")),
            )
            .foreign_key(&mut fk(
                "repository_pending",
                "repository_id",
                "repositories",
                Cascade,
            ))
            .to_owned(),
        t("uploads")
            .col(uuid_pk("id"))
            .col(uuid_col("repository_id"))
            .col(big("offset"))
            .col(ColumnDef::new(Alias::new("hash_state")).blob().not_null())
            .col(text("parts"))
            .col(ts("created_at"))
            .col(ts("updated_at"))
            .foreign_key(&mut fk("uploads", "repository_id", "repositories", Cascade))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("repository_versions", &["repository_id", "number"], true),
        index("distributions", &["namespace_id"], false),
        index("distributions", &["repository_id"], false),
        index("repositories", &["namespace_id"], false),
        index("manifests", &["subject_digest"], false),
        index("manifests", &["config_blob_id"], false),
        index("manifest_blobs", &["blob_id"], false),
        index("manifest_list_manifests", &["manifest_id"], false),
        index("tags", &["name", "manifest_id"], true),
        index("tags", &["manifest_id"], false),
        index("repository_content", &["content_id"], false),
        index(
            "repository_content",
            &["repository_id", "version_removed", "content_type"],
            false,
        ),
        index("repository_pending", &["content_id"], false),
        index("uploads", &["repository_id"], false),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for idx in indexes() {
            manager.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables().into_iter().rev() {
            let name = table.get_table_name().cloned();
            if let Some(name) = name {
                manager
                    .drop_table(Table::drop().table(name).to_owned())
                    .await?;
            }
        }
        Ok(())
    }
}
