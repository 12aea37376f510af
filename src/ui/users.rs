//! The Users pages (superusers only; 404 for everyone else, as the Pulp endpoints refuse
//! them): the list with a Create user form, and a user's page with their roles, Reset
//! password, Deactivate / Activate (roles: `user_roles`). Changes go through
//! `service::users` and `service::roles` with the API's checks (Django's username and
//! password rules, a role must fit the object).
use super::html::{csrf, esc, page, see_other, time};
use super::session::{Form, Ui, UiResult};
use crate::domain::query::{
    AssignmentFilter, ListQuery, Page, Sort, Text, UserField, UserFilter, UserOrder,
};
use crate::error::Error;
use crate::service::{lists, roles, users};
use crate::state::AppState;
use actix_web::web;
use std::fmt::Write as _;

const PAGE: u64 = 100;

fn superuser(ui: &Ui) -> Result<(), Error> {
    match ui.caller.is_admin() {
        true => Ok(()),
        false => Err(Error::NotFound("page".into())),
    }
}

fn invalid(field: &str, messages: Vec<String>) -> Error {
    Error::Validation(
        messages
            .into_iter()
            .map(|m| (field.to_string(), m))
            .collect(),
    )
}

/// Django's username rule, as the API applies it.
fn check_username(u: &str) -> Result<(), Error> {
    let ok = |c: char| c.is_alphanumeric() || "@.+-_".contains(c);
    if u.is_empty() || u.chars().count() > 150 || !u.chars().all(ok) {
        return Err(invalid(
            "username",
            vec!["Enter a valid username (1 to 150 letters, numbers and @/./+/-/_).".into()],
        ));
    }
    Ok(())
}

#[derive(serde::Deserialize, Default)]
pub struct UserParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: u64,
}

pub async fn list(st: web::Data<AppState>, ui: Ui, p: web::Query<UserParams>) -> UiResult {
    superuser(&ui)?;
    let mut q = ListQuery::<UserFilter, UserOrder> {
        order: vec![Sort {
            key: UserOrder::Field(UserField::Username),
            desc: false,
        }],
        page: Some(Page {
            limit: PAGE,
            offset: p.page.saturating_mul(PAGE),
        }),
        ..Default::default()
    };
    if !p.q.is_empty() {
        q.filters.push(UserFilter::Text(
            UserField::Username,
            Text::IContains(p.q.clone()),
        ));
    }
    let (count, rows) = lists::users(&st.db, q).await?;
    let mut body = format!(
        "<h1>Users</h1><form class=\"filter\" method=\"get\" role=\"search\">\
         <label for=\"q\">Filter users</label><input id=\"q\" name=\"q\" type=\"search\" value=\"{}\"> \
         <button type=\"submit\">Filter</button></form>\
         <p class=\"muted\">{count} user(s).</p><table><thead><tr><th scope=\"col\">Username</th>\
         <th scope=\"col\">State</th><th scope=\"col\">Joined</th></tr></thead><tbody>",
        esc(&p.q)
    );
    for u in &rows {
        let _ = write!(
            body,
            "<tr><td><a href=\"/ui/users/{}/\">{}</a></td><td>{}</td><td>{}</td></tr>",
            u.number,
            esc(&u.username),
            match (u.is_superuser, u.is_active) {
                (_, false) => "deactivated",
                (true, true) => "superuser",
                (false, true) => "active",
            },
            time(Some(u.date_joined)),
        );
    }
    let _ = write!(
        body,
        "</tbody></table><h2>Create user</h2><form method=\"post\" action=\"/ui/users/\" class=\"actions\">{}\
         <label for=\"new-username\">Username</label> <input id=\"new-username\" name=\"username\" required> \
         <label for=\"new-password\">Password</label> <input id=\"new-password\" name=\"password\" \
         type=\"password\" autocomplete=\"new-password\" required> \
         <button type=\"submit\">Create user</button></form>",
        csrf(&ui.session)
    );
    Ok(page("Users", &ui.session, &body))
}

