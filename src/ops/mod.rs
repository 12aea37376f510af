//! Operator commands that work on a data directory as a whole rather than through requests:
//! `berth backup` ([`backup`]) and `berth restore` ([`restore`]), for the embedded default
//! (SQLite + a local blob directory). They sit beside `startup`: they use `repo` for SQL,
//! `storage::keys` for the layout and `service::fsck` to check a restored copy, and [`files`]
//! for the file work (hard links or copies, private modes, fsync).
//!
//! A backup directory holds `berth.db` and `berth.db-queue` (SQLite online copies), `blobs/`
//! (the blob store's tree: every blob the copied database names, and the staged parts of its
//! open uploads), `admin-password` and a configured token key file when there are some (0600),
//! and `backup.json`, written last: a directory without it is not a complete backup.
pub mod backup;
pub mod files;
pub mod restore;

use crate::config::Settings;
use std::path::PathBuf;

/// The name of the completion record, written last.
pub const MANIFEST: &str = "backup.json";
/// The database copy's file name in a backup.
pub const DB_FILE: &str = "berth.db";
/// The task queue copy's file name in a backup.
pub const QUEUE_FILE: &str = "berth.db-queue";
/// The blob store's directory in a backup.
pub const BLOBS_DIR: &str = "blobs";
/// The admin password file's name (in a backup and in a data directory).
pub const ADMIN_PASSWORD: &str = "admin-password";
/// A configured token signing key file, copied into a backup under this name.
pub const TOKEN_KEY: &str = "token-private-key.pem";

const README_POINTER: &str =
    "see the README section \"Backups, restores and upgrades\" for PostgreSQL and S3";

/// The files of the embedded default: (SQLite database, its queue file, local blob root).
/// Anything else (PostgreSQL, S3, memory) is refused with a pointer to the README.
pub fn embedded_paths(settings: &Settings) -> anyhow::Result<(PathBuf, PathBuf, PathBuf)> {
    let Some(db) = crate::file_modes::sqlite_file(&settings.database_url) else {
        anyhow::bail!(
            "berth backup/restore handle the embedded default (SQLite + a local directory); \
             this berth uses {} — {README_POINTER}",
            crate::config::redact(&settings.database_url)
        );
    };
    let root = settings
        .storage_url
        .strip_prefix("file://")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let Some(root) = root else {
        anyhow::bail!(
            "berth backup/restore handle the embedded default (SQLite + a local directory); \
             blobs are stored at {} — {README_POINTER}",
            settings.storage_url
        );
    };
    let mut queue = db.clone().into_os_string();
    queue.push("-queue");
    Ok((db, PathBuf::from(queue), root))
}

/// A progress line on stderr when it is a terminal (overwritten in place), else nothing.
pub fn terminal_progress(what: &'static str) -> impl Fn(u64, u64, u64) + Send + Sync {
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    move |done, total, bytes| {
        if terminal {
            eprint!(
                "\r{what}: {done}/{total} files, {}   ",
                files::human_bytes(bytes)
            );
            if done == total {
                eprintln!();
            }
        }
    }
}
