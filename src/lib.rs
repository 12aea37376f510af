//! berth: a container registry (OCI Distribution at `/v2/`) with a Pulp-compatible management
//! API. Layers: `api` → `service` → (`repo`, `storage`) → `domain`. See the README for the map.
pub mod api;
pub mod client;
pub mod config;
pub mod domain;
pub mod error;
pub mod file_modes;
pub mod ops;
pub mod preflight;
pub mod repo;
pub mod service;
pub mod startup;
pub mod state;
pub mod storage;
pub mod tasks;
pub mod telemetry;
pub mod ui;
