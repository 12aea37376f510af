//! File work for backups and restores: placing a file by hard link (same filesystem) or copy,
//! private (0600/0700) files and directories, fsync, and the empty-directory rule.
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// How a file got into place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    Linked,
    Copied,
}

/// Puts `src` at `dst` (whose parent exists): a hard link when `link` and the filesystem
/// allows it, else a copy synced to disk. Only for files never changed in place (blobs).
pub fn place(src: &Path, dst: &Path, link: bool) -> io::Result<Placed> {
    if link && fs::hard_link(src, dst).is_ok() {
        return Ok(Placed::Linked);
    }
    copy_synced(src, dst)?;
    Ok(Placed::Copied)
}

/// Copies `src` to `dst` and syncs it.
pub fn copy_synced(src: &Path, dst: &Path) -> io::Result<u64> {
    let n = fs::copy(src, dst)?;
    fs::File::open(dst)?.sync_all()?;
    Ok(n)
}

/// Makes `path` readable by its owner only (0600 for files, 0700 for directories).
pub fn private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// Copies a secret or database file to `dst` and makes it 0600.
pub fn copy_private(src: &Path, dst: &Path) -> io::Result<u64> {
    let n = copy_synced(src, dst)?;
    private(dst)?;
    Ok(n)
}

/// Creates `dir` (0700) if missing; refuses one that holds anything.
pub fn empty_private_dir(dir: &Path, what: &str) -> anyhow::Result<()> {
    refuse_non_empty(dir, what)?;
    fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {what} {}: {e}", dir.display()))?;
    private(dir)?;
    Ok(())
}

/// Refuses a `dir` that exists and holds anything (or is not a directory).
pub fn refuse_non_empty(dir: &Path, what: &str) -> anyhow::Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            anyhow::bail!("{what} {} exists and is not a directory", dir.display());
        }
        if fs::read_dir(dir)?.next().is_some() {
            anyhow::bail!(
                "{what} {} is not empty; give a new or empty directory",
                dir.display()
            );
        }
    }
    Ok(())
}

/// Syncs a directory's entries to disk (after files were created in it).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// Every regular file under `root`, as paths relative to it (sorted).
pub fn walk(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = vec![];
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                if let Ok(rel) = entry.path().strip_prefix(root) {
                    out.push(rel.to_path_buf());
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `1.5 MiB`-style sizes for progress lines and summaries.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{n} B"),
        _ => format!("{v:.1} {}", UNITS[unit]),
    }
}
