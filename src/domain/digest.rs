//! Content digests (`sha256:<64 hex>`, `sha512:<128 hex>`) and the streaming hasher that
//! computes them, with a serialisable state so an upload can resume in another process.
use sha2::digest::common::hazmat::SerializableState;
use sha2::{Digest as _, Sha256, Sha512};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }
    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

/// A validated digest. Only lowercase hex encodings of a known algorithm are accepted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

impl Digest {
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    pub fn hex(&self) -> &str {
        &self.hex
    }
    /// The digest of a byte slice (used for manifests, which are small).
    pub fn of(algorithm: Algorithm, bytes: &[u8]) -> Digest {
        let mut h = Hasher::new(algorithm);
        h.update(bytes);
        h.finish()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DigestError {
    #[error("digest must have the form <algorithm>:<hex>")]
    Shape,
    #[error("unsupported digest algorithm '{0}'")]
    Algorithm(String),
    #[error("digest encoding must be {0} lowercase hex characters")]
    Encoding(usize),
}

impl FromStr for Digest {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (alg, hex) = s.split_once(':').ok_or(DigestError::Shape)?;
        let algorithm = match alg {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            "" => return Err(DigestError::Shape),
            other => return Err(DigestError::Algorithm(other.chars().take(32).collect())),
        };
        let len = algorithm.hex_len();
        if hex.len() != len || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(DigestError::Encoding(len));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }
}

/// A running hash over streamed bytes.
pub enum Hasher {
    Sha256(Box<Sha256>),
    Sha512(Box<Sha512>),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Box::default()),
            Algorithm::Sha512 => Hasher::Sha512(Box::default()),
        }
    }
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Hasher::Sha256(_) => Algorithm::Sha256,
            Hasher::Sha512(_) => Algorithm::Sha512,
        }
    }
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }
    pub fn finish(self) -> Digest {
        let (algorithm, hex) = match self {
            Hasher::Sha256(h) => (Algorithm::Sha256, hex::encode(h.finalize())),
            Hasher::Sha512(h) => (Algorithm::Sha512, hex::encode(h.finalize())),
        };
        Digest { algorithm, hex }
    }
    /// The hash state as bytes: one tag byte for the algorithm, then the hasher's own state.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(210);
        match self {
            Hasher::Sha256(h) => {
                out.push(1);
                out.extend_from_slice(&h.serialize());
            }
            Hasher::Sha512(h) => {
                out.push(2);
                out.extend_from_slice(&h.serialize());
            }
        }
        out
    }
    /// Restores a state written by [`Hasher::serialize`]; `None` when the bytes are not one.
    pub fn deserialize(bytes: &[u8]) -> Option<Hasher> {
        let (tag, rest) = bytes.split_first()?;
        match tag {
            1 => Sha256::deserialize(rest.try_into().ok()?)
                .ok()
                .map(|h| Hasher::Sha256(Box::new(h))),
            2 => Sha512::deserialize(rest.try_into().ok()?)
                .ok()
                .map(|h| Hasher::Sha512(Box::new(h))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_parse_only_lowercase_hex_of_the_right_length() {
        let ok = format!("sha256:{}", "a".repeat(64));
        assert!(ok.parse::<Digest>().is_ok());
        assert!(format!("sha256:{}", "A".repeat(64))
            .parse::<Digest>()
            .is_err());
        assert!(format!("sha256:{}", "a".repeat(63))
            .parse::<Digest>()
            .is_err());
        assert!(format!("sha512:{}", "b".repeat(128))
            .parse::<Digest>()
            .is_ok());
        assert!("md5:abc".parse::<Digest>().is_err());
        assert!("nocolon".parse::<Digest>().is_err());
    }

    #[test]
    fn a_serialized_hash_state_resumes_to_the_same_digest() {
        for alg in [Algorithm::Sha256, Algorithm::Sha512] {
            let mut h = Hasher::new(alg);
            h.update(b"hello ");
            let mut resumed = Hasher::deserialize(&h.serialize()).unwrap();
            resumed.update(b"world");
            assert_eq!(resumed.finish(), Digest::of(alg, b"hello world"));
        }
    }
}