pub async fn create(st: web::Data<AppState>, ui: Ui, body: web::Bytes) -> UiResult {
    let f = Form::parse(&body);
    f.check(&ui.session)?;
    superuser(&ui)?;
    let username = f.get("username").unwrap_or("").trim().to_string();
    let password = f.get("password").unwrap_or("").to_string();
    check_username(&username)?;
    let problems = users::check_password(&password, &username);
    if !problems.is_empty() {
        return Err(invalid("password", problems).into());
    }
    let u = users::create(
        &st.db,
        users::UserInput {
            username: Some(username),
            is_active: Some(true),
            password: Some(Some(password)),
            ..Default::default()
        },
    )
    .await?;
    Ok(see_other(&format!("/ui/users/{}/", u.number)))
}

pub async fn show(st: web::Data<AppState>, ui: Ui, number: web::Path<i64>) -> UiResult {
    superuser(&ui)?;
    let u = users::get(&st.db, *number).await?;
    let (_, assigned) = roles::assignments(
        &st.db,
        &ListQuery::filtered(vec![AssignmentFilter::User(u.id)]),
    )
    .await?;
    let mut body = format!(
        "<p class=\"crumbs\"><a href=\"/ui/users/\">Users</a> /</p><h1>{}</h1>\
         <p>{}; joined {}.</p>",
        esc(&u.username),
        match (u.is_superuser, u.is_active) {
            (_, false) => "Deactivated: cannot sign in or use tokens",
            (true, true) => "Superuser",
            (false, true) => "Active",
        },
        time(Some(u.date_joined)),
    );
    let assigned: Vec<_> = assigned.into_iter().map(|(a, _, _)| a).collect();
    body.push_str(&super::user_roles::section(&st, &ui, u.number, &assigned).await?);
    let token = csrf(&ui.session);
    let n = u.number;
    let _ = write!(
        body,
        "<h2>Reset password</h2><form method=\"post\" action=\"/ui/users/{n}/password\" class=\"actions\">{token}\
         <label for=\"password\">New password</label> <input id=\"password\" name=\"password\" \
         type=\"password\" autocomplete=\"new-password\" required> \
         <button type=\"submit\">Set password</button></form>\
         <h2>Access</h2><form method=\"post\" action=\"/ui/users/{n}/active\" class=\"actions\">{token}\
         <input type=\"hidden\" name=\"active\" value=\"{}\"><button type=\"submit\" class=\"{}\">{}</button></form>",
        if u.is_active { "0" } else { "1" },
        if u.is_active { "danger" } else { "" },
        if u.is_active { "Deactivate" } else { "Activate" },
    );
    Ok(page(&u.username, &ui.session, &body))
}

/// Applies a partial update to user `number` and forgets their cached credentials.
async fn change(st: &AppState, number: i64, input: users::UserInput) -> UiResult {
    let old = users::get(&st.db, number).await?;
    users::update(&st.db, &old, input, true).await?;
    st.creds.forget_user(&old.username);
    Ok(see_other(&format!("/ui/users/{number}/")))
}

pub async fn set_password(
    st: web::Data<AppState>,
    ui: Ui,
    number: web::Path<i64>,
    body: web::Bytes,
) -> UiResult {
    let f = Form::parse(&body);
    f.check(&ui.session)?;
    superuser(&ui)?;
    let u = users::get(&st.db, *number).await?;
    let password = f.get("password").unwrap_or("").to_string();
    let problems = users::check_password(&password, &u.username);
    if !problems.is_empty() {
        return Err(invalid("password", problems).into());
    }
    let input = users::UserInput {
        password: Some(Some(password)),
        ..Default::default()
    };
    change(&st, u.number, input).await
}

pub async fn set_active(
    st: web::Data<AppState>,
    ui: Ui,
    number: web::Path<i64>,
    body: web::Bytes,
) -> UiResult {
    let f = Form::parse(&body);
    f.check(&ui.session)?;
    superuser(&ui)?;
    let active = match f.get("active") {
        Some("1") => true,
        Some("0") => false,
        _ => return Err(invalid("active", vec!["Choose Activate or Deactivate.".into()]).into()),
    };
    if !active && ui.caller.user_id() == Some(users::get(&st.db, *number).await?.id) {
        return Err(invalid("active", vec!["You cannot deactivate yourself.".into()]).into());
    }
    let input = users::UserInput {
        is_active: Some(active),
        ..Default::default()
    };
    change(&st, *number, input).await
}
