//! A user's roles on the Users page (superusers only; 404 for everyone else): the assignments
//! with the namespace or distribution each is on and a Remove button, and Assign a role on a
//! namespace (by name) or a distribution (by base path). Changes go through `service::roles`
//! with the API's checks (the role must fit the object), and the user's cached grants are
//! forgotten at once.
use super::html::{csrf, esc, see_other};
use super::session::{Form, Ui, UiResult};
use crate::domain::permissions::ObjectType;
use crate::domain::query::{DistributionFilter, ListQuery, NamespaceFilter, Text};
use crate::error::Error;
use crate::repo::roles::AssignmentRow;
use crate::service::{lists, roles, users};
use crate::state::AppState;
use actix_web::web;
use std::fmt::Write as _;
use uuid::Uuid;

/// The roles a namespace can be given on, as the API names them.
const NAMESPACE_ROLES: [&str; 3] = [
    "container.containernamespace_owner",
    "container.containernamespace_collaborator",
    "container.containernamespace_consumer",
];
/// The roles a distribution can be given on.
const DISTRIBUTION_ROLES: [&str; 3] = [
    "container.containerdistribution_owner",
    "container.containerdistribution_collaborator",
    "container.containerdistribution_consumer",
];

fn superuser(ui: &Ui) -> Result<(), Error> {
    match ui.caller.is_admin() {
        true => Ok(()),
        false => Err(Error::NotFound("page".into())),
    }
}

fn invalid(field: &str, message: String) -> Error {
    Error::Validation(vec![(field.to_string(), message)])
}

/// The Roles and Assign a role sections of user `number`'s page (two list queries for the
/// names of the objects, whatever the number of assignments).
pub async fn section(
    st: &AppState,
    ui: &Ui,
    number: i64,
    assigned: &[AssignmentRow],
) -> Result<String, Error> {
    let token = csrf(&ui.session);
    let mut out = String::from("<h2>Roles</h2>");
    if assigned.is_empty() {
        out.push_str("<p class=\"muted\">No roles.</p>");
    } else {
        let ids: Vec<_> = assigned.iter().filter_map(|a| a.object_id).collect();
        let (_, spaces) = lists::namespaces(
            &st.db,
            &ui.caller,
            ListQuery::filtered(vec![NamespaceFilter::IdIn(ids.clone())]),
        )
        .await?;
        let (_, dists) = lists::distributions(
            &st.db,
            &ui.caller,
            ListQuery::filtered(vec![DistributionFilter::IdIn(ids)]),
        )
        .await?;
        out.push_str(
            "<table><thead><tr><th scope=\"col\">Role</th><th scope=\"col\">On</th>\
             <th scope=\"col\"><span class=\"sr-only\">Actions</span></th></tr></thead><tbody>",
        );
        for a in assigned {
            let on = match a.object_id {
                Some(id) => match (
                    spaces.iter().find(|n| n.id == id),
                    dists.iter().find(|d| d.id == id),
                ) {
                    (Some(n), _) => format!("namespace <code>{}</code>", esc(&n.name)),
                    (_, Some(d)) => format!("distribution <code>{}</code>", esc(&d.base_path)),
                    _ => format!("{} {id}", esc(&a.object_type)),
                },
                None => "everything".into(),
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{on}</td><td><form method=\"post\" \
                 action=\"/ui/users/{number}/roles/{}/remove\" class=\"inline\">{token}\
                 <button type=\"submit\" class=\"danger\" aria-label=\"Remove {} from this user\">\
                 Remove</button></form></td></tr>",
                esc(&a.role),
                a.id,
                esc(&a.role),
            );
        }
        out.push_str("</tbody></table>");
    }
    let group = |label: &str, names: &[&str]| {
        let opts: String = names
            .iter()
            .map(|r| format!("<option value=\"{r}\">{r}</option>"))
            .collect();
        format!("<optgroup label=\"{label}\">{opts}</optgroup>")
    };
    let _ = write!(
        out,
        "<h2>Assign a role</h2><form method=\"post\" action=\"/ui/users/{number}/roles\" \
         class=\"actions\">{token}\
         <label for=\"role\">Role</label> <select id=\"role\" name=\"role\">{}{}</select> \
         <label for=\"object\">on the namespace (name) or distribution (base path)</label> \
         <input id=\"object\" name=\"object\" required> \
         <button type=\"submit\">Assign</button></form>",
        group("Namespace roles", &NAMESPACE_ROLES),
        group("Distribution roles", &DISTRIBUTION_ROLES),
    );
    Ok(out)
}

/// The namespace or distribution a form names for `role`'s kind of object.
async fn object_for(
    st: &AppState,
    ui: &Ui,
    role: &str,
    name: &str,
) -> Result<(ObjectType, Uuid), Error> {
    if NAMESPACE_ROLES.contains(&role) {
        let query = ListQuery::filtered(vec![NamespaceFilter::Name(Text::Eq(name.into()))]);
        let (_, found) = lists::namespaces(&st.db, &ui.caller, query).await?;
        return match found.first() {
            Some(ns) => Ok((ObjectType::Namespace, ns.id)),
            None => Err(invalid(
                "object",
                format!("There is no namespace '{name}'."),
            )),
        };
    }
    if DISTRIBUTION_ROLES.contains(&role) {
        let query = ListQuery::filtered(vec![DistributionFilter::BasePath(Text::Eq(name.into()))]);
        let (_, found) = lists::distributions(&st.db, &ui.caller, query).await?;
        return match found.first() {
            Some(d) => Ok((ObjectType::Distribution, d.id)),
            None => Err(invalid(
                "object",
                format!("There is no distribution with base path '{name}'."),
            )),
        };
    }
    Err(invalid(
        "role",
        "Choose one of the namespace or distribution roles.".into(),
    ))
}

pub async fn assign(
    st: web::Data<AppState>,
    ui: Ui,
    number: web::Path<i64>,
    body: web::Bytes,
) -> UiResult {
    let f = Form::parse(&body);
    f.check(&ui.session)?;
    superuser(&ui)?;
    let u = users::get(&st.db, *number).await?;
    let role = f.get("role").unwrap_or("");
    // `namespace` is what the form sent before distributions could be chosen.
    let name = f.get("object").or(f.get("namespace")).unwrap_or("").trim();
    let obj = object_for(&st, &ui, role, name).await?;
    let role = roles::named(&st.db, "role", role).await?;
    roles::assign(&st.db, &u, &role, Some(obj)).await?;
    st.creds.forget_user(&u.username);
    Ok(see_other(&format!("/ui/users/{}/", u.number)))
}

pub async fn remove(
    st: web::Data<AppState>,
    ui: Ui,
    path: web::Path<(i64, Uuid)>,
    body: web::Bytes,
) -> UiResult {
    let f = Form::parse(&body);
    f.check(&ui.session)?;
    superuser(&ui)?;
    let (number, id) = path.into_inner();
    let u = users::get(&st.db, number).await?;
    roles::assignment_of(&st.db, &u, id).await?;
    roles::unassign(&st.db, id).await?;
    st.creds.forget_user(&u.username);
    Ok(see_other(&format!("/ui/users/{}/", u.number)))
}
