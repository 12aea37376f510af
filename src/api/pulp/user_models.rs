//! The request and view types of `/pulp/api/v3/users/` (also their OpenAPI schemas), and the
//! reading of a user body with Django's rules and messages: every problem is reported at once,
//! as Django REST framework does.
use super::body::Body;
use super::errors::PulpResult;
use crate::domain::hrefs;
use crate::error::field_errors as fe;
use crate::error::Error;
use crate::service::users::{self as svc, UserFull, UserInput};
use crate::state::AppState;
use serde_json::Value;
use utoipa::ToSchema;

pub const PREFIX: &str = "/pulp/api/v3/users/";

pub fn href(number: i64) -> String {
    format!("{PREFIX}{number}/")
}

/// A user to create or replace.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    #[schema(min_length = 1, max_length = 150)]
    pub username: String,
    #[schema(write_only)]
    pub password: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    #[schema(nullable = false)]
    pub is_staff: Option<bool>,
    #[schema(nullable = false)]
    pub is_active: Option<bool>,
}

/// Fields of a user to change.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = PatchedUser)]
pub struct PatchedUser {
    #[schema(min_length = 1, max_length = 150)]
    pub username: Option<String>,
    #[schema(write_only)]
    pub password: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    #[schema(nullable = false)]
    pub is_staff: Option<bool>,
    #[schema(nullable = false)]
    pub is_active: Option<bool>,
}

/// A text field of at most `max` characters; `null` is the empty text.
fn text(b: &Body, key: &str, max: usize, errs: &mut Vec<(String, String)>) -> Option<String> {
    match b.get(key) {
        None => None,
        Some(Value::String(s)) if s.chars().count() > max => {
            errs.push((key.into(), fe::max_length(max)));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) => Some(String::new()),
        Some(_) => {
            errs.push((key.into(), fe::NOT_STRING.into()));
            None
        }
    }
}

fn flag(b: &Body, key: &str, errs: &mut Vec<(String, String)>) -> Option<bool> {
    b.boolean(key).unwrap_or_else(|_| {
        errs.push((key.into(), fe::NOT_BOOLEAN.into()));
        None
    })
}

/// Reads a user body over `existing` (`partial` = PATCH), with every problem at once.
pub async fn parse(
    st: &AppState,
    bytes: &[u8],
    existing: Option<&UserFull>,
    partial: bool,
) -> PulpResult<UserInput> {
    let b = match partial {
        true => Body::parse::<PatchedUser>(bytes)?,
        false => Body::parse::<User>(bytes)?,
    };
    let mut errs = vec![];
    let username = text(&b, "username", 150, &mut errs);
    match &username {
        None if (existing.is_none() || !partial)
            && !errs.iter().any(|(k, _)| k == "username") =>
        {
            errs.push(("username".into(), fe::REQUIRED.into()));
        }
        Some(u) if u.is_empty() => errs.push(("username".into(), fe::BLANK.into())),
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
        Some(u) if svc::username_taken(&st.db, u, existing.map(|e| e.id)).await? => {
            errs.push(("username".into(), svc::USERNAME_TAKEN.into()));
        }
        _ => {}
    }
    let first_name = text(&b, "first_name", 150, &mut errs);
    let last_name = text(&b, "last_name", 150, &mut errs);
    let email = text(&b, "email", 254, &mut errs);
    if let Some(e) = email.as_ref().filter(|e| !e.is_empty()) {
        let valid = e
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
        if !valid || e.contains(char::is_whitespace) {
            errs.push(("email".into(), "Enter a valid email address.".into()));
        }
    }
    let is_staff = flag(&b, "is_staff", &mut errs);
    let is_active = flag(&b, "is_active", &mut errs);
    let name_for_check = username
        .clone()
        .or_else(|| existing.map(|e| e.username.clone()))
        .unwrap_or_default();
    let password = match b.get("password") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(p)) => {
            for m in svc::check_password(p, &name_for_check) {
                errs.push(("password".into(), m));
            }
            Some(Some(p.clone()))
        }
        Some(_) => {
            errs.push(("password".into(), fe::NOT_STRING.into()));
            None
        }
    };
    if !errs.is_empty() {
        return Err(Error::Validation(errs).into());
    }
    Ok(UserInput {
        username,
        first_name,
        last_name,
        email,
        is_staff,
        is_active,
        password,
    })
}

/// A group a user belongs to.
#[derive(ToSchema, serde::Serialize)]
pub struct UserGroupResponse {
    name: String,
    pulp_href: String,
}

/// Whether a secret field has a value.
#[derive(ToSchema, serde::Serialize)]
pub struct HiddenFieldsResponse {
    name: String,
    is_set: bool,
}

/// A user.
#[derive(ToSchema, serde::Serialize)]
pub struct UserResponse {
    pulp_href: String,
    prn: String,
    id: i64,
    username: String,
    first_name: String,
    last_name: String,
    email: String,
    is_staff: bool,
    is_active: bool,
    /// Whether the user is a superuser (read-only; set with `berth admin create-user --superuser`).
    is_superuser: bool,
    #[schema(format = DateTime)]
    date_joined: String,
    groups: Vec<UserGroupResponse>,
    hidden_fields: Vec<HiddenFieldsResponse>,
}

impl From<&UserFull> for UserResponse {
    fn from(u: &UserFull) -> Self {
        UserResponse {
            pulp_href: href(u.number),
            prn: format!("prn:auth.user:{}", u.number),
            id: u.number,
            username: u.username.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            email: u.email.clone(),
            is_staff: u.is_staff,
            is_active: u.is_active,
            is_superuser: u.is_superuser,
            date_joined: hrefs::timestamp(u.date_joined),
            groups: vec![],
            hidden_fields: vec![HiddenFieldsResponse {
                name: "password".into(),
                is_set: u.password_hash != svc::UNUSABLE,
            }],
        }
    }
}
