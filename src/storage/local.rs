//! Local-directory housekeeping that object_store cannot do: its listings hide the staging files
//! (`<key>#<n>`) it writes before publishing an object with a rename, so files a killed process
//! was writing are found here by walking the directory; and empty directories (an upload's
//! `uploads/<id>/` after its parts moved away) are pruned. Joining an upload's parts copies
//! file to file in the kernel (`copy_file_range` on Linux) instead of through the process.
//! Reads of a local file stream it in large pieces ([`file_stream`]).
use super::Leftover;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

fn store_error(e: impl std::error::Error + Send + Sync + 'static) -> object_store::Error {
    object_store::Error::Generic {
        store: "LocalFileSystem",
        source: Box::new(e),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, object_store::Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(store_error)?
        .map_err(store_error)
}

/// Whether a file name is one of object_store's staging names: `<name>#<digits>`.
pub fn is_staging_name(name: &str) -> bool {
    match name.rsplit_once('#') {
        Some((_, n)) => !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

fn modified(meta: &std::fs::Metadata) -> DateTime<Utc> {
    meta.modified()
        .map(DateTime::<Utc>::from)
        .unwrap_or_else(|_| Utc::now())
}

/// Every regular file under `root` (not following symlinks), as keys relative to `root`.
pub fn walk(root: &Path) -> io::Result<Vec<(String, std::fs::Metadata)>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            // A directory pruned while we walk is simply gone.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let path = entry.path();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                if let Ok(rel) = path.strip_prefix(root) {
                    let key: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    out.push((key.join("/"), meta));
                }
            }
        }
    }
    Ok(out)
}

/// Staging files under `root` last modified before `before`.
pub async fn staging_leftovers(
    root: PathBuf,
    before: DateTime<Utc>,
) -> Result<Vec<Leftover>, object_store::Error> {
    blocking(move || {
        let mut out: Vec<Leftover> = walk(&root)?
            .into_iter()
            .filter(|(key, _)| is_staging_name(key.rsplit('/').next().unwrap_or("")))
            .map(|(key, meta)| Leftover {
                key,
                size: meta.len(),
                modified: modified(&meta),
                upload_id: None,
            })
            .filter(|l| l.modified < before)
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    })
    .await
}

