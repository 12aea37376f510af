//! Access control: Pulp-shaped user fields (with the integer id Pulp's user hrefs carry), roles
//! and their permissions, role assignments (global or on one object), and the registry's token
//! signing key (kept in the database so every replica signs and verifies with the same key).
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000003_access_control"
    }
}

fn col(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

fn add(table: &'static str, c: ColumnDef) -> TableAlterStatement {
    Table::alter()
        .table(Alias::new(table))
        .add_column(c)
        .to_owned()
}

fn ts(name: &'static str) -> ColumnDef {
    col(name).timestamp_with_time_zone().not_null().to_owned()
}

fn index(
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(add("users", col("number").big_integer().null().to_owned()))
            .await?;
        for name in ["first_name", "last_name", "email"] {
            m.alter_table(add(
                "users",
                col(name).text().not_null().default("").to_owned(),
            ))
            .await?;
        }
        m.alter_table(add(
            "users",
            col("is_staff")
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ))
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE users SET number = (SELECT COUNT(*) FROM users u2 \
                 WHERE u2.created_at < users.created_at \
                 OR (u2.created_at = users.created_at AND u2.id <= users.id))",
            )
            .await?;
        m.create_index(index("users", "ux_users_number", &["number"], true))
            .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("roles"))
                .col(col("id").uuid().not_null().primary_key())
                .col(col("name").text().not_null().unique_key())
                .col(col("description").text().not_null().default(""))
                .col(col("locked").boolean().not_null().default(false))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("role_permissions"))
                .col(col("role_id").uuid().not_null())
                .col(col("permission").text().not_null())
                .primary_key(
                    Index::create()
                        .col(Alias::new("role_id"))
                        .col(Alias::new("permission")),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "role_permissions",
            "ix_role_permissions_permission",
            &["permission"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("user_roles"))
                .col(col("id").uuid().not_null().primary_key())
                .col(col("user_id").uuid().not_null())
                .col(col("role_id").uuid().not_null())
                // '' for a global (model-level) assignment, else 'namespace' | 'distribution'.
                .col(col("object_type").text().not_null().default(""))
                .col(col("object_id").uuid().null())
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "user_roles",
            "ix_user_roles_user",
            &["user_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "user_roles",
            "ix_user_roles_object",
            &["object_type", "object_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("signing_keys"))
                .col(col("name").text().not_null().primary_key())
                .col(col("private_pem").text().not_null())
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
