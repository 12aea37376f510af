//! Private files: the data directory is created (or tightened to) 0700, and every database or
//! secret file berth keeps on disk — the SQLite database (which holds the token signing key and
//! the password hashes) with its `-wal`/`-shm`/`-journal`, the SQLite task queue
//! `<db>-queue` with its own, and `admin-password` — is created (or tightened to) 0600. The
//! SQLite files are created empty with 0600 before SQLite opens them, so SQLite's own `-wal`
//! and `-shm` inherit that mode; files of an existing install that are readable by others are
//! tightened at start with a warning naming each. Unix only (elsewhere nothing is done).
use crate::config::Settings;
use std::path::{Path, PathBuf};

/// The file of a SQLite database URL (`None` for PostgreSQL and in-memory databases).
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// Every file that must be private: the SQLite database, the queue and their companions, and
/// the generated admin password.
fn private_files(settings: &Settings) -> Vec<PathBuf> {
    let mut files = vec![settings.data_dir.join("admin-password")];
    if let Some(db) = sqlite_file(&settings.database_url) {
        for base in [db.clone(), with_suffix(&db, "-queue")] {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                files.push(with_suffix(&base, suffix));
            }
        }
    }
    files
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Before the database is opened: the data directory exists and is 0700, existing private
/// files are 0600, and missing SQLite files are created empty with 0600.
pub fn prepare(settings: &Settings) -> std::io::Result<()> {
    let dir = &settings.data_dir;
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    tighten_one(dir, 0o700)?;
    if let Some(db) = sqlite_file(&settings.database_url) {
        for f in [db.clone(), with_suffix(&db, "-queue")] {
            create_private(&f)?;
        }
    }
    tighten(settings)
}

/// Makes every existing private file 0600 (warning about each one changed). A configured token
/// key file is the operator's: it is only warned about.
pub fn tighten(settings: &Settings) -> std::io::Result<()> {
    for f in private_files(settings) {
        tighten_one(&f, 0o600)?;
    }
    #[cfg(unix)]
    if let Some(key) = &settings.token_private_key {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(key) {
            if m.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    "token private key {} is readable by other users (mode {:o}); chmod 600 it",
                    key.display(),
                    m.permissions().mode() & 0o777
                );
            }
        }
    }
    Ok(())
}

/// Creates `path` empty with mode 0600 unless it exists.
fn create_private(path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn tighten_one(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let current = meta.permissions().mode() & 0o777;
    if current & 0o077 == 0 {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    tracing::warn!(
        "{} was readable by other users (mode {current:o}); changed it to {mode:o}",
        path.display()
    );
    Ok(())
}

#[cfg(not(unix))]
fn tighten_one(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://./d/berth.db?mode=rwc"),
            Some(PathBuf::from("./d/berth.db"))
        );
        assert_eq!(sqlite_file("sqlite:///abs/b.db"), Some("/abs/b.db".into()));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x/y"), None);
    }
}
