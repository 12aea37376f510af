//! The Retention pages: a namespace's retention policies (for who manages them: superusers and
//! the namespace's owners, as the API decides in `retention_policies::may_manage`) and a
//! policy's Preview (`service::retention::preview`: what goes, what stays and why, the bytes
//! that come back), the same engine the API's `preview/` and the runs use.
use super::html::{bytes, csrf, esc, page, short_digest, time};
use super::session::{Ui, UiResult};
use crate::domain::query::{ListQuery, RetentionPolicyFilter as F};
use crate::error::Error;
use crate::service::{access, retention, retention_policies as policies};
use crate::state::AppState;
use actix_web::web;
use std::fmt::Write as _;
use uuid::Uuid;

fn list_json(text: &str) -> String {
    match serde_json::from_str::<Vec<serde_json::Value>>(text) {
        Ok(v) if v.is_empty() => "<span class=\"muted\">none</span>".into(),
        Ok(v) => v
            .iter()
            .map(|x| match x.as_str() {
                Some(s) => format!("<code>{}</code>", esc(s)),
                None => format!("<code>{}</code>", esc(&x.to_string())),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Err(_) => esc(text),
    }
}

pub async fn namespace(st: web::Data<AppState>, id: web::Path<Uuid>, ui: Ui) -> UiResult {
    let ns = access::namespace(&st.db, &ui.caller, *id, None).await?;
    if !policies::may_manage(&ui.caller, Some(ns.id)) {
        return Err(Error::NotFound("page".into()).into());
    }
    let q = ListQuery::filtered(vec![F::NamespaceIn(vec![ns.id])]);
    let (_, rows) = policies::list(&st.db, &ui.caller, q).await?;
    let mut body = format!(
        "<p class=\"crumbs\"><a href=\"/ui/namespaces/\">Namespaces</a> /</p>\
         <h1>Retention: {}</h1>",
        esc(&ns.name)
    );
    if rows.is_empty() {
        body.push_str("<p class=\"muted\">This namespace has no retention policy yet.</p>");
    }
    let _ = write!(
        body,
        "<p><a class=\"button\" href=\"/ui/namespaces/{}/retention/new\">New policy</a></p>{}",
        ns.id,
        cards(&ui, &rows)
    );
    Ok(page("Retention", &ui.session, &body))
}

/// The policies as cards: what each covers, its rules and schedule, and its actions.
fn cards(ui: &Ui, rows: &[policies::PolicyRow]) -> String {
    let mut body = String::new();
    for p in rows {
        let _ = write!(
            body,
            "<section class=\"card\"><h2>{}</h2><dl><dt>State</dt><dd>{}</dd>\
             <dt>Repositories</dt><dd>{}</dd><dt>Except</dt><dd>{}</dd><dt>Rules</dt><dd>{}</dd>\
             <dt>Schedule</dt><dd>{}</dd><dt>Undo window</dt><dd>{} hours</dd></dl>\
             <p><a href=\"/ui/retention/{id}/preview\">Preview</a> · \
             <a href=\"/ui/retention/{id}/edit\">Edit</a></p>{}</section>",
            esc(&p.name),
            if p.enabled { "enabled" } else { "disabled" },
            list_json(&p.repositories),
            list_json(&p.exclude_repositories),
            list_json(&p.rules),
            p.schedule_seconds
                .map(super::cleanup_schedule::every)
                .unwrap_or_else(|| "none".into()),
            p.undo_window_seconds / 3600,
            actions(ui, p.id),
            id = p.id,
        );
    }
    body
}

/// The policies for every namespace (superusers only; 404 for others, as the API refuses
/// them such policies).
pub async fn every_namespace(st: web::Data<AppState>, ui: Ui) -> UiResult {
    if !policies::may_manage(&ui.caller, None) {
        return Err(Error::NotFound("page".into()).into());
    }
    let q = ListQuery::filtered(vec![F::EveryNamespace(true)]);
    let (_, rows) = policies::list(&st.db, &ui.caller, q).await?;
    let mut body = String::from(
        "<p class=\"crumbs\"><a href=\"/ui/namespaces/\">Namespaces</a> /</p>\
         <h1>Retention: every namespace</h1><p>These policies apply to the repositories of every \
         namespace and to the plain container repositories (narrowed by their repository \
         patterns).</p>",
    );
    if rows.is_empty() {
        body.push_str("<p class=\"muted\">There is no policy for every namespace yet.</p>");
    }
    let _ = write!(
        body,
        "<p><a class=\"button\" href=\"/ui/retention/new\">New policy for every namespace</a></p>{}",
        cards(&ui, &rows)
    );
    Ok(page("Retention", &ui.session, &body))
}

pub async fn preview(st: web::Data<AppState>, id: web::Path<Uuid>, ui: Ui) -> UiResult {
    let row = retention::managed_policy(&st.db, &ui.caller, *id).await?;
    let p = retention::preview(
        &st.db.conn,
        &row,
        retention::DEFAULT_LIMIT,
        chrono::Utc::now(),
    )
    .await?;
    let mut body = format!(
        "<h1>Preview: {}</h1><p><a href=\"/ui/retention/{}/edit\">Edit</a></p>{}",
        esc(&row.name),
        row.id,
        preview_html(&p)
    );
    body.push_str(&actions(&ui, row.id));
    Ok(page("Retention preview", &ui.session, &body))
}

/// The Run, Dry run and Delete buttons of a saved policy.
pub fn actions(ui: &Ui, id: Uuid) -> String {
    format!(
        "<form method=\"post\" action=\"/ui/retention/{id}/run\" class=\"actions\">{}\
         <button type=\"submit\" name=\"mode\" value=\"dry_run\">Dry run</button> \
         <button type=\"submit\" name=\"mode\" value=\"run\" class=\"danger\">Run</button> \
         <a href=\"/ui/retention/{id}/delete\">Delete policy</a></form>",
        csrf(&ui.session)
    )
}

/// What a preview shows: totals, then each covered repository's images, gone or kept and why.
pub fn preview_html(p: &retention::Preview) -> String {
    let t = &p.totals;
    let mut body = format!(
        "<div class=\"cards\">\
         <div class=\"card\"><span class=\"figure\">{}</span> repositories covered</div>\
         <div class=\"card\"><span class=\"figure\">{}</span> tags removed</div>\
         <div class=\"card\"><span class=\"figure\">{}</span> images removed</div>\
         <div class=\"card\"><span class=\"figure\">{}</span> come back after cleanup</div></div>",
        t.repositories,
        t.tags_removed,
        t.manifests_removed,
        bytes(t.bytes_freed)
    );
    for r in &p.repositories {
        let _ = write!(body, "<h2>{}</h2>", esc(&r.repo.name));
        if let Some(why) = r.skipped {
            let _ = write!(body, "<p class=\"muted\">Skipped: {}</p>", esc(why));
            continue;
        }
        body.push_str(
            "<table><thead><tr><th scope=\"col\">Image</th><th scope=\"col\">Tags</th>\
             <th scope=\"col\">Decision</th><th scope=\"col\">Why / size</th>\
             <th scope=\"col\">Pushed</th><th scope=\"col\">Last pulled</th></tr></thead><tbody>",
        );
        for g in &r.removed {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td class=\"error\">goes</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                short_digest(&g.digest),
                esc(&g.tags.join(", ")),
                bytes(g.size),
                time(Some(g.pushed)),
                time(g.last_pulled),
            );
        }
        for k in &r.kept {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>stays</td><td>{}</td><td></td><td></td></tr>",
                short_digest(&k.digest),
                esc(&k.tags.join(", ")),
                esc(&k.kept_by.join("; ")),
            );
        }
        body.push_str("</tbody></table>");
        if !r.untagged.is_empty() {
            let _ = write!(
                body,
                "<p>Tags that go while their image stays: {}</p>",
                esc(&r.untagged.join(", "))
            );
        }
    }
    body
}
