//! Registry tokens (Docker token auth, pulp-api.md §14.4): ES256 JWTs signed with one P-256
//! key that every replica shares (from a configured PEM file, else generated on first start and
//! kept in the database), issued by `/token/` and verified on every `/v2/` request. Verification
//! accepts only ES256 with our key and checks signature, `exp`, `nbf`, `iss`, `aud`, and that
//! `iat` is present and `exp - iat` at most the configured token lifetime; verified
//! tokens are cached until they expire so hot paths do not pay for ECDSA on every request.
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::repo::{signing_keys, Db};
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const KEY_NAME: &str = "registry";
const CACHE_MAX: usize = 10_000;
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY: u64 = 5;

/// One granted scope: `{"type": "repository", "name": "ns/app", "actions": ["pull"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: u64,
    pub nbf: u64,
    pub iat: u64,
    pub jti: String,
    pub access: Vec<Access>,
}

impl Claims {
    /// Whether the token grants `action` on `kind:name`.
    pub fn allows(&self, kind: &str, name: &str, action: &str) -> bool {
        self.access
            .iter()
            .any(|a| a.kind == kind && a.name == name && a.actions.iter().any(|x| x == action))
    }
}

/// Why a token was refused (never shown in detail to clients).
#[derive(Debug, thiserror::Error)]
#[error("invalid token: {0}")]
pub struct TokenError(String);

#[derive(Clone)]
pub struct Tokens {
    inner: Arc<Inner>,
}

struct Inner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Uncompressed P-256 point (0x04 ‖ X ‖ Y).
    public_point: Vec<u8>,
    kid: String,
    issuer: String,
    lifetime: u64,
    cache: Mutex<HashMap<[u8; 32], Claims>>,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The PEM text `BERTH_TOKEN_PRIVATE_KEY` gives: the value itself when it is a PEM block,
/// else the file it names; and a description of which, that never contains key material.
fn key_text(given: &std::path::Path) -> std::result::Result<(String, String), String> {
    let raw = given.as_os_str().to_string_lossy();
    if raw.contains("-----BEGIN") {
        return Ok((
            raw.into_owned(),
            "PEM given inline in BERTH_TOKEN_PRIVATE_KEY".into(),
        ));
    }
    let source = format!("read from the file {}", given.display());
    match std::fs::read_to_string(given) {
        Ok(text) => Ok((text, source)),
        Err(e) => Err(format!(
            "token private key: cannot read the file {}: {e} (BERTH_TOKEN_PRIVATE_KEY takes \
             a file path or the PEM itself)",
            given.display()
        )),
    }
}

/// The DER bytes inside a PEM document (any label).
fn pem_der(text: &str) -> Option<Vec<u8>> {
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.is_empty())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// libtrust's key id: SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32, in 12
/// groups of 4 joined by `:` (what docker/distribution print for a key).
pub fn key_id(public_point: &[u8]) -> String {
    const SPKI_P256_PREFIX: [u8; 26] = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ];
    let mut spki = SPKI_P256_PREFIX.to_vec();
    spki.extend_from_slice(public_point);
    let hash = Sha256::digest(&spki);
    let b32 = base32(&hash[..30]);
    b32.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

/// RFC 4648 base32 without padding.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buf >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buf << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Parses a P-256 private key from PKCS#8 or SEC1 DER; returns (PKCS#8 DER, public point).
fn parse_key(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let alg = &ECDSA_P256_SHA256_FIXED_SIGNING;
    let pair = EcdsaKeyPair::from_pkcs8(alg, der)
        .or_else(|_| EcdsaKeyPair::from_private_key_der(alg, der))
        .ok()?;
    let pkcs8 = pair.to_pkcs8v1().ok()?.as_ref().to_vec();
    Some((pkcs8, pair.public_key().as_ref().to_vec()))
}

impl Tokens {
    /// Loads the signing key: the configured PEM file, else the shared key in the database
    /// (generated and stored by whichever replica starts first).
    pub async fn load(db: &Db, settings: &Settings) -> std::result::Result<Tokens, String> {
        let (pkcs8, point) = match &settings.token_private_key {
            Some(given) => {
                let (text, source) = key_text(given)?;
                tracing::info!("token signing key: {source}");
                pem_der(&text)
                    .and_then(|der| parse_key(&der))
                    .ok_or_else(|| {
                        format!(
                            "token private key ({source}): not a PEM-encoded P-256 (ES256) \
                             private key"
                        )
                    })?
            }
            None => stored_key(db)
                .await
                .map_err(|e| format!("token signing key: {e}"))?,
        };
        Tokens::from_key(&pkcs8, &point, settings)
    }

