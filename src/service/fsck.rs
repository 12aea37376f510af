//! `berth admin fsck`: compares the files in storage with what the database knows.
//!
//! Findings: *missing* bytes (a blob row whose file is absent: pulls of it fail, serious),
//! *size* mismatches (row and file disagree), *stray* bytes (a blob file no row names), *staging*
//! leftovers (object_store's `…#<n>` files or incomplete S3 multipart uploads of a killed
//! write), *orphan parts* (files under `uploads/` no open session lists) and *unexpected* keys.
//!
//! `repair` removes stray bytes (each re-checked under the digest lock orphan cleanup and
//! uploads take, so a push placing those bytes right now keeps them), staging leftovers and
//! orphan parts, all only once older than `grace` (a write in progress is younger). It never
//! touches a database row: missing bytes and size mismatches are reported for an operator.
use crate::error::Result;
use crate::repo::{content, inventory, Db};
use crate::storage::{keys, BlobStore, Leftover};
use chrono::{DateTime, Utc};
use std::fmt;

/// One stored object: key, size, last modified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub size: u64,
    pub modified: DateTime<Utc>,
}

/// What a check found (and, with `repair`, what it removed).
#[derive(Debug, Default)]
pub struct Report {
    pub storage: String,
    pub rows: u64,
    pub row_bytes: u64,
    pub files: u64,
    pub file_bytes: u64,
    /// Digest and the size its row records.
    pub missing: Vec<(String, u64)>,
    /// Digest, size in the row, size of the file.
    pub size_mismatch: Vec<(String, u64, u64)>,
    pub stray: Vec<Object>,
    pub staging: Vec<Object>,
    pub orphan_parts: Vec<Object>,
    pub unexpected: Vec<Object>,
    /// Objects removed by `repair`.
    pub removed: u64,
    /// Found but left alone by `repair` because younger than the grace period.
    pub kept_recent: u64,
}

impl Report {
    /// Whether storage and database agree (after repair, if one ran).
    pub fn clean(&self) -> bool {
        let found = self.stray.len() + self.staging.len() + self.orphan_parts.len();
        self.missing.is_empty()
            && self.size_mismatch.is_empty()
            && self.unexpected.is_empty()
            && found as u64 == self.removed
    }
}

/// Runs the check; with `repair`, removes what is safe to remove and older than `grace`.
pub async fn check(
    db: &Db,
    store: &BlobStore,
    repair: bool,
    grace: std::time::Duration,
) -> Result<Report> {
    let cutoff = chrono::Duration::from_std(grace)
        .ok()
        .and_then(|g| Utc::now().checked_sub_signed(g))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut rows = inventory::blob_sizes(&db.conn).await?;
    let (_, live_parts) = inventory::upload_sessions(&db.conn).await?;
    let mut r = Report {
        storage: store.description().to_string(),
        rows: rows.len() as u64,
        row_bytes: rows.values().map(|s| (*s).max(0) as u64).sum(),
        ..Default::default()
    };
    for (key, size, modified) in store.list_meta("").await? {
        let obj = Object {
            key,
            size,
            modified,
        };
        r.files += 1;
        r.file_bytes += obj.size;
        if keys::is_upload(&obj.key) {
            if !live_parts.contains(&obj.key) {
                r.orphan_parts.push(obj);
            }
            continue;
        }
        match digest_of_key(&obj.key) {
            Some(d) => match rows.remove(&d) {
                Some(row) if row as u64 == obj.size => {}
                Some(row) => r.size_mismatch.push((d, row as u64, obj.size)),
                None => r.stray.push(obj),
            },
            None => r.unexpected.push(obj),
        }
    }
    let mut missing: Vec<(String, u64)> = rows
        .into_iter()
        .map(|(d, s)| (d, s.max(0) as u64))
        .collect();
    missing.sort();
    r.missing = missing;
    r.staging = store
        .staging_leftovers(Utc::now() + chrono::Duration::seconds(1))
        .await?
        .into_iter()
        .map(|l| Object {
            key: l.key,
            size: l.size,
            modified: l.modified,
        })
        .collect();
    if repair {
        repair_all(db, store, &mut r, cutoff).await?;
    }
    Ok(r)
}

/// The digest a `blobs/<alg>/<xx>/<hex>` key stores, if the key is one.
fn digest_of_key(key: &str) -> Option<String> {
    keys::blob_digest(key).map(|d| d.to_string())
}

