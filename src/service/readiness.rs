//! Readiness: whether the database and the blob storage answer, each probe bounded by a
//! timeout, for `GET /readyz` and `berth health`. Failure details go to the log, never to the
//! (anonymous) caller.
use crate::repo::Db;
use crate::storage::BlobStore;
use std::time::Duration;

/// How long each probe may take before it counts as failed.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The outcome of one probe: `"ok"`, `"unreachable"` or `"timed out"`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Readiness {
    pub database: &'static str,
    pub storage: &'static str,
}

impl Readiness {
    /// The names of the failed checks (empty when ready).
    pub fn failed(&self) -> Vec<&'static str> {
        let mut failed = Vec::new();
        if self.database != "ok" {
            failed.push("database");
        }
        if self.storage != "ok" {
            failed.push("storage");
        }
        failed
    }
}

/// Probes the database (a ping) and the storage (its directory, or a HEAD of an absent key).
pub async fn check(db: &Db, store: &BlobStore, timeout: Duration) -> Readiness {
    let (database, storage) = tokio::join!(
        probe("database", timeout, async {
            db.ping().await.map_err(|e| e.to_string())
        }),
        probe("storage", timeout, storage_answers(store)),
    );
    Readiness { database, storage }
}

async fn probe(
    what: &str,
    timeout: Duration,
    check: impl std::future::Future<Output = Result<(), String>>,
) -> &'static str {
    match tokio::time::timeout(timeout, check).await {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(check = what, error = %e, "readiness probe failed");
            "unreachable"
        }
        Err(_) => {
            tracing::warn!(check = what, ?timeout, "readiness probe timed out");
            "timed out"
        }
    }
}

async fn storage_answers(store: &BlobStore) -> Result<(), String> {
    if let Some(root) = store.local_root() {
        return match tokio::fs::metadata(root).await {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(format!("{} is not a directory", root.display())),
            Err(e) => Err(format!("{}: {e}", root.display())),
        };
    }
    store
        .size("berth-readiness-probe")
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}
