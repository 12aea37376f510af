//! Credentials: the bootstrap `admin` superuser and Basic-credential checks. Argon2 is slow by
//! design, so a verification is cached briefly (keyed by a SHA-256 of the exact credentials,
//! never the password itself) and trusted only while the user's stored hash is unchanged.
use crate::domain::digest::{Algorithm, Digest};
use crate::error::{Error, Result};
use crate::repo::{users, Db};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CACHE_TTL: Duration = Duration::from_secs(60);
const CACHE_MAX: usize = 10_000;

#[derive(Debug, Clone)]
pub struct Principal {
    pub id: uuid::Uuid,
    pub username: String,
    pub is_superuser: bool,
}

#[derive(Clone, Default)]
pub struct CredentialCache {
    /// sha256(credentials) → (verified at, the password hash they were verified against).
    inner: Arc<Mutex<HashMap<String, (Instant, String)>>>,
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| Error::Internal(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checks `username`/`password`; `Err(Unauthorized)` when they do not match an active user.
/// The user's row is read on every call (one indexed query) and a cached verification is only
/// trusted while the stored hash is unchanged and the user active, so a new password or a
/// deactivation takes effect at once on every replica.
pub async fn verify(
    db: &Db,
    cache: &CredentialCache,
    username: &str,
    password: &str,
) -> Result<Principal> {
    let user = users::by_username(&db.conn, username)
        .await?
        .filter(|u| u.is_active)
        .ok_or(Error::Unauthorized)?;
    let principal = Principal {
        id: user.id,
        username: user.username.clone(),
        is_superuser: user.is_superuser,
    };
    let key = Digest::of(
        Algorithm::Sha256,
        format!("{username}\0{password}").as_bytes(),
    )
    .to_string();
    if let Ok(map) = cache.inner.lock() {
        if let Some((at, hash)) = map.get(&key) {
            if at.elapsed() < CACHE_TTL && *hash == user.password_hash {
                return Ok(principal);
            }
        }
    }
    let hash = user.password_hash.clone();
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    if !ok {
        return Err(Error::Unauthorized);
    }
    if let Ok(mut map) = cache.inner.lock() {
        if map.len() >= CACHE_MAX {
            map.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            if map.len() >= CACHE_MAX {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), user.password_hash));
    }
    Ok(principal)
}

/// The active user named `username` (a token's subject), else `Unauthorized`.
pub async fn principal_by_name(db: &Db, username: &str) -> Result<Principal> {
    let user = users::by_username(&db.conn, username)
        .await?
        .filter(|u| u.is_active)
        .ok_or(Error::Unauthorized)?;
    Ok(Principal {
        id: user.id,
        username: user.username,
        is_superuser: user.is_superuser,
    })
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

/// `berth admin set-password`.
pub async fn set_password(db: &Db, username: &str, password: &str) -> Result<bool> {
    let hash = hash_password(password)?;
    Ok(users::set_password(&db.conn, username, &hash).await?)
}
