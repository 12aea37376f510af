//! The client's errors and their exit codes (documented in the README's "Cleaning up"):
//! 1 failure, 2 usage, 3 not found, 4 authentication, 5 not allowed, 6 unreachable,
//! 7 not supported by the registry, 8 not confirmed, 9 https/http mismatch or an untrusted
//! certificate.
use std::fmt;

#[derive(Debug)]
pub enum ClientError {
    /// Anything else (a server error, a failed task, an unexpected answer).
    Failed(String),
    /// A wrong argument.
    Usage(String),
    /// The repository, tag, digest or task does not exist.
    NotFound(String),
    /// Missing or wrong credentials.
    Auth(String),
    /// Signed in, but not allowed.
    Denied(String),
    /// The registry cannot be reached.
    Unreachable(String),
    /// The registry cannot do this (e.g. repository deletion on a plain registry).
    Unsupported(String),
    /// A destructive command was not confirmed (`--yes`, or "no" at the prompt).
    Aborted(String),
    /// TLS failed: https spoken to a plain-http registry (or the reverse), or a certificate
    /// that is not trusted.
    Tls(String),
}

impl ClientError {
    pub fn exit_code(&self) -> u8 {
        match self {
            ClientError::Failed(_) => 1,
            ClientError::Usage(_) => 2,
            ClientError::NotFound(_) => 3,
            ClientError::Auth(_) => 4,
            ClientError::Denied(_) => 5,
            ClientError::Unreachable(_) => 6,
            ClientError::Unsupported(_) => 7,
            ClientError::Aborted(_) => 8,
            ClientError::Tls(_) => 9,
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = match self {
            ClientError::Failed(m)
            | ClientError::Usage(m)
            | ClientError::NotFound(m)
            | ClientError::Auth(m)
            | ClientError::Denied(m)
            | ClientError::Unreachable(m)
            | ClientError::Unsupported(m)
            | ClientError::Aborted(m)
            | ClientError::Tls(m) => m,
        };
        f.write_str(m)
    }
}

impl std::error::Error for ClientError {}

pub type Result<T> = std::result::Result<T, ClientError>;

pub fn failed(m: impl Into<String>) -> ClientError {
    ClientError::Failed(m.into())
}

pub fn usage(m: impl Into<String>) -> ClientError {
    ClientError::Usage(m.into())
}
