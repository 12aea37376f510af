//! The retention policy editor: a form for a namespace's new policy or an existing one (name,
//! repository patterns, rules as rows, delay, undo window, allow_empty, schedule, enabled),
//! checked by `service::retention_policies` exactly as the API checks a body, with its field
//! errors shown next to the fields. **Preview** shows what the form would do without storing
//! it (`retention_policies::draft`, then `service::retention::preview`); **Save** stores it.
//! Run / Dry run and Delete act on a saved policy. Only who manages the namespace's policies
//! reaches any of this (404 for others, as the API answers).
use super::html::{csrf, esc, page, respond, see_other};
use super::retention::preview_html;
use super::retention_values::{Row, Values, KEEPS, MAX_ROWS};
use super::session::{Form, Ui, UiResult};
use crate::error::Error;
use crate::service::retention_policies as policies;
use crate::service::{access, retention};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web;
use std::fmt::Write as _;
use uuid::Uuid;

/// Field errors as the form shows them: "rules[1]: …" reads "Rule 2: …".
fn errors_for(errors: &[(String, String)], field: &str) -> String {
    let mut out = String::new();
    for (_, m) in errors.iter().filter(|(f, _)| f == field) {
        let m = match m.strip_prefix("rules[").and_then(|r| r.split_once("]: ")) {
            Some((i, rest)) => match i.parse::<usize>() {
                Ok(i) => format!("Rule {}: {rest}", i + 1),
                Err(_) => m.clone(),
            },
            None => m.clone(),
        };
        let _ = write!(out, "<span class=\"error\">{}</span>", esc(&m));
    }
    match out.is_empty() {
        true => out,
        false => format!("<span id=\"err-{field}\" role=\"alert\" class=\"errors\">{out}</span>"),
    }
}

const FIELDS: [&str; 8] = [
    "name",
    "repositories",
    "exclude_repositories",
    "rules",
    "delay",
    "undo_window",
    "schedule",
    "allow_empty",
];

fn form_html(ui: &Ui, action: &str, v: &Values, errors: &[(String, String)]) -> String {
    let mut b = String::new();
    for (f, m) in errors.iter().filter(|(f, _)| !FIELDS.contains(&f.as_str())) {
        let _ = write!(
            b,
            "<p class=\"error\" role=\"alert\">{}</p>",
            esc(&format!(
                "{}{m}",
                if f == "non_field_errors" {
                    String::new()
                } else {
                    format!("{f}: ")
                }
            ))
        );
    }
    let text = |name: &str, label: &str, value: &str, hint: &str| {
        format!(
            "<p><label for=\"f-{name}\">{label}</label><br><input id=\"f-{name}\" name=\"{name}\" \
             value=\"{}\" aria-describedby=\"err-{name}\"> <span class=\"muted\">{hint}</span>{}</p>",
            esc(value),
            errors_for(errors, name)
        )
    };
    let area = |name: &str, label: &str, value: &str| {
        format!(
            "<p><label for=\"f-{name}\">{label}</label><br><textarea id=\"f-{name}\" name=\"{name}\" \
             rows=\"2\" aria-describedby=\"err-{name}\">{}</textarea>{}</p>",
            esc(value),
            errors_for(errors, name)
        )
    };
    let _ = write!(
        b,
        "<form method=\"post\" action=\"{action}\" class=\"policy\">{}{}{}{}",
        csrf(&ui.session),
        text("name", "Name", &v.name, ""),
        area(
            "repositories",
            "Repositories (patterns, one a line; * matches any)",
            &v.repositories
        ),
        area(
            "exclude_repositories",
            "Except repositories (patterns)",
            &v.exclude
        ),
    );
    b.push_str(
        "<fieldset><legend>Rules (a tag stays if any rule keeps it)</legend><table>\
         <thead><tr><th scope=\"col\">#</th><th scope=\"col\">Tags (regex)</th>\
         <th scope=\"col\">Except tags (regex)</th><th scope=\"col\">Untagged</th>\
         <th scope=\"col\">Keep</th><th scope=\"col\">N or duration</th></tr></thead><tbody>",
    );
    let mut rows = v.rules.clone();
    rows.push(Row::default());
    for (i, r) in rows.iter().enumerate().take(MAX_ROWS) {
        let n = i + 1;
        let mut opts = String::from("<option value=\"\">—</option>");
        for (k, label) in KEEPS {
            let sel = if r.keep == k { " selected" } else { "" };
            let _ = write!(opts, "<option value=\"{k}\"{sel}>{label}</option>");
        }
        let _ = write!(
            b,
            "<tr><td>{n}</td>\
             <td><input name=\"r{i}_tags\" value=\"{}\" aria-label=\"Rule {n} tags\"></td>\
             <td><input name=\"r{i}_exclude\" value=\"{}\" aria-label=\"Rule {n} except tags\"></td>\
             <td><input type=\"checkbox\" name=\"r{i}_untagged\" value=\"1\"{} aria-label=\"Rule {n} untagged\"></td>\
             <td><select name=\"r{i}_keep\" aria-label=\"Rule {n} keep\">{opts}</select></td>\
             <td><input name=\"r{i}_value\" value=\"{}\" size=\"6\" aria-label=\"Rule {n} count or duration\"></td></tr>",
            esc(&r.tags),
            esc(&r.exclude),
            if r.untagged { " checked" } else { "" },
            esc(&r.value),
        );
    }
    let _ = write!(
        b,
        "</tbody></table><p class=\"muted\">Durations: 90m, 24h, 30d, 2w. Save, or Preview, \
         to get another empty row.</p>{}</fieldset>{}{}{}\
         <p><label><input type=\"checkbox\" name=\"allow_empty\" value=\"1\"{}> Allow a \
         repository to end up with no tag</label>{}</p>\
         <p><label><input type=\"checkbox\" name=\"enabled\" value=\"1\"{}> Enabled \
         (scheduled runs happen)</label></p>\
         <p class=\"actions\"><button type=\"submit\" name=\"action\" value=\"preview\">Preview</button> \
         <button type=\"submit\" name=\"action\" value=\"save\">Save</button></p></form>",
        errors_for(errors, "rules"),
        text("delay", "Delay", &v.delay, "what is younger than this stays"),
        text("undo_window", "Undo window", &v.undo, "a run can be undone for this long"),
        text("schedule", "Schedule", &v.schedule, "e.g. 1d; empty: no schedule"),
        if v.allow_empty { " checked" } else { "" },
        errors_for(errors, "allow_empty"),
        if v.enabled { " checked" } else { "" },
    );
    b
}

