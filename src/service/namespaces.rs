//! Namespaces: listing, creation (names follow the registry's path-component grammar) and the
//! cascading delete (run as a task).
use crate::domain::permissions::ObjectType;
use crate::error::{Error, Result};
use crate::repo::namespaces::{self as q, NamespaceRow};
use crate::repo::Db;
use crate::service::policy::{self, Caller};
use serde_json::{Map, Value};
use uuid::Uuid;

pub async fn get(db: &Db, id: Uuid) -> Result<NamespaceRow> {
    q::get(&db.conn, id)
        .await?
        .ok_or_else(|| Error::NotFound("namespace".into()))
}

/// Validates a `pulp_labels` value: an object of string → string.
pub fn labels(v: Option<&Value>) -> Result<String> {
    match v {
        None | Some(Value::Null) => Ok("{}".into()),
        Some(Value::Object(m)) if m.values().all(Value::is_string) => {
            Ok(Value::Object(m.clone()).to_string())
        }
        Some(_) => Err(Error::field("pulp_labels", "Label values must be strings.")),
    }
}

pub async fn create(db: &Db, c: &Caller, body: &Map<String, Value>) -> Result<NamespaceRow> {
    let wanted = body.get("name").and_then(Value::as_str).unwrap_or("");
    if !policy::may_create_namespace(c, wanted) {
        return Err(Error::Denied);
    }
    let name = match body.get("name") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => return Err(Error::field("name", "This field may not be blank.")),
        Some(_) => return Err(Error::field("name", "Not a valid string.")),
        None => return Err(Error::field("name", "This field is required.")),
    };
    if name.contains('/') || crate::domain::name::RepoName::parse(&name).is_none() {
        return Err(Error::field(
            "name",
            "The provided name contains forbidden characters: use lowercase letters, digits and separators . _ __ -",
        ));
    }
    let labels = labels(body.get("pulp_labels"))?;
    let txn = db.begin_write().await?;
    let id = q::insert(&*txn, &name, &labels)
        .await?
        .ok_or_else(|| Error::field("name", "This field must be unique."))?;
    if let Some(user) = c.user_id() {
        policy::make_owner(&*txn, user, ObjectType::Namespace, id).await?;
    }
    txn.commit().await?;
    get(db, id).await
}

/// The task body of a namespace delete.
pub async fn delete(db: &Db, id: Uuid) -> Result<()> {
    let txn = db.begin_write().await?;
    q::delete_cascade(&*txn, id).await?;
    txn.commit().await?;
    Ok(())
}
