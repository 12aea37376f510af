//! Pure domain types and rules: digests, names and references, media types, manifest parsing,
//! the content kinds and their names, hrefs, typed list queries. Nothing here does I/O, and
//! nothing here imports another part of the crate: failures are domain's own small error types
//! (`DigestError`, `ReferenceError`), which `crate::error` converts (tests/api/layering.rs keeps
//! it so).
pub mod clock;
pub mod content;
pub mod digest;
pub mod hrefs;
pub mod manifest;
pub mod media_types;
pub mod name;
pub mod permissions;
pub mod query;
pub mod retention;
pub mod task_schedules;
pub mod tasks;
