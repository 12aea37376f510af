//! Database access. Queries are written per aggregate as SQL with `?` placeholders (rewritten to
//! `$n` on PostgreSQL) so the hot paths stay single indexed statements; every function takes
//! `&impl ConnectionTrait` so it can join a caller's transaction. This layer never touches storage,
//! and it is the only one that writes SQL: lists take a typed `domain::query::ListQuery`, which
//! `lists` turns into statements.
pub mod backup;
pub mod container_repos;
pub mod content;
pub mod content_list;
mod criteria;
pub mod distributions;
pub mod inventory;
mod lists;
pub mod manifests;
pub mod namespaces;
pub mod orphans;
pub mod pulls;
pub mod push_repos;
pub mod queue;
pub mod quotas;
pub mod repositories;
pub mod restore;
pub mod retention;
pub mod retention_policies;
pub mod retention_snapshot;
pub mod roles;
pub mod schedules;
pub mod signing_keys;
pub mod task_schedules;
pub mod tasks;
pub mod ui_namespaces;
pub mod ui_reads;
pub mod ui_sessions;
pub mod uploads;
pub mod usage;
pub mod users;
pub mod version_expiries;
pub mod version_tags;
pub mod versions;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, QueryResult, Statement, TransactionTrait, Value,
};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The database handle. SQLite allows one writer: write transactions take a process-wide lock
/// so they queue instead of failing with `SQLITE_BUSY`; PostgreSQL relies on row locks.
#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    write_lock: Option<Arc<Mutex<()>>>,
}

/// A write transaction, holding the SQLite writer lock (if any) until it ends.
pub struct WriteTxn {
    pub txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl Db {
    /// Connects with durable commits (see `connect_with`).
    pub async fn connect(url: &str) -> Result<Db, DbErr> {
        Db::connect_with(url, true).await
    }

    /// Connects. SQLite runs in WAL mode; with `durable`, `synchronous=FULL` syncs the WAL on
    /// every commit, so a commit that made a push visible survives a power loss (with NORMAL,
    /// WAL mode may lose the last commits: an acknowledged push could vanish, or a blob row
    /// could outlive nothing). `durable: false` (`BERTH_DURABILITY=relaxed`) uses NORMAL, for
    /// caches. PostgreSQL's durability is the server's (`synchronous_commit`, on by default).
    pub async fn connect_with(url: &str, durable: bool) -> Result<Db, DbErr> {
        use sea_orm::sqlx::sqlite::SqliteSynchronous;
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false);
        let sqlite = url.starts_with("sqlite:");
        if sqlite {
            let sync = if durable {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            };
            opts.max_connections(8).map_sqlx_sqlite_opts(move |o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sync)
                    .busy_timeout(std::time::Duration::from_secs(30))
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
        } else {
            opts.max_connections(32);
        }
        let conn = Database::connect(opts).await?;
        Ok(Db {
            conn,
            write_lock: sqlite.then(|| Arc::new(Mutex::new(()))),
        })
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    pub async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        // BEGIN IMMEDIATE on SQLite: take the write lock up front, so a transaction that reads
        // before it writes can never fail with SQLITE_BUSY_SNAPSHOT.
        let opts = sea_orm::TransactionOptions {
            sqlite_transaction_mode: guard
                .is_some()
                .then_some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let txn = self.conn.begin_with_options(opts).await?;
        Ok(WriteTxn { txn, _guard: guard })
    }

    /// Applies pending migrations in one write transaction, so processes starting together on
    /// one database take turns: on PostgreSQL under a transaction-scoped advisory lock
    /// (concurrent `CREATE TABLE`s would otherwise collide on the catalog, duplicate `pg_type`
    /// key, and one replica would die), on SQLite under its write lock (`BEGIN IMMEDIATE`).
    /// Both databases have transactional DDL: an interrupted migration leaves nothing behind
    /// (and a migration must not use what cannot run in a transaction, e.g. `CREATE INDEX
    /// CONCURRENTLY`).
    pub async fn migrate(&self) -> Result<(), DbErr> {
        use migration::MigratorTrait;
        let txn = self.begin_write().await?;
        if self.backend() == DbBackend::Postgres {
            exec(
                &*txn,
                "SELECT pg_advisory_xact_lock(?)",
                vec![STARTUP_LOCK_KEY.into()],
            )
            .await?;
        }
        migration::Migrator::up(&*txn, None).await?;
        txn.commit().await
    }

    /// Takes the start-up lock: a PostgreSQL session advisory lock held on a connection of its
    /// own, so it is freed when that connection closes, whether through
    /// [`StartupLock::release`], a dropped guard or a crashed process. A no-op on SQLite.
    pub async fn startup_lock(&self) -> Result<StartupLock, DbErr> {
        if self.backend() != DbBackend::Postgres {
            return Ok(StartupLock(None));
        }
        let lock_err = |e: sea_orm::sqlx::Error| DbErr::Custom(format!("start-up lock: {e}"));
        let mut conn = self
            .conn
            .get_postgres_connection_pool()
            .acquire()
            .await
            .map_err(lock_err)?
            .detach();
        sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(STARTUP_LOCK_KEY)
            .execute(&mut conn)
            .await
            .map_err(lock_err)?;
        Ok(StartupLock(Some(conn)))
    }

    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }
}

