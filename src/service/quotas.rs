//! Namespace storage quotas: superusers set them; pushes are checked against them.
//!
//! A namespace is charged the bytes of each distinct blob its repositories hold (any kept
//! version) or were pushed but not yet put in a version (pending), so a blob already charged
//! adds nothing. A blob upload is refused (`DENIED`, "quota exceeded: used X of Y") when its
//! blob would take the charge above the quota; a manifest PUT is refused while the namespace
//! is above its quota (after the quota was lowered). Mounts count like uploads.
//!
//! Guarantee: the check and the commit it guards run in one write transaction under the
//! namespace's quota lock (`repo::quotas::lock`; SQLite's writer lock), so parallel pushes to
//! one namespace, on any replica, never take it above its quota. Content added through the
//! management API's tasks (tag, restore) is not checked: it only re-uses what is charged.
use crate::error::{Error, Result};
use crate::repo::{quotas as q, Db};
use crate::service::policy::Caller;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use uuid::Uuid;

/// A namespace's quota and the bytes it is charged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub quota_bytes: Option<i64>,
    pub used_bytes: i64,
}

/// The quota and charge of each namespace among `ids` (one query each, whatever the page).
pub async fn usage(db: &Db, ids: &[Uuid]) -> Result<HashMap<Uuid, Usage>> {
    let quotas = q::quotas(&db.conn, ids).await?;
    let used = q::charged(&db.conn, ids).await?;
    Ok(ids
        .iter()
        .map(|id| {
            let u = Usage {
                quota_bytes: quotas.get(id).copied(),
                used_bytes: used.get(id).copied().unwrap_or(0),
            };
            (*id, u)
        })
        .collect())
}

/// Sets (`Some`) or removes (`None`) the quota of namespace `ns`: superusers only.
pub async fn set(db: &Db, c: &Caller, ns: Uuid, quota: Option<i64>) -> Result<()> {
    if !c.is_admin() {
        return Err(Error::Forbidden(
            "Only superusers may set storage quotas.".into(),
        ));
    }
    if quota.is_some_and(|b| b < 0) {
        return Err(Error::field(
            "quota_bytes",
            "Ensure this value is greater than or equal to 0.",
        ));
    }
    super::namespaces::get(db, ns).await?;
    let txn = db.begin_write().await?;
    q::set(&*txn, ns, quota).await?;
    txn.commit().await?;
    Ok(())
}

/// Whether adding blob `digest` of `size` bytes to repository `repo` stays within its
/// namespace's quota. Inside the committing transaction, after its digest lock, this also
/// takes the namespace's quota lock (held until that transaction ends).
pub async fn check_blob(
    c: &impl ConnectionTrait,
    repo: Uuid,
    digest: &str,
    size: u64,
) -> Result<()> {
    let Some((ns, quota)) = q::of_repository(c, repo).await? else {
        return Ok(());
    };
    q::lock(c, ns).await?;
    if q::charges_blob(c, ns, digest).await? {
        return Ok(());
    }
    let used = charged(c, ns).await?;
    if used.saturating_add(size) > quota.max(0) as u64 {
        crate::telemetry::metrics::global().quota_refusal("blob");
        return Err(exceeded(used, quota, Some(size)));
    }
    Ok(())
}

/// Whether a manifest may be pushed to repository `repo`: not while its namespace is above
/// its quota (a manifest's blobs are already charged).
pub async fn check_manifest(c: &impl ConnectionTrait, repo: Uuid) -> Result<()> {
    let Some((ns, quota)) = q::of_repository(c, repo).await? else {
        return Ok(());
    };
    q::lock(c, ns).await?;
    let used = charged(c, ns).await?;
    if used > quota.max(0) as u64 {
        crate::telemetry::metrics::global().quota_refusal("manifest");
        return Err(exceeded(used, quota, None));
    }
    Ok(())
}

async fn charged(c: &impl ConnectionTrait, ns: Uuid) -> Result<u64> {
    let used = q::charged(c, &[ns]).await?;
    Ok(used.get(&ns).copied().unwrap_or(0).max(0) as u64)
}

/// The refusal: `quota exceeded: used X of Y` (human sizes, then bytes).
fn exceeded(used: u64, quota: i64, more: Option<u64>) -> Error {
    let quota = quota.max(0) as u64;
    let mut msg = format!(
        "quota exceeded: used {} of {} ({used} of {quota} bytes) in this namespace",
        human(used),
        human(quota)
    );
    if let Some(n) = more {
        msg.push_str(&format!("; this blob needs {} ({n} bytes)", human(n)));
    }
    Error::Forbidden(msg)
}

/// `1536` → `1.5 KiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_used_of_quota_in_human_sizes_and_bytes() {
        let e = exceeded(1536, 2048, Some(1024));
        assert_eq!(
            e.to_string(),
            "quota exceeded: used 1.5 KiB of 2.0 KiB (1536 of 2048 bytes) in this namespace; \
             this blob needs 1.0 KiB (1024 bytes)"
        );
        assert_eq!(human(10), "10 B");
        assert_eq!(human(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }
}
