//! Plain container repositories (Pulp's `container` type) share the `repositories` table with
//! push repositories, so they reuse versions, membership and the one version-creating
//! function. A plain repository belongs to no namespace: `namespace_id` becomes nullable, and
//! `namespace_id IS NULL` is what marks a plain repository (a push repository always has one).
//!
//! PostgreSQL drops the constraint with `ALTER COLUMN`. SQLite cannot alter a column, and its
//! 12-step rebuild would need foreign keys switched off, which cannot happen inside the
//! migration's transaction; removing a `NOT NULL` constraint is the case SQLite documents for
//! editing the stored `CREATE TABLE` text instead (sqlite.org/lang_altertable.html §7): the
//! rows on disk do not change, and the bumped `schema_version` makes every connection reload.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000011_container_repositories"
    }
}

/// `sql` without the `NOT NULL` of column `namespace_id` (unchanged if it has none).
fn without_not_null(sql: &str) -> Option<String> {
    let start = sql.find("\"namespace_id\"")?;
    let end = sql[start..].find(',').map(|e| start + e)?;
    let def = &sql[start..end];
    let pos = def.find(" NOT NULL")?;
    Some(format!(
        "{}{}{}",
        &sql[..start + pos],
        &def[pos + " NOT NULL".len()..],
        &sql[end..]
    ))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE repositories ALTER COLUMN namespace_id DROP NOT NULL",
            )
            .await?;
            return Ok(());
        }
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'repositories'",
            ))
            .await?
            .ok_or_else(|| DbErr::Migration("table repositories missing".into()))?;
        let sql: String = row.try_get("", "sql")?;
        let Some(new_sql) = without_not_null(&sql) else {
            return Ok(());
        };
        let version = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA schema_version",
            ))
            .await?
            .ok_or_else(|| DbErr::Migration("schema_version missing".into()))?;
        let version: i64 = version.try_get_by_index(0)?;
        db.execute_unprepared("PRAGMA writable_schema = ON").await?;
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'repositories'",
            [new_sql.into()],
        ))
        .await?;
        db.execute_unprepared(&format!("PRAGMA schema_version = {}", version + 1))
            .await?;
        db.execute_unprepared("PRAGMA writable_schema = OFF")
            .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // Restoring NOT NULL would fail while plain repositories exist; a downgrade keeps the
        // column nullable (push repositories always fill it).
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::without_not_null;

    #[test]
    fn only_the_namespace_column_loses_its_not_null() {
        let sql = r#"CREATE TABLE "repositories" ( "id" uuid_text NOT NULL PRIMARY KEY, "namespace_id" uuid_text NOT NULL, "name" text NOT NULL )"#;
        assert_eq!(
            without_not_null(sql).as_deref(),
            Some(
                r#"CREATE TABLE "repositories" ( "id" uuid_text NOT NULL PRIMARY KEY, "namespace_id" uuid_text, "name" text NOT NULL )"#
            )
        );
        assert_eq!(
            without_not_null(r#"( "namespace_id" uuid_text, "x" int )"#),
            None
        );
    }
}