    fn from_key(pkcs8: &[u8], point: &[u8], s: &Settings) -> std::result::Result<Tokens, String> {
        if point.len() != 65 {
            return Err("token signing key: unexpected public key size".into());
        }
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let decoding = DecodingKey::from_ec_components(&b64(&point[1..33]), &b64(&point[33..]))
            .map_err(|e| format!("token signing key: {e}"))?;
        Ok(Tokens {
            inner: Arc::new(Inner {
                encoding: EncodingKey::from_ec_der(pkcs8),
                decoding,
                public_point: point.to_vec(),
                kid: key_id(point),
                issuer: s.token_issuer.clone(),
                lifetime: s.token_expiry_seconds,
                cache: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The public key as a PEM SubjectPublicKeyInfo (for operators and tests).
    pub fn public_key_pem(&self) -> String {
        let mut spki = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        spki.extend_from_slice(&self.inner.public_point);
        pem("PUBLIC KEY", &spki)
    }

    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    pub fn lifetime(&self) -> u64 {
        self.inner.lifetime
    }

    /// Signs a token for `sub` ("" for anonymous) and audience `aud`; returns it with its
    /// issue time (unix seconds).
    pub fn issue(&self, sub: &str, aud: &str, access: Vec<Access>) -> Result<(String, u64)> {
        let iat = unix_now();
        let claims = Claims {
            iss: self.inner.issuer.clone(),
            sub: sub.to_string(),
            aud: aud.to_string(),
            exp: iat + self.inner.lifetime,
            nbf: iat,
            iat,
            jti: uuid::Uuid::new_v4().to_string(),
            access,
        };
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.inner.kid.clone());
        header.typ = Some("JWT".into());
        let jwt = jsonwebtoken::encode(&header, &claims, &self.inner.encoding)
            .map_err(|e| Error::Internal(format!("token signing failed: {e}")))?;
        Ok((jwt, iat))
    }

    /// Verifies `jwt` for audience `aud`.
    pub fn verify(&self, jwt: &str, aud: &str) -> std::result::Result<Claims, TokenError> {
        let key: [u8; 32] = Sha256::digest(jwt.as_bytes()).into();
        let t = unix_now();
        let fresh = |c: &Claims| c.aud == aud && c.exp + LEEWAY > t && c.nbf <= t + LEEWAY;
        if let Ok(cache) = self.inner.cache.lock() {
            if let Some(c) = cache.get(&key) {
                return if fresh(c) {
                    Ok(c.clone())
                } else {
                    Err(TokenError("expired or for another audience".into()))
                };
            }
        }
        let mut v = Validation::new(Algorithm::ES256);
        v.leeway = LEEWAY;
        v.validate_nbf = true;
        v.set_audience(&[aud]);
        v.set_issuer(&[self.inner.issuer.as_str()]);
        v.set_required_spec_claims(&["exp", "nbf", "iss", "aud"]);
        let data = jsonwebtoken::decode::<Claims>(jwt, &self.inner.decoding, &v)
            .map_err(|e| TokenError(e.to_string()))?;
        if !fresh(&data.claims) {
            return Err(TokenError("expired or for another audience".into()));
        }
        // A token lives at most as long as this server issues them for: one signed with a
        // leaked key for years, or issued "in the future", is refused.
        let c = &data.claims;
        if c.iat > t + LEEWAY || c.exp.saturating_sub(c.iat) > self.inner.lifetime {
            return Err(TokenError(
                "lifetime longer than the configured maximum".into(),
            ));
        }
        if let Ok(mut cache) = self.inner.cache.lock() {
            if cache.len() >= CACHE_MAX {
                cache.retain(|_, c| c.exp + LEEWAY > t);
                if cache.len() >= CACHE_MAX {
                    cache.clear();
                }
            }
            cache.insert(key, data.claims.clone());
        }
        Ok(data.claims)
    }
}

/// The key in `signing_keys`, generated and stored on first use; concurrent first starts
/// converge on whichever insert won.
async fn stored_key(db: &Db) -> Result<(Vec<u8>, Vec<u8>)> {
    let read = || async { Ok::<_, Error>(signing_keys::get(&db.conn, KEY_NAME).await?) };
    if read().await?.is_none() {
        let doc = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .and_then(|k| k.to_pkcs8v1())
            .map_err(|_| Error::Internal("cannot generate a P-256 key".into()))?;
        signing_keys::insert_new(&db.conn, KEY_NAME, &pem("PRIVATE KEY", doc.as_ref())).await?;
    }
    let text = read()
        .await?
        .ok_or_else(|| Error::Internal("signing key vanished".into()))?;
    pem_der(&text)
        .and_then(|der| parse_key(&der))
        .ok_or_else(|| Error::Internal("stored signing key is not a P-256 key".into()))
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod tests;
