//! Pure domain types and rules: digests, names and references, media types, manifest parsing.
//! Nothing here does I/O.
pub mod clock;
pub mod content;
pub mod digest;
pub mod hrefs;
pub mod manifest;
pub mod media_types;
pub mod name;
pub mod permissions;
