//! Users as the management API manages them (superusers only, enforced by the handlers):
//! Django's password rules (also used by `berth admin`), applying a validated [`UserInput`]
//! with argon2 hashes, and deletes that take the user's role assignments with them.
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::repo::users as q;
use crate::repo::Db;
use crate::service::auth::hash_password;

pub use crate::repo::users::UserFull;

/// What a create or update asks for, validated by the api; `None`: not given (PATCH keeps the
/// old value, POST and PUT reset it).
#[derive(Default)]
pub struct UserInput {
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub is_staff: Option<bool>,
    pub is_active: Option<bool>,
    /// `Some(None)`: no usable password.
    pub password: Option<Option<String>>,
}

/// Django's message for a username in use.
pub const USERNAME_TAKEN: &str = "A user with that username already exists.";

/// A hash no password matches (Django's "unusable password").
pub const UNUSABLE: &str = "!";

/// Django's default password validators, with their messages.
pub fn check_password(password: &str, username: &str) -> Vec<String> {
    let mut errs = vec![];
    if password.chars().count() < 8 {
        errs.push("This password is too short. It must contain at least 8 characters.".into());
    }
    if !password.is_empty() && password.chars().all(|c| c.is_ascii_digit()) {
        errs.push("This password is entirely numeric.".into());
    }
    if !username.is_empty() && password.to_lowercase() == username.to_lowercase() {
        errs.push("The password is too similar to the username.".into());
    }
    if ["password", "12345678", "qwertyui", "iloveyou", "password1"].contains(&password) {
        errs.push("This password is too common.".into());
    }
    errs
}

/// The id of the user named `username`, if there is one.
pub async fn id_by_username(db: &Db, username: &str) -> Result<Option<uuid::Uuid>> {
    Ok(q::by_username(&db.conn, username).await?.map(|u| u.id))
}

/// Whether `username` belongs to a user other than `except`.
pub async fn username_taken(db: &Db, username: &str, except: Option<uuid::Uuid>) -> Result<bool> {
    Ok(q::full_by_name(&db.conn, username)
        .await?
        .is_some_and(|other| except != Some(other.id)))
}

/// Applies `input` over `existing` (or a new user); `partial` = PATCH. Hashes a new password.
async fn prepare(existing: Option<&UserFull>, input: UserInput, partial: bool) -> Result<UserFull> {
    let full = !partial;
    let mut u = existing.cloned().unwrap_or(UserFull {
        id: uuid::Uuid::nil(),
        number: 0,
        username: String::new(),
        password_hash: UNUSABLE.into(),
        first_name: String::new(),
        last_name: String::new(),
        email: String::new(),
        is_staff: false,
        is_active: true,
        is_superuser: false,
        date_joined: chrono::Utc::now(),
    });
    if let Some(v) = input.username {
        u.username = v;
    }
    for (slot, v) in [
        (&mut u.first_name, input.first_name),
        (&mut u.last_name, input.last_name),
        (&mut u.email, input.email),
    ] {
        if v.is_some() || full {
            *slot = v.unwrap_or_default();
        }
    }
    if input.is_staff.is_some() || full {
        u.is_staff = input.is_staff.unwrap_or(false);
    }
    if input.is_active.is_some() || full {
        u.is_active = input.is_active.unwrap_or(true);
    }
    match input.password {
        Some(Some(p)) => {
            u.password_hash = tokio::task::spawn_blocking(move || hash_password(&p))
                .await
                .map_err(|e| Error::Internal(e.to_string()))??
        }
        Some(None) => u.password_hash = UNUSABLE.into(),
        None => {}
    }
    Ok(u)
}

/// Creates the user `input` describes.
pub async fn create(db: &Db, input: UserInput) -> Result<UserFull> {
    let u = &prepare(None, input, false).await?;
    let txn = db.begin_write().await?;
    if !q::insert(&*txn, &u.username, &u.password_hash, false).await? {
        return Err(fe::field("username", USERNAME_TAKEN));
    }
    let mut stored = q::full_by_name(&*txn, &u.username)
        .await?
        .ok_or_else(|| Error::Internal("user vanished".into()))?;
    let (id, number, joined) = (stored.id, stored.number, stored.date_joined);
    stored = UserFull {
        id,
        number,
        date_joined: joined,
        is_superuser: false,
        ..u.clone()
    };
    q::update(&*txn, &stored).await?;
    txn.commit().await?;
    Ok(stored)
}

pub async fn get(db: &Db, number: i64) -> Result<UserFull> {
    q::by_number(&db.conn, number)
        .await?
        .ok_or_else(|| Error::NotFound("user".into()))
}

/// Applies `input` to `old` (`partial` = PATCH) and stores the result.
pub async fn update(db: &Db, old: &UserFull, input: UserInput, partial: bool) -> Result<UserFull> {
    let u = prepare(Some(old), input, partial).await?;
    let txn = db.begin_write().await?;
    q::update(&*txn, &u).await?;
    txn.commit().await?;
    Ok(u)
}

pub async fn delete(db: &Db, u: &UserFull) -> Result<()> {
    let txn = db.begin_write().await?;
    q::delete(&*txn, u.id).await?;
    txn.commit().await?;
    Ok(())
}

/// Hashes `password` off the async runtime (argon2 is deliberately slow).
async fn hash(password: &str) -> Result<String> {
    let p = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&p))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
}

/// Django's password validators as a validation error on `password`, if any fails.
fn validate_password(password: &str, username: &str) -> Result<()> {
    let problems = check_password(password, username);
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::Validation(
        problems
            .into_iter()
            .map(|m| ("password".into(), m))
            .collect(),
    ))
}

/// `berth admin create-user`: a user with `password` (checked by the same validators as the
/// API), a superuser if asked. A taken name is a `Conflict` naming the user.
pub async fn create_with_password(
    db: &Db,
    username: &str,
    password: &str,
    superuser: bool,
) -> Result<()> {
    validate_password(password, username)?;
    let hash = hash(password).await?;
    let txn = db.begin_write().await?;
    if !q::insert(&*txn, username, &hash, superuser).await? {
        return Err(Error::Conflict(format!("user '{username}' already exists")));
    }
    txn.commit().await?;
    Ok(())
}

/// `berth admin set-password`: checks and sets the password of `username`; an unknown user is
/// `NotFound` naming it.
pub async fn set_password(db: &Db, username: &str, password: &str) -> Result<()> {
    validate_password(password, username)?;
    let hash = hash(password).await?;
    let txn = db.begin_write().await?;
    if !q::set_password(&*txn, username, &hash).await? {
        return Err(Error::NotFound(format!("no user '{username}'")));
    }
    txn.commit().await?;
    Ok(())
}

/// `berth admin list-users`: every user as `(username, is_superuser)`, by name.
pub async fn names(db: &Db) -> Result<Vec<(String, bool)>> {
    Ok(q::list(&db.conn)
        .await?
        .into_iter()
        .map(|u| (u.username, u.is_superuser))
        .collect())
}
