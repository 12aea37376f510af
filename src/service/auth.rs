//! Credentials: the bootstrap `admin` superuser and Basic-credential checks. Argon2 is slow by
//! design, so a verification is cached briefly (keyed by a SHA-256 of the exact credentials,
//! never the password itself) and trusted only while the user's stored hash is unchanged.
//! Verifications that are not cached are bounded ([`super::password`]: one per core, a short
//! queue, then 429) and failed sign-ins are throttled per user and client address
//! ([`super::throttle`]); unknown and inactive users are checked against a dummy hash so they
//! take as long as real ones. Registry tokens name their user, whose activity is cached for
//! [`ACTIVE_TTL`] ([`is_active`]) and forgotten at once when this process changes the user.
//!
//! Identical credentials arriving together are verified once: a client starts a push with
//! several parallel requests, all with the same cold credentials, and without this each one
//! queued its own Argon2 run for the same answer (and, on a loaded machine, the last ones
//! waited past the verifier's queue limit and got 429). The others wait for that one run
//! ([`InFlight`]) and take its answer: from the cache when it matched, at once when it did not
//! (so a flood of one wrong password costs one verification, each still counted as a failure).
use super::password::Verifier;
use super::throttle::Throttle;
use crate::error::{Error, Result};
use crate::repo::{users, Db};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use super::password::hash_password;

const CACHE_TTL: Duration = Duration::from_secs(60);
const CACHE_MAX: usize = 10_000;
/// How long a user's active flag is trusted for token requests (a deactivation made by another
/// replica or `berth admin` reaches token pulls within this time; one made here, at once).
pub const ACTIVE_TTL: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct Principal {
    pub id: uuid::Uuid,
    pub username: String,
    pub is_superuser: bool,
}

/// Per-process sign-in state: the verification cache, the bounded verifier, the failed sign-in
/// throttle and the active-user cache.
#[derive(Clone, Default)]
pub struct CredentialCache {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// sha256(credentials) → (verified at, the password hash they were verified against).
    verified: Mutex<HashMap<[u8; 32], (Instant, String)>>,
    verifier: Arc<Verifier>,
    throttle: Throttle,
    /// username → (read at, active).
    active: Mutex<HashMap<String, (Instant, bool)>>,
    /// sha256(credentials) → the lock held while they are being verified, with the answer.
    inflight: Mutex<HashMap<[u8; 32], Slot>>,
}

/// The answer of the last verification of one set of credentials (`None`: none finished).
type Slot = Arc<tokio::sync::Mutex<Option<bool>>>;

/// A turn to verify one set of credentials: callers with the same credentials take turns,
/// and the map entry goes with the last of them.
struct InFlight<'a> {
    inner: &'a Inner,
    key: [u8; 32],
    slot: Slot,
}

impl<'a> InFlight<'a> {
    fn join(inner: &'a Inner, key: [u8; 32]) -> InFlight<'a> {
        let slot = match inner.inflight.lock() {
            Ok(mut map) => map.entry(key).or_default().clone(),
            // A poisoned map only loses the sharing, never the check.
            Err(_) => Arc::default(),
        };
        InFlight { inner, key, slot }
    }

    /// Waits until nobody else verifies these credentials; bounded by the verifier's own
    /// bound (the one ahead either finishes or is refused within it).
    async fn turn(&self) -> Result<tokio::sync::MutexGuard<'_, Option<bool>>> {
        tokio::time::timeout(INFLIGHT_WAIT, self.slot.lock())
            .await
            .map_err(|_| Error::TooManyRequests {
                reason: "too many sign-ins in progress; retry shortly".into(),
                retry_after: 1,
            })
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut map) = self.inner.inflight.lock() {
            // The map's reference and ours: nobody else waits for these credentials.
            if Arc::strong_count(&self.slot) <= 2 {
                map.remove(&self.key);
            }
        }
    }
}

/// How long a caller waits for the verification of the same credentials ahead of it.
const INFLIGHT_WAIT: Duration = Duration::from_secs(10);

impl CredentialCache {
    /// A cache whose throttle allows `user_free` failed sign-ins per user name and
    /// `address_free` per client address (0: not throttled on that key).
    pub fn new(user_free: u32, address_free: u32) -> CredentialCache {
        CredentialCache {
            inner: Arc::new(Inner {
                throttle: Throttle::new(user_free, address_free),
                ..Default::default()
            }),
        }
    }
}

#[cfg(test)]
impl CredentialCache {
    /// A cache whose verifier runs `permits` verifications at once, the others waiting at most
    /// `max_wait` for a turn.
    fn with_verifier(permits: usize, max_wait: Duration) -> CredentialCache {
        CredentialCache {
            inner: Arc::new(Inner {
                verifier: Arc::new(Verifier::new(permits, max_wait)),
                ..Default::default()
            }),
        }
    }
}

fn too_many(retry_after: u64) -> Error {
    Error::TooManyRequests {
        reason: format!("too many failed sign-in attempts; try again in {retry_after} seconds"),
        retry_after,
    }
}

