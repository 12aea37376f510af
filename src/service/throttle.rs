//! Failed sign-in throttling, per user name and per client address, in memory of this process
//! (each replica counts on its own). A key may fail [`USER_FREE`] (user) or [`ADDRESS_FREE`]
//! (address) times within [`WINDOW`]; after that each further failure locks it for an
//! exponentially growing time (5 s, 10 s, 20 s, … up to [`MAX_LOCK`]) during which sign-ins are
//! refused with 429 before any password is checked. A verified success clears the user's count; a key
//! with no failure for [`WINDOW`] is forgotten. Keys are SHA-256 digests (fixed size whatever
//! the caller sends) and at most [`MAX_KEYS`] are kept. IPv6 clients are counted per /64.
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const USER_FREE: u32 = 10;
pub const ADDRESS_FREE: u32 = 50;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_LOCK: Duration = Duration::from_secs(5 * 60);
/// The first lock; each further failure doubles it.
const FIRST_LOCK_SECS: u64 = 5;
const MAX_KEYS: usize = 100_000;

type Key = [u8; 32];

#[derive(Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
    free: u32,
}

impl Entry {
    /// When the key may try again (`None`: not locked).
    fn locked_until(&self) -> Option<Instant> {
        if self.failures < self.free {
            return None;
        }
        let exp = (self.failures - self.free).min(16);
        let lock = Duration::from_secs(FIRST_LOCK_SECS << exp).min(MAX_LOCK);
        Some(self.last + lock)
    }

    fn stale(&self, now: Instant) -> bool {
        now.duration_since(self.last) >= WINDOW
    }
}

pub struct Throttle {
    entries: Mutex<HashMap<Key, Entry>>,
    /// Free failures per user name and per client address (0: that key is not throttled).
    user_free: u32,
    address_free: u32,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(USER_FREE, ADDRESS_FREE)
    }
}

fn user_key(user: &str) -> Key {
    Sha256::new()
        .chain_update(b"user\0")
        .chain_update(user.as_bytes())
        .finalize()
        .into()
}

fn address_key(addr: IpAddr) -> Key {
    let bytes = match addr {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => v4.octets().to_vec(),
            None => a.octets()[..8].to_vec(),
        },
    };
    Sha256::new()
        .chain_update(b"addr\0")
        .chain_update(&bytes)
        .finalize()
        .into()
}

impl Throttle {
    /// A throttle allowing `user_free` failures per user name and `address_free` per client
    /// address within [`WINDOW`]; 0 turns that count off.
    pub fn new(user_free: u32, address_free: u32) -> Throttle {
        Throttle {
            entries: Mutex::new(HashMap::new()),
            user_free,
            address_free,
        }
    }

    fn keys(&self, user: &str, addr: Option<IpAddr>) -> Vec<(Key, u32)> {
        let mut k = vec![];
        if self.user_free > 0 {
            k.push((user_key(user), self.user_free));
        }
        if let (Some(a), true) = (addr, self.address_free > 0) {
            k.push((address_key(a), self.address_free));
        }
        k
    }

    /// Seconds to wait when `user` or `addr` is locked out now.
    pub fn blocked(&self, user: &str, addr: Option<IpAddr>) -> Option<u64> {
        let now = Instant::now();
        let map = self.entries.lock().ok()?;
        self.keys(user, addr)
            .iter()
            .filter_map(|(k, _)| map.get(k))
            .filter(|e| !e.stale(now))
            .filter_map(Entry::locked_until)
            .filter(|until| *until > now)
            .map(|until| until.duration_since(now).as_secs_f64().ceil() as u64)
            .max()
            .map(|s| s.max(1))
    }

    /// Counts a failed sign-in of `user` from `addr`.
    pub fn failed(&self, user: &str, addr: Option<IpAddr>) {
        let now = Instant::now();
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        if map.len() >= MAX_KEYS {
            map.retain(|_, e| !e.stale(now));
        }
        if map.len() >= MAX_KEYS {
            // Forget keys that are not locked out before any that are.
            map.retain(|_, e| e.failures >= e.free);
        }
        if map.len() >= MAX_KEYS {
            map.clear();
        }
        for (k, free) in self.keys(user, addr) {
            let e = map.entry(k).or_insert(Entry {
                failures: 0,
                last: now,
                free,
            });
            if e.stale(now) {
                e.failures = 0;
            }
            e.failures = e.failures.saturating_add(1);
            e.last = now;
        }
    }

    /// A successful sign-in clears the user's failures (not the address's).
    pub fn succeeded(&self, user: &str) {
        if let Ok(mut map) = self.entries.lock() {
            map.remove(&user_key(user));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_is_locked_after_the_free_failures_and_a_success_resets_it() {
        let t = Throttle::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..USER_FREE - 1 {
            t.failed("bob", Some(a));
        }
        assert_eq!(t.blocked("bob", Some(a)), None);
        t.succeeded("bob");
        for _ in 0..USER_FREE {
            t.failed("bob", Some(a));
        }
        assert_eq!(t.blocked("bob", Some(a)), Some(FIRST_LOCK_SECS));
        assert_eq!(
            t.blocked("alice", Some(a)),
            None,
            "the address is not locked yet"
        );
        t.failed("bob", None);
        assert_eq!(
            t.blocked("bob", None),
            Some(2 * FIRST_LOCK_SECS),
            "back-off doubles"
        );
    }

    #[test]
    fn an_address_is_locked_whatever_the_user_names() {
        let t = Throttle::default();
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let same_64: IpAddr = "2001:db8::2".parse().unwrap();
        for i in 0..ADDRESS_FREE {
            t.failed(&format!("u{i}"), Some(a));
        }
        assert!(t.blocked("someone", Some(same_64)).is_some());
        assert!(t
            .blocked("someone", Some("2001:db9::1".parse().unwrap()))
            .is_none());
    }

    #[test]
    fn a_zero_limit_turns_that_count_off() {
        let t = Throttle::new(0, 0);
        let a: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..ADDRESS_FREE * 2 {
            t.failed("bob", Some(a));
        }
        assert_eq!(t.blocked("bob", Some(a)), None);
    }
}