/// Removes `uploads/<id>/` when `key` is a part in it and it is now empty. Only that leaf:
/// removing `uploads/` itself would race a write creating `uploads/<other id>/` (ENOENT),
/// while a write into this very directory recreates it (object_store retries on NotFound).
pub fn remove_upload_dir(root: &Path, key: &str) {
    if let Some(id) = super::keys::part_owner(key) {
        if id != "." && id != ".." {
            let dir = root.join(super::keys::UPLOADS_DIR).join(id);
            forget_linked(&dir);
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Deletes the files, and an upload's directory once empty (see `remove_upload_dir`).
pub async fn remove_files(root: PathBuf, found: &[Leftover]) -> Result<u64, object_store::Error> {
    let keys: Vec<String> = found.iter().map(|l| l.key.clone()).collect();
    blocking(move || {
        let mut n = 0;
        for key in keys {
            let path = root.join(&key);
            match std::fs::remove_file(&path) {
                Ok(()) => n += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            remove_upload_dir(&root, &key);
        }
        Ok(n)
    })
    .await
}

/// Removes empty directories below `top` (never `top` itself) not modified since `before`;
/// a direct child of `top` named in `keep` is left alone with everything under it.
pub async fn remove_empty_dirs(
    top: PathBuf,
    before: DateTime<Utc>,
    keep: HashSet<String>,
) -> Result<u64, object_store::Error> {
    blocking(move || {
        let mut n = 0;
        let entries = match std::fs::read_dir(&top) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if keep.contains(entry.file_name().to_string_lossy().as_ref()) {
                continue;
            }
            if entry.file_type()?.is_dir() {
                n += prune(&entry.path(), before)?;
            }
        }
        Ok(n)
    })
    .await
}

/// Prunes empty old directories depth-first at `dir` (included); returns how many went.
fn prune(dir: &Path, before: DateTime<Utc>) -> io::Result<u64> {
    let mut n = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            n += prune(&entry.path(), before)?;
        }
    }
    let old = std::fs::metadata(dir).map(|m| modified(&m) < before)?;
    // `remove_dir` refuses a directory that is not empty, so a file written meanwhile stays.
    if old {
        forget_linked(dir);
    }
    if old && std::fs::remove_dir(dir).is_ok() {
        n += 1;
    }
    Ok(n)
}

/// Concatenates the files `parts` into `to` (keys under `root`): written to a staging file
/// `<to>#<n>` (which housekeeping removes if this process dies), synced when `durable`, then
/// renamed into place with its directory synced. Returns the byte count.
pub async fn concat(
    root: PathBuf,
    parts: Vec<String>,
    to: String,
    durable: bool,
) -> Result<u64, object_store::Error> {
    blocking(move || {
        let dest = root.join(&to);
        let dir = dest
            .parent()
            .ok_or_else(|| io::Error::other(format!("no directory for {to}")))?
            .to_path_buf();
        std::fs::create_dir_all(&dir)?;
        let (mut file, staging) = create_staging(&dest)?;
        let result = (|| {
            let mut n = 0;
            for part in &parts {
                let mut src = std::fs::File::open(root.join(part))?;
                n += io::copy(&mut src, &mut file)?;
            }
            if durable {
                file.sync_all()?;
            }
            drop(file);
            std::fs::rename(&staging, &dest)?;
            if durable {
                sync_dirs(&root, &dir)?;
            }
            Ok(n)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&staging);
        }
        result
    })
    .await
}

/// A new staging file beside `dest`, named the way object_store names its own.
fn create_staging(dest: &Path) -> io::Result<(std::fs::File, PathBuf)> {
    for n in 1..10_000u32 {
        let mut name = dest.as_os_str().to_owned();
        name.push(format!("#{}", 1_000_000 + n));
        let path = PathBuf::from(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((f, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "no free staging name beside {}",
        dest.display()
    )))
}

/// Syncs the file at `key` and the directories from its parent up to `root`.
pub async fn sync_key(root: PathBuf, key: String) -> Result<(), object_store::Error> {
    blocking(move || {
        let path = root.join(&key);
        std::fs::File::open(&path)?.sync_all()?;
        match path.parent() {
            Some(dir) => sync_dirs(&root, dir),
            None => Ok(()),
        }
    })
    .await
}

/// Directories whose own entry in their parent is known to be on stable storage (synced since
/// they were created), so a new file in them needs only the file and the directory itself
/// synced, not every ancestor again. A directory leaves the set before it is removed.
/// Bounded: past [`LINKED_MAX`] it is simply cleared (costing a few extra syncs).
static LINKED: std::sync::Mutex<Option<HashSet<PathBuf>>> = std::sync::Mutex::new(None);
const LINKED_MAX: usize = 50_000;

fn linked(dir: &Path) -> bool {
    LINKED
        .lock()
        .map(|s| s.as_ref().is_some_and(|s| s.contains(dir)))
        .unwrap_or(false)
}

fn mark_linked(dirs: Vec<PathBuf>) {
    if let Ok(mut guard) = LINKED.lock() {
        let set = guard.get_or_insert_with(HashSet::new);
        if set.len() + dirs.len() > LINKED_MAX {
            set.clear();
        }
        set.extend(dirs);
    }
}

/// Forgets `dir` (call before removing it: a directory created again must be synced again).
pub fn forget_linked(dir: &Path) {
    if let Ok(mut guard) = LINKED.lock() {
        if let Some(set) = guard.as_mut() {
            set.remove(dir);
        }
    }
}

/// Syncs `dir` (a new entry in it) and, until one is known linked, its ancestors up to `root`
/// (a directory created for the file must itself be recorded in its parent).
/// Directories cannot be opened and synced portably: elsewhere than on Unix this does nothing.
fn sync_dirs(root: &Path, dir: &Path) -> io::Result<()> {
    if !cfg!(unix) {
        return Ok(());
    }
    let mut synced = vec![];
    let mut d = Some(dir);
    while let Some(cur) = d {
        std::fs::File::open(cur)?.sync_all()?;
        if cur == root || linked(cur) {
            break;
        }
        synced.push(cur.to_path_buf());
        d = cur.parent().filter(|p| p.starts_with(root));
    }
    // Each directory synced here had its parent synced after it (the loop went up), so its
    // entry is durable now.
    mark_linked(synced);
    Ok(())
}

/// The size and the space left (for unprivileged writers) of the file system holding `root`,
/// in bytes; `None` when it cannot be read.
pub fn capacity(root: &Path) -> Option<(u64, u64)> {
    let s = rustix::fs::statvfs(root).ok()?;
    let unit = if s.f_frsize > 0 {
        s.f_frsize
    } else {
        s.f_bsize
    };
    Some((
        s.f_blocks.saturating_mul(unit),
        s.f_bavail.saturating_mul(unit),
    ))
}

/// Bytes `range` of a local file, read in `READ_CHUNK` pieces.
pub fn file_stream(file: std::fs::File, range: std::ops::Range<u64>) -> super::ByteStream {
    use futures::{StreamExt, TryStreamExt};
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    const READ_CHUNK: usize = 256 * 1024;
    let to_store_error = |e: std::io::Error| object_store::Error::Generic {
        store: "LocalFileSystem",
        source: Box::new(e),
    };
    let stream = async move {
        let mut f = tokio::fs::File::from_std(file);
        f.seek(std::io::SeekFrom::Start(range.start)).await?;
        Ok::<_, std::io::Error>(tokio_util::io::ReaderStream::with_capacity(
            f.take(range.end - range.start),
            READ_CHUNK,
        ))
    };
    futures::stream::once(stream)
        .try_flatten()
        .map_err(to_store_error)
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::is_staging_name;

    #[test]
    fn staging_names_are_a_hash_and_digits_at_the_end() {
        assert!(is_staging_name("abc#1"));
        assert!(is_staging_name("0123#42"));
        assert!(!is_staging_name("abc"));
        assert!(!is_staging_name("abc#"));
        assert!(!is_staging_name("abc#x1"));
    }
}
