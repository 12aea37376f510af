//! The one domain error type. It carries no HTTP types: `api::oci::errors` (and later the Pulp
//! renderer) map each variant to a status and a wire body. It depends on `domain` (digests,
//! content kinds, reference errors), never the other way: `domain` returns its own small error
//! types, converted here. Pulp's field-error texts are worded once, in `field_errors`.
pub mod field_errors;

use crate::domain::content::ContentKind;
use crate::domain::digest::Digest;
use crate::domain::name::ReferenceError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid repository name: {0}")]
    NameInvalid(String),
    #[error("repository name not known to registry: {0}")]
    NameUnknown(String),
    /// A push to a path whose distribution serves a plain container repository (Pulp's
    /// `RepositoryInvalid(message="Repository is read-only.")`).
    #[error("Repository is read-only.")]
    ReadOnly(String),
    #[error("invalid digest: {0}")]
    DigestInvalid(String),
    #[error("invalid tag: {0}")]
    TagInvalid(String),
    #[error("blob unknown to registry: {0}")]
    BlobUnknown(Digest),
    #[error("blob upload unknown to registry")]
    UploadUnknown,
    #[error("blob upload invalid: {0}")]
    UploadInvalid(String),
    #[error("requested range not satisfiable; upload is at offset {offset}")]
    RangeInvalid { offset: u64 },
    #[error("requested range not satisfiable for a blob of {size} bytes")]
    BlobRangeInvalid { size: u64 },
    #[error("provided length did not match content length: {0}")]
    SizeInvalid(String),
    #[error("manifest invalid: {0}")]
    ManifestInvalid(String),
    #[error("manifest too big: {size} bytes, limit {limit}")]
    ManifestTooBig { size: u64, limit: u64 },
    #[error("manifest unknown to registry: {0}")]
    ManifestUnknown(String),
    #[error("manifest references unknown {what}: {digest}")]
    ManifestBlobUnknown { what: ContentKind, digest: Digest },
    #[error("invalid pagination parameter: {0}")]
    PaginationInvalid(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("access denied")]
    Denied,
    /// Refused with a specific reason (`{"detail": …}` with 403).
    #[error("{0}")]
    Forbidden(String),
    /// Authentication required on the registry; carries the `WWW-Authenticate` challenge.
    #[error("authentication required")]
    Challenge(String),
    /// Refused for now (failed sign-ins, too many verifications or sessions): 429 with
    /// `Retry-After: retry_after` seconds.
    #[error("{reason}")]
    TooManyRequests { reason: String, retry_after: u64 },
    #[error("conflict: {0}")]
    Conflict(String),
    /// Field validation failures: `{"field": ["message", …]}` in the Pulp dialect.
    #[error("invalid input")]
    Validation(Vec<(String, String)>),
    #[error("Invalid Filter: '{0}'")]
    InvalidFilter(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// The request body sent nothing for this many seconds.
    #[error("request body timed out: no data received for {0} s")]
    BodyTimeout(u64),
    #[error("method {0} not allowed")]
    MethodNotAllowed(String),
    #[error("database error")]
    Db(sea_orm::DbErr),
    #[error("storage error")]
    Storage(#[from] object_store::Error),
    #[error("i/o error")]
    Io(#[from] std::io::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a foreign-key violation, or a repository or namespace row not found inside a
/// transaction (`DbErr::RecordNotFound("repository …" | "namespace …")`, as `src/repo/` names
/// them), means to a client: the repository it pushed to was deleted (by a concurrent namespace
/// or distribution delete) while the request ran. Mapped here, once, to `NameUnknown` (404)
/// instead of a 500.
pub const VANISHED: &str = "the repository was deleted while this request ran";

impl From<ReferenceError> for Error {
    fn from(e: ReferenceError) -> Self {
        match e {
            ReferenceError::Digest(msg) => Error::DigestInvalid(msg),
            ReferenceError::Tag(tag) => Error::TagInvalid(tag),
        }
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        if let sea_orm::DbErr::RecordNotFound(what) = &e {
            if what.starts_with("repository ") || what.starts_with("namespace ") {
                tracing::info!(%what, "a repository vanished while a request ran");
                return Error::NameUnknown(VANISHED.into());
            }
        }
        match e.sql_err() {
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(detail)) => {
                tracing::info!(%detail, "foreign key violation: a parent row vanished");
                Error::NameUnknown(VANISHED.into())
            }
            _ => Error::Db(e),
        }
    }
}

impl Error {
    /// Whether this error is the server's fault (logged with its chain, rendered generically).
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            Error::Db(_) | Error::Storage(_) | Error::Io(_) | Error::Internal(_)
        )
    }
}

impl Error {
    /// One field's validation failure.
    pub fn field(field: &str, message: impl Into<String>) -> Error {
        Error::Validation(vec![(field.to_string(), message.into())])
    }
}
