//! Users as the management API manages them (superusers only, enforced by the handlers):
//! Django's validation rules and messages for usernames, passwords and names, argon2 hashes,
//! and deletes that take the user's role assignments with them.
use crate::error::{Error, Result};
use crate::repo::users::{self as q, UserFull};
use crate::repo::Db;
use crate::service::auth::hash_password;
use serde_json::{Map, Value};

pub const FIELDS: &[&str] = &[
    "username",
    "password",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
];

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

fn text(
    body: &Map<String, Value>,
    key: &str,
    max: usize,
    errs: &mut Vec<(String, String)>,
) -> Option<String> {
    match body.get(key) {
        None => None,
        Some(Value::String(s)) if s.chars().count() > max => {
            errs.push((
                key.into(),
                format!("Ensure this field has no more than {max} characters."),
            ));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) => Some(String::new()),
        Some(_) => {
            errs.push((key.into(), "Not a valid string.".into()));
            None
        }
    }
}

fn flag(body: &Map<String, Value>, key: &str, errs: &mut Vec<(String, String)>) -> Option<bool> {
    match body.get(key) {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errs.push((key.into(), "Must be a valid boolean.".into()));
            None
        }
    }
}

/// Applies `body` over `existing` (or a new user); `partial` = PATCH. Hashes a new password.
pub async fn prepare(
    db: &Db,
    existing: Option<&UserFull>,
    body: &Map<String, Value>,
    partial: bool,
) -> Result<UserFull> {
    let mut errs = vec![];
    let username = text(body, "username", 150, &mut errs);
    match &username {
        None if (existing.is_none() || !partial)
            && !errs.iter().any(|(k, _)| k == "username") =>
        {
            errs.push(("username".into(), "This field is required.".into()));
        }
        Some(u) if u.is_empty() => {
            errs.push(("username".into(), "This field may not be blank.".into()))
        }
        Some(u)
            if !u
                .chars()
                .all(|c| c.is_alphanumeric() || "@.+-_".contains(c)) =>
        {
            errs.push((
                "username".into(),
                "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.".into(),
            ))
        }
        Some(u) => {
            if let Some(other) = q::full_by_name(&db.conn, u).await? {
                if existing.is_none_or(|e| e.id != other.id) {
                    errs.push((
                        "username".into(),
                        "A user with that username already exists.".into(),
                    ));
                }
            }
        }
        None => {}
    }
    let first_name = text(body, "first_name", 150, &mut errs);
    let last_name = text(body, "last_name", 150, &mut errs);
    let email = text(body, "email", 254, &mut errs);
    if let Some(e) = email.as_ref().filter(|e| !e.is_empty()) {
        let valid = e
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
        if !valid || e.contains(char::is_whitespace) {
            errs.push(("email".into(), "Enter a valid email address.".into()));
        }
    }
    let is_staff = flag(body, "is_staff", &mut errs);
    let is_active = flag(body, "is_active", &mut errs);
    let name_for_check = username
        .clone()
        .or_else(|| existing.map(|e| e.username.clone()))
        .unwrap_or_default();
    let password = match body.get("password") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(p)) => {
            for m in check_password(p, &name_for_check) {
                errs.push(("password".into(), m));
            }
            Some(Some(p.clone()))
        }
        Some(_) => {
            errs.push(("password".into(), "Not a valid string.".into()));
            None
        }
    };
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
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
    if let Some(v) = username {
        u.username = v;
    }
    for (slot, v) in [
        (&mut u.first_name, first_name),
        (&mut u.last_name, last_name),
        (&mut u.email, email),
    ] {
        if v.is_some() || full {
            *slot = v.unwrap_or_default();
        }
    }
    if is_staff.is_some() || full {
        u.is_staff = is_staff.unwrap_or(false);
    }
    if is_active.is_some() || full {
        u.is_active = is_active.unwrap_or(true);
    }
    match password {
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

pub async fn create(db: &Db, u: &UserFull) -> Result<UserFull> {
    let txn = db.begin_write().await?;
    if !q::insert(&*txn, &u.username, &u.password_hash, false).await? {
        return Err(Error::field(
            "username",
            "A user with that username already exists.",
        ));
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

pub async fn save(db: &Db, u: &UserFull) -> Result<()> {
    let txn = db.begin_write().await?;
    q::update(&*txn, u).await?;
    txn.commit().await?;
    Ok(())
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