/// Checks `username`/`password` from `client`: `Err(Unauthorized)` when they do not match an
/// active user, `Err(TooManyRequests)` while the user or address is locked out or too many
/// verifications are running. The user's row is read on every call (one indexed query) and a
/// cached verification is only trusted while the stored hash is unchanged and the user active,
/// so a new password or a deactivation takes effect at once on every replica. A cached (so
/// known-correct) credential passes even while the user is locked out by someone else's guesses.
pub async fn verify(
    db: &Db,
    cache: &CredentialCache,
    username: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<Principal> {
    let user = users::by_username(&db.conn, username)
        .await?
        .filter(|u| u.is_active);
    let key: [u8; 32] = Sha256::new()
        .chain_update(username.as_bytes())
        .chain_update([0u8])
        .chain_update(password.as_bytes())
        .finalize()
        .into();
    let inner = &cache.inner;
    if let Some(p) = cached(inner, user.as_ref(), &key) {
        return Ok(p);
    }
    if let Some(wait) = inner.throttle.blocked(username, client) {
        return Err(too_many(wait));
    }
    let same = InFlight::join(inner, key);
    let mut answer = same.turn().await?;
    if let Some(p) = cached(inner, user.as_ref(), &key) {
        return Ok(p);
    }
    if *answer == Some(false) {
        inner.throttle.failed(username, client);
        return Err(Error::Unauthorized);
    }
    let turn = inner.verifier.turn().await?;
    // Callers that queued behind a flood see the failures it recorded meanwhile.
    if let Some(wait) = inner.throttle.blocked(username, client) {
        return Err(too_many(wait));
    }
    let hash = user.as_ref().map(|u| u.password_hash.as_str());
    let ok = inner.verifier.verify(turn, password, hash).await?;
    *answer = Some(ok);
    let Some(user) = user.filter(|_| ok) else {
        inner.throttle.failed(username, client);
        return Err(Error::Unauthorized);
    };
    inner.throttle.succeeded(username);
    if let Ok(mut map) = inner.verified.lock() {
        if map.len() >= CACHE_MAX {
            map.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            if map.len() >= CACHE_MAX {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), user.password_hash.clone()));
    }
    Ok(principal_of(&user))
}

/// The principal of credentials verified within [`CACHE_TTL`] against `user`'s current hash.
fn cached(inner: &Inner, user: Option<&users::UserRow>, key: &[u8; 32]) -> Option<Principal> {
    let u = user?;
    let map = inner.verified.lock().ok()?;
    let (at, hash) = map.get(key)?;
    (at.elapsed() < CACHE_TTL && *hash == u.password_hash).then(|| principal_of(u))
}

fn principal_of(u: &users::UserRow) -> Principal {
    Principal {
        id: u.id,
        username: u.username.clone(),
        is_superuser: u.is_superuser,
    }
}

/// The active user named `username` (a token's subject), else `Unauthorized`.
pub async fn principal_by_name(db: &Db, username: &str) -> Result<Principal> {
    let user = users::by_username(&db.conn, username)
        .await?
        .filter(|u| u.is_active)
        .ok_or(Error::Unauthorized)?;
    Ok(principal_of(&user))
}

/// Whether `username` is an active user, read at most every [`ACTIVE_TTL`] per user.
pub async fn is_active(db: &Db, cache: &CredentialCache, username: &str) -> Result<bool> {
    if let Ok(map) = cache.inner.active.lock() {
        if let Some((at, active)) = map.get(username) {
            if at.elapsed() < ACTIVE_TTL {
                return Ok(*active);
            }
        }
    }
    let active = users::by_username(&db.conn, username)
        .await?
        .is_some_and(|u| u.is_active);
    if let Ok(mut map) = cache.inner.active.lock() {
        if map.len() >= CACHE_MAX {
            map.retain(|_, (at, _)| at.elapsed() < ACTIVE_TTL);
            if map.len() >= CACHE_MAX {
                map.clear();
            }
        }
        map.insert(username.to_string(), (Instant::now(), active));
    }
    Ok(active)
}

impl CredentialCache {
    /// Forgets what is cached about `username` (call after changing or deleting the user).
    pub fn forget_user(&self, username: &str) {
        if let Ok(mut map) = self.inner.active.lock() {
            map.remove(username);
        }
    }
}

/// Creates the `admin` superuser on first start. Its password comes from `password` or is
/// generated, written to `password_file` (mode 0600) and returned so it can be printed once.
pub async fn bootstrap_admin(
    db: &Db,
    password: Option<&str>,
    password_file: &std::path::Path,
) -> Result<Option<String>> {
    if users::by_username(&db.conn, "admin").await?.is_some() {
        return Ok(None);
    }
    let (pw, generated) = match password {
        Some(p) => (p.to_string(), false),
        None => {
            use rand::distr::{Alphanumeric, SampleString};
            (Alphanumeric.sample_string(&mut rand::rng(), 24), true)
        }
    };
    let hash = hash_password(&pw)?;
    if !users::insert(&db.conn, "admin", &hash, true).await? {
        return Ok(None);
    }
    if generated {
        write_secret(password_file, &pw)?;
        return Ok(Some(pw));
    }
    Ok(None)
}

fn write_secret(path: &std::path::Path, secret: &str) -> Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(path)?;
    f.write_all(secret.as_bytes())?;
    f.write_all(b"\n")?;
    Ok(())
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;
