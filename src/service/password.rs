//! Argon2 password hashing and bounded verification. A verification needs 19 MiB of memory and
//! ~40 ms of a core, so unauthenticated callers must not be able to run many at once: at most
//! one per core runs (each on the blocking pool, with a memory buffer reused from a pool of at
//! most that many, so the memory stays allocated at a fixed size instead of growing with the
//! number of callers and staying with the allocator afterwards); a bounded number of callers
//! wait up to [`MAX_WAIT`] for a turn, everybody else is refused at once with
//! `Error::TooManyRequests`. Unknown users are verified against a dummy hash (computed once,
//! when the verifier is made at start) so they take as long as known ones.
use crate::error::{Error, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How long a verification may wait for a free core before the caller gets a 429.
pub const MAX_WAIT: Duration = Duration::from_secs(2);
/// Callers allowed to wait per core; more are refused without waiting.
const WAITERS_PER_PERMIT: usize = 32;

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| Error::Internal(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the PHC string `hash`, computing into `blocks` (resized as the
/// hash's parameters need). Compares in constant time.
fn check(password: &[u8], hash: &str, blocks: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let count = params.block_count();
    if blocks.len() != count {
        blocks.clear();
        blocks.shrink_to_fit();
        blocks.resize(count, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let ok = Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut blocks[..])
        .is_ok();
    ok && argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

/// Runs at most one verification per permit; see the module doc.
pub struct Verifier {
    permits: Arc<Semaphore>,
    size: usize,
    waiting: AtomicUsize,
    max_wait: Duration,
    /// Memory buffers of finished verifications, reused by the next ones (at most `size`).
    buffers: Mutex<Vec<Vec<Block>>>,
    dummy: OnceLock<String>,
}

impl Default for Verifier {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Verifier::new(cores, MAX_WAIT)
    }
}

impl Verifier {
    pub fn new(permits: usize, max_wait: Duration) -> Verifier {
        let size = permits.max(1);
        // Computed now rather than on the first unknown user, whose sign-in would otherwise
        // take twice as long as the next ones.
        let dummy = OnceLock::new();
        if let Ok(h) = hash_password(&format!("{:?}", rand::random::<[u8; 16]>())) {
            let _ = dummy.set(h);
        }
        Verifier {
            permits: Arc::new(Semaphore::new(size)),
            size,
            waiting: AtomicUsize::new(0),
            max_wait,
            buffers: Mutex::new(Vec::new()),
            dummy,
        }
    }

    fn busy() -> Error {
        Error::TooManyRequests {
            reason: "too many sign-ins in progress; retry shortly".into(),
            retry_after: 1,
        }
    }

    /// Waits (boundedly) for a turn to verify.
    pub async fn turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit> {
        if let Ok(p) = self.permits.clone().try_acquire_owned() {
            return Ok(p);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.size * WAITERS_PER_PERMIT {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Self::busy());
        }
        let got = tokio::time::timeout(self.max_wait, self.permits.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match got {
            Ok(Ok(p)) => Ok(p),
            _ => Err(Self::busy()),
        }
    }

    /// Verifies `password` against `hash` (`None`: against the dummy hash, always `false`)
    /// on the blocking pool, holding `turn` until the computation ends even if the caller
    /// goes away.
    pub async fn verify(
        self: &Arc<Self>,
        turn: tokio::sync::OwnedSemaphorePermit,
        password: &str,
        hash: Option<&str>,
    ) -> Result<bool> {
        let (hash, real) = match hash {
            Some(h) => (h.to_string(), true),
            None => (self.dummy_hash()?, false),
        };
        let me = self.clone();
        let pw = password.to_string();
        let ok = tokio::task::spawn_blocking(move || {
            let mut buf = me
                .buffers
                .lock()
                .ok()
                .and_then(|mut b| b.pop())
                .unwrap_or_default();
            let ok = check(pw.as_bytes(), &hash, &mut buf);
            if let Ok(mut pool) = me.buffers.lock() {
                if pool.len() < me.size {
                    pool.push(buf);
                }
            }
            drop(turn);
            ok
        })
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
        Ok(ok && real)
    }

    fn dummy_hash(&self) -> Result<String> {
        if let Some(h) = self.dummy.get() {
            return Ok(h.clone());
        }
        let random: [u8; 16] = rand::random();
        let h = hash_password(&format!("{random:?}"))?;
        Ok(self.dummy.get_or_init(|| h).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_checks_against_its_password_only() {
        let h = hash_password("right").unwrap();
        let mut buf = Vec::new();
        assert!(check(b"right", &h, &mut buf));
        assert!(!check(b"wrong", &h, &mut buf));
        assert!(!check(b"right", "not a hash", &mut buf));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn verifications_run_at_most_one_per_permit_and_refuse_beyond_the_queue() {
        let v = Arc::new(Verifier::new(1, Duration::from_millis(1)));
        let h = hash_password("right").unwrap();
        let mut tasks = vec![];
        for _ in 0..20 {
            let (v, h) = (v.clone(), h.clone());
            tasks.push(tokio::spawn(async move {
                let t = v.turn().await?;
                v.verify(t, "wrong", Some(&h)).await
            }));
        }
        let mut refused = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(ok) => assert!(!ok),
                Err(Error::TooManyRequests { .. }) => refused += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(
            refused > 0,
            "beyond one running verification, callers are refused"
        );
        assert!(
            v.buffers.lock().unwrap().len() <= 1,
            "one buffer per permit"
        );
    }
}
