//! Pure domain types and rules: digests, names and references, media types, manifest parsing,
//! typed list queries. Nothing here does I/O.
pub mod clock;
pub mod digest;
pub mod hrefs;
pub mod manifest;
pub mod media_types;
pub mod name;
pub mod permissions;
pub mod query;
pub mod tasks;
