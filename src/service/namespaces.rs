//! Namespaces: listing, creation (names follow the registry's path-component grammar) and the
//! cascading delete (run as a task).
use crate::domain::permissions::ObjectType;
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::repo::namespaces as q;
use crate::repo::Db;
use crate::service::policy::{self, Caller};
use std::collections::BTreeMap;
use uuid::Uuid;

pub use crate::repo::namespaces::NamespaceRow;

/// Labels (`pulp_labels`): text keys and values.
pub type Labels = BTreeMap<String, String>;

pub async fn get(db: &Db, id: Uuid) -> Result<NamespaceRow> {
    q::get(&db.conn, id)
        .await?
        .ok_or_else(|| Error::NotFound("namespace".into()))
}

/// Labels as stored: their JSON text (`{}` for none).
pub fn labels_text(labels: Option<&Labels>) -> String {
    labels
        .and_then(|l| serde_json::to_string(l).ok())
        .unwrap_or_else(|| "{}".into())
}

/// Whether the caller may create namespace `name` (403 otherwise).
pub fn authorize_create(c: &Caller, name: &str) -> Result<()> {
    if !policy::may_create_namespace(c, name) {
        return Err(Error::Denied);
    }
    Ok(())
}

/// A namespace name is one registry path component.
pub fn check_name(name: &str) -> Result<()> {
    if name.contains('/') || crate::domain::name::RepoName::parse(name).is_none() {
        return Err(fe::field(
            "name",
            "The provided name contains forbidden characters: use lowercase letters, digits and separators . _ __ -",
        ));
    }
    Ok(())
}

/// Creates namespace `name` with its creator as owner; `None` when the name is taken.
pub async fn create(
    db: &Db,
    c: &Caller,
    name: &str,
    labels: Option<&Labels>,
) -> Result<Option<NamespaceRow>> {
    authorize_create(c, name)?;
    check_name(name)?;
    let txn = db.begin_write().await?;
    let Some(id) = q::insert(&*txn, name, &labels_text(labels)).await? else {
        return Ok(None);
    };
    if let Some(user) = c.user_id() {
        policy::make_owner(&*txn, user, ObjectType::Namespace, id).await?;
    }
    txn.commit().await?;
    get(db, id).await.map(Some)
}

/// The task body of a namespace delete.
pub async fn delete(db: &Db, id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    q::delete_cascade(&*txn, id).await?;
    txn.commit().await?;
    Ok(())
}