/// The page of a form (status 400 with its errors), and the preview under it when given.
fn form_page(
    ui: &Ui,
    title: &str,
    crumbs: &str,
    form: String,
    status: StatusCode,
    below: &str,
) -> UiResult {
    let body = format!("{crumbs}<h1>{}</h1>{form}{below}", esc(title));
    Ok(match status {
        StatusCode::OK => page(title, &ui.session, &body),
        s => respond(s, super::html::layout(title, Some(&ui.session), &body)),
    })
}

fn crumbs(ns: Uuid) -> String {
    format!("<p class=\"crumbs\"><a href=\"/ui/namespaces/{ns}/retention/\">Retention</a> /</p>")
}

/// The way back from a policy's pages: its namespace's policies, or those for every namespace.
fn back_to(ns: Option<Uuid>) -> String {
    match ns {
        Some(ns) => crumbs(ns),
        None => {
            "<p class=\"crumbs\"><a href=\"/ui/retention/\">Retention: every namespace</a> /</p>"
                .into()
        }
    }
}

/// Refuses (404) a caller who may not manage policies for every namespace.
fn manages_every_namespace(ui: &Ui) -> Result<(), Error> {
    match policies::may_manage(&ui.caller, None) {
        true => Ok(()),
        false => Err(Error::NotFound("page".into())),
    }
}

/// A new policy for every namespace (superusers).
pub async fn new_global_form(ui: Ui) -> UiResult {
    manages_every_namespace(&ui)?;
    // Every repository of every namespace (`*` stays within one path segment).
    let values = Values {
        repositories: "**".into(),
        ..Values::new_policy()
    };
    let form = form_html(&ui, "/ui/retention/new", &values, &[]);
    form_page(
        &ui,
        "New retention policy for every namespace",
        &back_to(None),
        form,
        StatusCode::OK,
        "",
    )
}

pub async fn create_global(st: web::Data<AppState>, ui: Ui, body: web::Bytes) -> UiResult {
    manages_every_namespace(&ui)?;
    submit(&st, &ui, None, None, &body).await
}

async fn managed_namespace(st: &AppState, ui: &Ui, id: Uuid) -> Result<Uuid, Error> {
    let ns = access::namespace(&st.db, &ui.caller, id, None).await?;
    if !policies::may_manage(&ui.caller, Some(ns.id)) {
        return Err(Error::NotFound("page".into()));
    }
    Ok(ns.id)
}

pub async fn new_form(st: web::Data<AppState>, id: web::Path<Uuid>, ui: Ui) -> UiResult {
    let ns = managed_namespace(&st, &ui, *id).await?;
    let form = form_html(
        &ui,
        &format!("/ui/namespaces/{ns}/retention/new"),
        &Values::new_policy(),
        &[],
    );
    form_page(
        &ui,
        "New retention policy",
        &crumbs(ns),
        form,
        StatusCode::OK,
        "",
    )
}

