//! `AppState`: everything a handler receives. Cheap to clone; shared by every worker thread.
use crate::config::Settings;
use crate::repo::Db;
use crate::service::auth::CredentialCache;
use crate::storage::BlobStore;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub store: BlobStore,
    pub creds: CredentialCache,
    pub tokens: crate::service::tokens::Tokens,
    pub settings: Arc<Settings>,
    /// The apalis queue tasks are pushed to (`None` only in tools that never dispatch).
    pub queue: Option<crate::tasks::Queue>,
}
