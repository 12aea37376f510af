//! `berth restore SRC --data-dir NEW`: brings a backup back into a new (or empty) data
//! directory, then checks it the way `berth admin fsck` does: every blob the restored database
//! names must be present with the size its row records. Databases and secrets are copied (0600);
//! blobs are hard-linked when SRC is on the same filesystem (they are never changed in place:
//! berth writes a new file and renames it), else copied. The schema is migrated by the next
//! `berth migrate` or `berth serve`, so a backup of an older berth restores into a newer one.
use super::files::{self, Placed};
use super::{ADMIN_PASSWORD, BLOBS_DIR, DB_FILE, MANIFEST, QUEUE_FILE, TOKEN_KEY};
use crate::config::Settings;
use crate::repo::Db;
use crate::service::fsck;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a restore placed and what the check found.
#[derive(Debug)]
pub struct Summary {
    pub data_dir: PathBuf,
    pub files: u64,
    pub bytes: u64,
    pub linked: u64,
    /// Where the backup's token key file went, if it had one.
    pub token_key: Option<PathBuf>,
    pub check: fsck::Report,
    pub elapsed: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "restored into {}\n  files: {} ({}), {} blob files hard-linked\n  check: {} blobs \
             named by the database, all present with their sizes\n  time: {:.1} s",
            self.data_dir.display(),
            self.files,
            files::human_bytes(self.bytes),
            self.linked,
            self.check.rows,
            self.elapsed.as_secs_f64()
        )?;
        if let Some(key) = &self.token_key {
            write!(
                f,
                "\n  the backup held a token key file: set BERTH_TOKEN_PRIVATE_KEY={}",
                key.display()
            )?;
        }
        Ok(())
    }
}

/// Restores `src` into the data directory of `settings` (new or empty).
pub async fn restore(
    settings: &Settings,
    src: &Path,
    link: bool,
    progress: &(dyn Fn(u64, u64, u64) + Send + Sync),
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let (db_path, queue_path, root) = super::embedded_paths(settings)?;
    if !src.join(MANIFEST).is_file() || !src.join(DB_FILE).is_file() {
        anyhow::bail!(
            "{} is not a complete berth backup (no {MANIFEST} or {DB_FILE}; an interrupted \
             backup has no {MANIFEST})",
            src.display()
        );
    }
    files::empty_private_dir(&settings.data_dir, "data directory")?;
    for (path, what) in [(&db_path, "database"), (&root, "blob directory")] {
        if path.exists() && !(path.is_dir() && std::fs::read_dir(path)?.next().is_none()) {
            anyhow::bail!("the {what} {} already exists", path.display());
        }
    }
    let mut s = Summary {
        data_dir: settings.data_dir.clone(),
        files: 0,
        bytes: 0,
        linked: 0,
        token_key: None,
        check: fsck::Report::default(),
        elapsed: Duration::ZERO,
    };
    let mut secrets = vec![(DB_FILE, db_path.clone()), (QUEUE_FILE, queue_path)];
    secrets.push((ADMIN_PASSWORD, settings.data_dir.join(ADMIN_PASSWORD)));
    secrets.push((TOKEN_KEY, settings.data_dir.join(TOKEN_KEY)));
    for (name, to) in secrets {
        let from = src.join(name);
        if !from.is_file() {
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        s.bytes += files::copy_private(&from, &to)
            .map_err(|e| anyhow::anyhow!("copying {} to {}: {e}", from.display(), to.display()))?;
        s.files += 1;
        if name == TOKEN_KEY {
            s.token_key = Some(to);
        }
    }
    let (blob_src, blob_root) = (src.join(BLOBS_DIR), root.clone());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, u64, u64)>();
    let worker = tokio::task::spawn_blocking(move || place_tree(&blob_src, &blob_root, link, tx));
    while let Some((done, total, bytes)) = rx.recv().await {
        progress(done, total, bytes);
    }
    let (n, bytes, linked) = worker.await??;
    s.files += n;
    s.bytes += bytes;
    s.linked = linked;
    files::sync_dir(&settings.data_dir)?;
    s.check = check(&db_path, &root, settings).await?;
    s.elapsed = started.elapsed();
    Ok(s)
}

/// Places every file under `from` at the same relative path under `to`.
fn place_tree(
    from: &Path,
    to: &Path,
    link: bool,
    tx: tokio::sync::mpsc::UnboundedSender<(u64, u64, u64)>,
) -> anyhow::Result<(u64, u64, u64)> {
    std::fs::create_dir_all(to)?;
    let list = files::walk(from)?;
    let total = list.len() as u64;
    let (mut bytes, mut linked) = (0u64, 0u64);
    for (i, rel) in list.iter().enumerate() {
        let (a, b) = (from.join(rel), to.join(rel));
        if let Some(parent) = b.parent() {
            std::fs::create_dir_all(parent)?;
        }
        bytes += std::fs::metadata(&a)?.len();
        if files::place(&a, &b, link)
            .map_err(|e| anyhow::anyhow!("placing {}: {e}", b.display()))?
            == Placed::Linked
        {
            linked += 1;
        }
        let _ = tx.send((i as u64 + 1, total, bytes));
    }
    let _ = tx.send((total, total, bytes));
    Ok((total, bytes, linked))
}

/// The fsck check of the restored copy; fails when a blob the database names is missing or
/// has another size.
async fn check(db_path: &Path, root: &Path, settings: &Settings) -> anyhow::Result<fsck::Report> {
    let db = Db::connect_with(&format!("sqlite://{}?mode=rw", db_path.display()), true).await?;
    let store = crate::storage::open_with(
        &format!("file://{}", root.display()),
        &settings.s3,
        settings.durable,
    )
    .map_err(anyhow::Error::msg)?;
    let report = fsck::check(&db, &store, false, Duration::ZERO).await;
    db.conn.close().await.ok();
    let report = report?;
    if !report.missing.is_empty() || !report.size_mismatch.is_empty() {
        anyhow::bail!("the restored copy is damaged:\n{report}");
    }
    Ok(report)
}