async fn repair_all(
    db: &Db,
    store: &BlobStore,
    r: &mut Report,
    cutoff: DateTime<Utc>,
) -> Result<()> {
    for obj in &r.stray {
        if obj.modified >= cutoff {
            r.kept_recent += 1;
            continue;
        }
        let Some(digest) = digest_of_key(&obj.key) else {
            continue;
        };
        // As orphan cleanup's stray sweep: delete only if still row-less, under the lock.
        let txn = db.begin_write().await?;
        content::lock_digest(&*txn, &digest).await?;
        if content::blob_global(&*txn, &digest).await?.is_none() {
            store.delete(&obj.key).await?;
            r.removed += 1;
        }
        txn.commit().await?;
    }
    let (_, live_parts) = inventory::upload_sessions(&db.conn).await?;
    for obj in &r.orphan_parts {
        if obj.modified >= cutoff || live_parts.contains(&obj.key) {
            r.kept_recent += 1;
            continue;
        }
        store.delete(&obj.key).await?;
        r.removed += 1;
    }
    let old: Vec<Leftover> = store
        .staging_leftovers(cutoff)
        .await?
        .into_iter()
        .filter(|l| r.staging.iter().any(|s| s.key == l.key))
        .collect();
    r.kept_recent += (r.staging.len() - old.len().min(r.staging.len())) as u64;
    r.removed += store.remove_leftovers(&old).await?;
    Ok(())
}

fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "storage:  {}", self.storage)?;
        writeln!(
            f,
            "database: {} blobs, {}",
            self.rows,
            human(self.row_bytes)
        )?;
        writeln!(
            f,
            "files:    {} objects, {}",
            self.files,
            human(self.file_bytes)
        )?;
        for (d, size) in &self.missing {
            writeln!(
                f,
                "MISSING   {d}: the database lists {size} bytes, storage has no file"
            )?;
        }
        for (d, row, file) in &self.size_mismatch {
            writeln!(
                f,
                "SIZE      {d}: the database says {row} bytes, the file has {file}"
            )?;
        }
        let lists = [
            ("STRAY    ", &self.stray, "no blob row"),
            ("STAGING  ", &self.staging, "left by an interrupted write"),
            ("PART     ", &self.orphan_parts, "no open upload session"),
            ("UNKNOWN  ", &self.unexpected, "not a key berth writes"),
        ];
        for (label, list, why) in lists {
            for o in list {
                writeln!(
                    f,
                    "{label} {} ({}, modified {}): {why}",
                    o.key,
                    human(o.size),
                    o.modified.format("%Y-%m-%d %H:%M:%S UTC")
                )?;
            }
        }
        let bytes = |l: &Vec<Object>| human(l.iter().map(|o| o.size).sum());
        writeln!(
            f,
            "totals:   {} missing, {} size mismatches, {} stray ({}), {} staging ({}), \
             {} orphan upload parts ({}), {} unknown",
            self.missing.len(),
            self.size_mismatch.len(),
            self.stray.len(),
            bytes(&self.stray),
            self.staging.len(),
            bytes(&self.staging),
            self.orphan_parts.len(),
            bytes(&self.orphan_parts),
            self.unexpected.len()
        )?;
        if self.removed > 0 || self.kept_recent > 0 {
            writeln!(
                f,
                "repair:   removed {}, kept {} younger than the grace period",
                self.removed, self.kept_recent
            )?;
        }
        let verdict = if self.clean() {
            "storage and database agree".to_string()
        } else if !self.missing.is_empty() || !self.size_mismatch.is_empty() {
            "PROBLEMS: blobs the database lists are missing or damaged in storage".to_string()
        } else if self.removed > 0 || self.kept_recent > 0 {
            format!(
                "repaired what was safe; {} recent and {} unknown files were left alone",
                self.kept_recent,
                self.unexpected.len()
            )
        } else if self.unexpected.is_empty() {
            "storage holds files the database does not know (--repair removes them)".to_string()
        } else {
            "storage holds files berth did not write: check them by hand (--repair never \
             removes unknown files)"
                .to_string()
        };
        write!(f, "{verdict}")
    }
}

#[cfg(test)]
mod tests {
    use super::digest_of_key;

    #[test]
    fn only_content_addressed_keys_name_a_digest() {
        let hex = "a".repeat(64);
        assert_eq!(
            digest_of_key(&format!("blobs/sha256/aa/{hex}")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(digest_of_key(&format!("blobs/sha256/ab/{hex}")), None);
        assert_eq!(digest_of_key("blobs/sha256/aa/short"), None);
        assert_eq!(digest_of_key("other/x"), None);
    }
}
