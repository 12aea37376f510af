//! Housekeeping: everything berth does on its own to give space back, in one place.
//! - [`upload_expiry`]: upload sessions idle longer than `upload_expiry_hours`, their staged
//!   parts, and what killed writes left in storage;
//! - [`retention`]: which repository versions are kept (`retain_repo_versions` at each new
//!   version, and `version_retention_hours` for superseded versions);
//! - [`orphans`]: content no kept version holds, and its stored bytes (run as a task);
//! - [`scheduler`]: the one scheduler that runs the periodic jobs (the three above and the
//!   queue trim), each run once across all replicas through the `schedules` table. It is
//!   started from one place, `startup::spawn_background`, in every `berth serve` and
//!   `berth worker`; each tick also dispatches the due task schedules ([`schedule_dispatch`]).
//!
//! Retention releases versions, which leaves content orphaned; orphan cleanup then deletes
//! it: the scheduler runs them in that order.
pub mod orphans;
pub mod retention;
pub mod schedule_dispatch;
pub mod scheduler;
pub mod upload_expiry;
