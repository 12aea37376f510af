//! `AppState`: everything a handler receives. Cheap to clone; shared by every worker thread.
//! It sits above `service` (it holds service types); services never take it, they take what
//! they use (`Db`, `BlobStore`, or the task context).
use crate::config::Settings;
use crate::repo::Db;
use crate::service::auth::CredentialCache;
use crate::service::tasks::TaskContext;
use crate::storage::BlobStore;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub store: BlobStore,
    pub creds: CredentialCache,
    pub tokens: crate::service::tokens::Tokens,
    pub settings: Arc<Settings>,
    /// What dispatching and running tasks (and housekeeping) needs: the same database, store
    /// and settings, and the task queue.
    pub tasks: TaskContext,
    /// Pull counts waiting in memory for their batched write (`service::pulls`).
    pub pulls: crate::service::pulls::PullTracker,
}
