//! Canceling a task from the management API, in one write transaction.
use crate::error::Result;
use crate::repo::{tasks as q, Db};
use uuid::Uuid;

/// Cancels task `id`: a waiting task ends `canceled` here (and its resource locks are
/// released); a running one becomes `canceling`, and its runner stops the body, records
/// `canceled` and releases its locks itself. A task already final is left as it is.
pub async fn cancel(db: &Db, id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    q::cancel(&*txn, id).await?;
    if q::state(&*txn, id).await?.as_deref() == Some("canceled") {
        q::unlock(&*txn, id).await?;
    }
    txn.commit().await?;
    Ok(())
}
