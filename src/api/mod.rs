//! HTTP dialects over the services: `oci` (the registry at `/v2/`) and, later, the Pulp REST API.
//! Handlers are thin: parse, call one service function, render.
pub mod auth;
pub mod body_guard;
pub mod encoded_hrefs;
pub mod health;
pub mod metrics;
pub mod oci;
pub mod openapi;
pub mod pulp;
pub mod request_log;