pub async fn edit_form(st: web::Data<AppState>, id: web::Path<Uuid>, ui: Ui) -> UiResult {
    let row = retention::managed_policy(&st.db, &ui.caller, *id).await?;
    let form = form_html(
        &ui,
        &format!("/ui/retention/{}/edit", row.id),
        &Values::of(&row),
        &[],
    );
    let back = back_to(row.namespace_id);
    let below = super::retention::actions(&ui, row.id);
    form_page(
        &ui,
        &format!("Edit {}", row.name),
        &back,
        form,
        StatusCode::OK,
        &below,
    )
}

/// Preview (stores nothing) or Save, for a new policy (`policy` None) or an existing one.
async fn submit(
    st: &AppState,
    ui: &Ui,
    ns: Option<Uuid>,
    policy: Option<Uuid>,
    body: &[u8],
) -> UiResult {
    let f = Form::parse(body);
    f.check(&ui.session)?;
    let v = Values::read(&f);
    let action = match policy {
        Some(id) => format!("/ui/retention/{id}/edit"),
        None => match ns {
            Some(ns) => format!("/ui/namespaces/{ns}/retention/new"),
            None => "/ui/retention/new".into(),
        },
    };
    let title = if policy.is_some() {
        "Edit retention policy"
    } else {
        "New retention policy"
    };
    let back = back_to(ns);
    let input = v.input(if policy.is_none() { ns } else { None });
    let result = match f.get("action") {
        Some("save") => match policy {
            Some(id) => policies::update(&st.db, &ui.caller, id, input, false).await,
            None => policies::create(&st.db, &ui.caller, input).await,
        }
        .map(|row| (row, true)),
        _ => policies::draft(&st.db, &ui.caller, policy, input)
            .await
            .map(|row| (row, false)),
    };
    match result {
        Ok((row, true)) => Ok(see_other(&format!("/ui/retention/{}/preview", row.id))),
        Ok((row, false)) => {
            let p = retention::preview(
                &st.db.conn,
                &row,
                retention::DEFAULT_LIMIT,
                chrono::Utc::now(),
            )
            .await?;
            let above = format!(
                "<section aria-labelledby=\"preview-title\"><h2 id=\"preview-title\">Preview \
                 (not saved)</h2>{}<p class=\"muted\">Nothing is stored until you press Save \
                 below.</p></section><h2>Policy</h2>",
                preview_html(&p)
            );
            let form = format!("{above}{}", form_html(ui, &action, &v, &[]));
            form_page(ui, title, &back, form, StatusCode::OK, "")
        }
        Err(Error::Validation(errors)) => form_page(
            ui,
            title,
            &back,
            form_html(ui, &action, &v, &errors),
            StatusCode::BAD_REQUEST,
            "",
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    let ns = managed_namespace(&st, &ui, *id).await?;
    submit(&st, &ui, Some(ns), None, &body).await
}

pub async fn update(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    let row = retention::managed_policy(&st.db, &ui.caller, *id).await?;
    submit(&st, &ui, row.namespace_id, Some(row.id), &body).await
}

pub async fn run(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    let f = Form::parse(&body);
    f.check(&ui.session)?;
    let row = retention::managed_policy(&st.db, &ui.caller, *id).await?;
    let dry_run = match f.get("mode") {
        Some("dry_run") => true,
        Some("run") => false,
        _ => {
            return Err(
                Error::Validation(vec![("mode".into(), "Choose Run or Dry run.".into())]).into(),
            )
        }
    };
    let task =
        retention::run::dispatch_run(&st.tasks, row.id, dry_run, ui.caller.user_id()).await?;
    Ok(see_other(&format!("/ui/tasks/{task}/")))
}

pub async fn confirm_delete(st: web::Data<AppState>, id: web::Path<Uuid>, ui: Ui) -> UiResult {
    let row = retention::managed_policy(&st.db, &ui.caller, *id).await?;
    let body = format!(
        "{}<section class=\"confirm\" role=\"alertdialog\" aria-labelledby=\"confirm-title\">\
         <h2 id=\"confirm-title\">Delete retention policy {}?</h2>\
         <p>The policy and its schedule go; nothing it already removed comes back, and nothing \
         else is deleted.</p><form method=\"post\" action=\"/ui/retention/{}/delete\">{}\
         <button type=\"submit\" class=\"danger\">Delete policy</button> \
         <a href=\"/ui/retention/{}/edit\">Cancel</a></form></section>",
        back_to(row.namespace_id),
        esc(&row.name),
        row.id,
        csrf(&ui.session),
        row.id
    );
    Ok(page("Delete retention policy", &ui.session, &body))
}

pub async fn delete(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    let f = Form::parse(&body);
    f.check(&ui.session)?;
    let row = retention::managed_policy(&st.db, &ui.caller, *id).await?;
    policies::delete(&st.db, &ui.caller, row.id).await?;
    Ok(match row.namespace_id {
        Some(ns) => see_other(&format!("/ui/namespaces/{ns}/retention/")),
        None => see_other("/ui/retention/"),
    })
}
