//! Roles: the locked built-in roles, written at start so their permission lists always match
//! this build, and custom roles admins create.
use crate::domain::permissions;
use crate::error::Result;
use crate::repo::{roles as q, Db};

/// Creates or refreshes the locked roles (idempotent; safe when replicas start together).
pub async fn seed(db: &Db) -> Result<()> {
    let txn = db.begin_write().await?;
    for (name, description, perms) in permissions::locked_roles() {
        let perms: Vec<String> = perms.into_iter().map(String::from).collect();
        match q::by_name(&*txn, name).await? {
            Some(r) if r.permissions == sorted(&perms) && r.description == description => {}
            Some(r) => q::update(&*txn, r.id, name, description, &perms).await?,
            None => {
                q::insert(&*txn, name, description, true, &perms).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}
