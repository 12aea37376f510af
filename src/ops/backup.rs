//! `berth backup DEST`: a consistent copy of a serving embedded berth.
//!
//! Order, and why it is consistent with online orphan cleanup:
//! 1. a hold row in `backup_holds` is committed (renewed every minute, expiring after ten, so a
//!    killed backup cannot hold forever). Orphan cleanup checks for it inside each transaction
//!    that would delete blob rows and bytes, and deletes nothing while it exists. On SQLite a
//!    cleanup transaction in flight finishes before the hold's write can commit (one writer).
//! 2. the database is copied with `VACUUM INTO` (one read transaction: a snapshot), then the
//!    task queue likewise (a job whose task row the copy lacks is ignored; a waiting task
//!    without a job is re-queued by the reconcile loop);
//! 3. the blobs the copied database names are read from the copy and placed in DEST (hard
//!    links on the same filesystem, else copies), each checked for the size its row records;
//!    a blob committed after the snapshot is not needed, and one the snapshot names cannot
//!    have been deleted since (step 1); staged parts of open uploads come along when present;
//! 4. the hold is released; secrets are copied 0600; `backup.json` is written last.
//!
//! Copying only what the copied database names (rather than the whole blob tree) also leaves
//! out stray bytes and half-written files, so the backup passes `berth admin fsck` as it is.
use super::files::{self, Placed};
use super::{ADMIN_PASSWORD, BLOBS_DIR, DB_FILE, MANIFEST, QUEUE_FILE, TOKEN_KEY};
use crate::config::Settings;
use crate::domain::digest::Digest;
use crate::repo::{backup as holds, inventory, Db};
use crate::storage::keys;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a hold lasts unless renewed, and how often it is renewed.
const HOLD_TTL: Duration = Duration::from_secs(600);
const HOLD_RENEW: Duration = Duration::from_secs(60);

/// What a backup wrote.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub dest: PathBuf,
    /// Every file in the backup (databases, blobs, parts, secrets, manifest).
    pub files: u64,
    pub bytes: u64,
    pub blobs: u64,
    pub blob_bytes: u64,
    pub upload_parts: u64,
    /// Blob and part files placed by hard link (the rest were copied).
    pub linked: u64,
    pub elapsed: Duration,
    /// Whether orphan cleanup was held (false only on a schema without `backup_holds`).
    pub held: bool,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "backup written to {}\n  files: {} ({})\n  blobs: {} ({}), {} hard-linked, {} copied\n  \
             upload parts: {}\n  time: {:.1} s",
            self.dest.display(),
            self.files,
            files::human_bytes(self.bytes),
            self.blobs,
            files::human_bytes(self.blob_bytes),
            self.linked,
            (self.blobs + self.upload_parts).saturating_sub(self.linked),
            self.upload_parts,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Options of a backup.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Hard-link blobs when DEST is on the same filesystem (else they are copied).
    pub link: bool,
}

/// Backs up the data of `settings` into `dest` (new or empty). `progress(done, total, bytes)`
/// is called while blobs are placed.
pub async fn backup(
    settings: &Settings,
    dest: &Path,
    opts: Options,
    progress: &(dyn Fn(u64, u64, u64) + Send + Sync),
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let (db_path, queue_path, root) = super::embedded_paths(settings)?;
    files::refuse_non_empty(dest, "backup destination")?;
    if !db_path.is_file() {
        anyhow::bail!(
            "no berth database at {} (give the --data-dir berth serves)",
            db_path.display()
        );
    }
    files::empty_private_dir(dest, "backup destination")?;
    let db = Db::connect_with(&format!("sqlite://{}?mode=rw", db_path.display()), true).await?;
    let hold = format!("backup-{}", uuid::Uuid::new_v4());
    let held = match holds::hold(&db.conn, &hold, expiry()).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(
                error = %e,
                "cannot hold orphan cleanup (a database older than this berth?); stop berth \
                 or its scheduled orphan cleanup while the backup runs"
            );
            false
        }
    };
    let renew = held.then(|| {
        let (db, hold) = (db.clone(), hold.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(HOLD_RENEW).await;
                if let Err(e) = holds::hold(&db.conn, &hold, expiry()).await {
                    tracing::warn!(error = %e, "renewing the backup's hold on orphan cleanup");
                }
            }
        })
    });
    let result = copy_all(&db, &queue_path, &root, dest, opts, progress).await;
    if let Some(task) = renew {
        task.abort();
    }
    if held {
        if let Err(e) = holds::release(&db.conn, &hold).await {
            tracing::warn!(error = %e, "releasing the backup's hold (it expires by itself)");
        }
    }
    db.conn.close().await.ok();
    let mut summary = result?;
    summary.held = held;
    copy_secrets(settings, dest, &mut summary)?;
    summary.dest = dest.to_path_buf();
    summary.elapsed = started.elapsed();
    write_manifest(dest, &summary)?;
    Ok(summary)
}

fn expiry() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::Duration::seconds(HOLD_TTL.as_secs() as i64)
}