/// The advisory lock key of start-up work (ASCII "berth" + 1).
const STARTUP_LOCK_KEY: i64 = 0x0062_6572_7468_0001;

/// Held while one replica migrates or seeds a shared PostgreSQL database; see
/// [`Db::startup_lock`].
pub struct StartupLock(Option<sea_orm::sqlx::PgConnection>);

impl StartupLock {
    /// Closes the lock's connection, which releases the lock.
    pub async fn release(self) {
        if let Some(conn) = self.0 {
            use sea_orm::sqlx::Connection;
            if let Err(e) = conn.close().await {
                tracing::warn!(error = %e, "closing the start-up lock connection");
            }
        }
    }
}

/// Builds a statement from SQL written with `?` placeholders.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for ch in sql.chars() {
            if ch == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(ch);
            }
        }
        out
    } else {
        sql.to_string()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `?, ?, ?` for an `IN (…)` list of `n` values.
pub fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

pub async fn exec(c: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
    let r = c
        .execute_raw(stmt(c.get_database_backend(), sql, values))
        .await?;
    Ok(r.rows_affected())
}

pub async fn one(
    c: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<QueryResult>, DbErr> {
    c.query_one_raw(stmt(c.get_database_backend(), sql, values))
        .await
}

pub async fn all(
    c: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>, DbErr> {
    c.query_all_raw(stmt(c.get_database_backend(), sql, values))
        .await
}

/// The `FOR UPDATE` suffix where the backend has row locks.
pub fn for_update(c: &impl ConnectionTrait) -> &'static str {
    if c.get_database_backend() == DbBackend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    }
}

/// Makes PostgreSQL plan every statement of the caller's transaction for its own values
/// (`SET LOCAL plan_cache_mode = force_custom_plan`, until the transaction ends); a no-op on
/// SQLite. From a prepared statement's sixth execution PostgreSQL may reuse a
/// generic plan, whose estimate for `repository_id = $1` is the average repository (two rows
/// at 10,001 repositories): for the one with 10,001 tags it then reads every row and searches
/// a 500-id `IN ($n, …)` list for each, 100-800 ms a statement instead of 2-6 ms.
pub async fn custom_plans(c: &impl ConnectionTrait) -> Result<(), DbErr> {
    if c.get_database_backend() == DbBackend::Postgres {
        c.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
    }
    Ok(())
}

pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// Byte-order collation for sorting and comparing names (`C` on PostgreSQL; SQLite's default
/// is already binary), so pagination by `last` agrees with the order.
pub fn collate(c: &impl ConnectionTrait) -> &'static str {
    if c.get_database_backend() == DbBackend::Postgres {
        " COLLATE \"C\""
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn synchronous(db: &Db) -> i64 {
        let row = one(&db.conn, "PRAGMA synchronous", vec![])
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    }

    #[test]
    fn placeholders_are_numbered_on_postgres_only() {
        let sql = "SELECT a FROM t WHERE a = ? AND b IN (?, ?) LIMIT ?";
        let values: Vec<Value> = vec![1i64.into(), "x".into(), "y".into(), 5i64.into()];
        let pg = stmt(DbBackend::Postgres, sql, values.clone());
        assert_eq!(
            pg.sql,
            "SELECT a FROM t WHERE a = $1 AND b IN ($2, $3) LIMIT $4"
        );
        assert_eq!(pg.values.map(|v| v.0), Some(values.clone()));
        let lite = stmt(DbBackend::Sqlite, sql, values);
        assert_eq!(lite.sql, sql);
        // Ten or more placeholders keep their full numbers.
        let many = stmt(DbBackend::Postgres, &placeholders(11), vec![]);
        assert_eq!(many.sql, "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11");
        assert_eq!(placeholders(0), "");
    }

    #[tokio::test]
    async fn sqlite_commits_are_synced_unless_durability_is_relaxed() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        assert_eq!(
            synchronous(&Db::connect(&url).await.unwrap()).await,
            2,
            "FULL"
        );
        let relaxed = Db::connect_with(&url, false).await.unwrap();
        assert_eq!(synchronous(&relaxed).await, 1, "NORMAL");
    }
}