/// Steps 2 and 3: the database copies, then the blobs they name.
async fn copy_all(
    db: &Db,
    queue_path: &Path,
    root: &Path,
    dest: &Path,
    opts: Options,
    progress: &(dyn Fn(u64, u64, u64) + Send + Sync),
) -> anyhow::Result<Summary> {
    let mut s = Summary::default();
    let db_copy = dest.join(DB_FILE);
    holds::vacuum_into(&db.conn, &db_copy.to_string_lossy())
        .await
        .map_err(|e| anyhow::anyhow!("copying the database: {e}"))?;
    files::private(&db_copy)?;
    if queue_path.is_file() {
        let queue =
            Db::connect_with(&format!("sqlite://{}?mode=rw", queue_path.display()), true).await?;
        let queue_copy = dest.join(QUEUE_FILE);
        holds::vacuum_into(&queue.conn, &queue_copy.to_string_lossy())
            .await
            .map_err(|e| anyhow::anyhow!("copying the task queue: {e}"))?;
        queue.conn.close().await.ok();
        files::private(&queue_copy)?;
    }
    for f in [DB_FILE, QUEUE_FILE] {
        // VACUUM INTO does not sync what it wrote.
        if let Ok(file) = std::fs::File::open(dest.join(f)) {
            file.sync_all()?;
        }
        if let Ok(m) = std::fs::metadata(dest.join(f)) {
            s.files += 1;
            s.bytes += m.len();
        }
    }
    // What the copy names: read from the copy itself, never from the live database.
    let copy =
        sea_orm::Database::connect(format!("sqlite://{}?mode=ro", db_copy.display())).await?;
    let blobs = inventory::blob_sizes(&copy).await?;
    let (_, parts) = inventory::upload_sessions(&copy).await?;
    copy.close().await.ok();
    let mut wanted: Vec<(String, Option<u64>)> = vec![];
    for (digest, size) in blobs {
        let d: Digest = digest
            .parse()
            .map_err(|_| anyhow::anyhow!("the database names an invalid digest {digest:?}"))?;
        wanted.push((keys::blob(&d), Some(size.max(0) as u64)));
    }
    wanted.extend(parts.into_iter().map(|k| (k, None)));
    wanted.sort();
    let (root, dest) = (root.to_path_buf(), dest.join(BLOBS_DIR));
    let total = wanted.len() as u64;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, u64)>();
    let worker = tokio::task::spawn_blocking(move || place_all(&root, &dest, &wanted, opts, tx));
    while let Some((done, bytes)) = rx.recv().await {
        progress(done, total, bytes);
    }
    let placed = worker.await??;
    s.files += placed.blobs + placed.upload_parts;
    s.bytes += placed.blob_bytes;
    s.blobs = placed.blobs;
    s.blob_bytes = placed.blob_bytes;
    s.upload_parts = placed.upload_parts;
    s.linked = placed.linked;
    Ok(s)
}

/// Places every wanted key (blob keys with their recorded size; upload parts with none, and
/// skipped when gone: their upload may have finished since the snapshot).
fn place_all(
    root: &Path,
    dest: &Path,
    wanted: &[(String, Option<u64>)],
    opts: Options,
    tx: tokio::sync::mpsc::UnboundedSender<(u64, u64)>,
) -> anyhow::Result<Summary> {
    let mut s = Summary::default();
    let mut missing = vec![];
    for (i, (key, size)) in wanted.iter().enumerate() {
        let (src, dst) = (root.join(key), dest.join(key));
        let found = match std::fs::metadata(&src) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if size.is_some() {
                    missing.push(key.clone());
                }
                continue;
            }
            Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", src.display())),
        };
        if let Some(want) = size {
            if *want != found {
                anyhow::bail!(
                    "{} holds {found} bytes, its database row says {want}; run `berth admin fsck`",
                    src.display()
                );
            }
        }
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if files::place(&src, &dst, opts.link)
            .map_err(|e| anyhow::anyhow!("placing {}: {e}", dst.display()))?
            == Placed::Linked
        {
            s.linked += 1;
        }
        match size {
            Some(_) => s.blobs += 1,
            None => s.upload_parts += 1,
        }
        s.blob_bytes += found;
        let _ = tx.send((i as u64 + 1, s.blob_bytes));
    }
    let _ = tx.send((wanted.len() as u64, s.blob_bytes));
    if !missing.is_empty() {
        anyhow::bail!(
            "{} blob(s) the database names are missing from {} (first: {}); the backup is \
             incomplete — run `berth admin fsck`",
            missing.len(),
            root.display(),
            missing[0]
        );
    }
    Ok(s)
}

/// Step 4: the admin password file and a configured token key file, 0600.
fn copy_secrets(settings: &Settings, dest: &Path, s: &mut Summary) -> anyhow::Result<()> {
    let mut secrets = vec![(settings.data_dir.join(ADMIN_PASSWORD), ADMIN_PASSWORD)];
    if let Some(key) = &settings.token_private_key {
        // An inline PEM lives in the operator's environment, not in a file to copy.
        if !key.as_os_str().to_string_lossy().contains("-----BEGIN") {
            secrets.push((key.clone(), TOKEN_KEY));
        }
    }
    for (src, name) in secrets {
        if src.is_file() {
            s.bytes += files::copy_private(&src, &dest.join(name))
                .map_err(|e| anyhow::anyhow!("copying {}: {e}", src.display()))?;
            s.files += 1;
        }
    }
    Ok(())
}

/// `backup.json`, written (and synced) last: its presence marks a complete backup.
fn write_manifest(dest: &Path, s: &Summary) -> anyhow::Result<()> {
    let doc = serde_json::json!({
        "format": 1,
        "berth_version": env!("CARGO_PKG_VERSION"),
        "created_at": chrono::Utc::now().to_rfc3339(),
        "blobs": s.blobs,
        "blob_bytes": s.blob_bytes,
        "upload_parts": s.upload_parts,
        "orphan_cleanup_held": s.held,
    });
    files::sync_dir(&dest.join(BLOBS_DIR)).ok();
    let tmp = dest.join(format!("{MANIFEST}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec_pretty(&doc)?)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, dest.join(MANIFEST))?;
    files::sync_dir(dest)?;
    Ok(())
}
