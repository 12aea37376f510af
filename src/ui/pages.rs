//! The UI's overview, namespaces, repositories and tasks pages: read-only, server-rendered,
//! each a few indexed queries over what the caller sees (the lists' visibility scopes).
use super::html::{bytes, esc, page, time};
use super::session::{Ui, UiResult};
use crate::domain::query::{ListQuery, Page, Sort, TaskFilter, TaskOrder, Text};
use crate::repo::ui_reads::RepoSort;
use crate::service::lists::{self, TaskRow};
use crate::service::{status, ui as svc, ui_cleanup};
use crate::state::AppState;
use actix_web::web;
use std::fmt::Write as _;

/// Query parameters of the list pages.
#[derive(serde::Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    pub sort: Option<String>,
    pub dir: Option<String>,
    #[serde(default)]
    pub page: u64,
}

/// Task rows as a table.
pub fn task_table(tasks: &[TaskRow]) -> String {
    if tasks.is_empty() {
        return "<p class=\"muted\">No tasks.</p>".into();
    }
    let mut out = String::from(
        "<table><thead><tr><th scope=\"col\">Task</th><th scope=\"col\">State</th>\
         <th scope=\"col\">Created</th><th scope=\"col\">Finished</th></tr></thead><tbody>",
    );
    for t in tasks {
        let _ = write!(
            out,
            "<tr><td><a href=\"/ui/tasks/{}/\">{}</a></td>\
             <td><span class=\"state state-{s}\">{s}</span></td><td>{}</td><td>{}</td></tr>",
            t.id,
            esc(&t.name),
            time(Some(t.created_at)),
            time(t.finished_at),
            s = t.state.as_str(),
        );
    }
    out.push_str("</tbody></table>");
    out
}

async fn recent_tasks(
    st: &AppState,
    ui: &Ui,
    filters: Vec<TaskFilter>,
    n: u64,
) -> Result<Vec<TaskRow>, crate::error::Error> {
    let query = ListQuery {
        filters,
        order: vec![Sort {
            key: TaskOrder::Created,
            desc: true,
        }],
        page: Some(Page {
            limit: n,
            offset: 0,
        }),
    };
    Ok(lists::tasks(&st.db, &ui.caller, query).await?.1)
}

pub async fn overview(st: web::Data<AppState>, ui: Ui) -> UiResult {
    let (namespaces, _) = lists::namespaces(
        &st.db,
        &ui.caller,
        ListQuery {
            page: Some(Page {
                limit: 1,
                offset: 0,
            }),
            ..ListQuery::default()
        },
    )
    .await?;
    let (repos, _) = svc::repositories(&st.db, &ui.caller, "", RepoSort::Name, false, 1, 0).await?;
    let mut cards = format!(
        "<div class=\"card\"><span class=\"figure\">{namespaces}</span> namespaces</div>\
         <div class=\"card\"><span class=\"figure\">{repos}</span> repositories</div>\
         <div class=\"card\"><span class=\"figure\">{}</span> tags</div>",
        svc::tag_total(&st.db, &ui.caller).await?
    );
    if ui.caller.is_admin() {
        if let Some(b) = status::stored_bytes(&st.db).await {
            let _ = write!(
                cards,
                "<div class=\"card\"><span class=\"figure\">{}</span> stored (each blob once)</div>",
                bytes(b)
            );
        }
    }
    if ui.caller.is_admin() {
        let name = TaskFilter::Name(Text::Eq("pulpcore.app.tasks.orphan.orphan_cleanup".into()));
        // The last real run (dry runs free nothing), among the latest few.
        let runs = recent_tasks(&st, &ui, vec![name], 20).await?;
        let last: Vec<_> = runs
            .iter()
            .filter(|t| !t.args.contains("\"dry_run\":true"))
            .take(1)
            .collect();
        let plan = ui_cleanup::plan(&st.db, st.settings.orphan_cleanup_interval_hours).await?;
        let _ = write!(
            cards,
            "<div class=\"card\"><span class=\"figure when\">{}</span> last cleanup</div>\
             <div class=\"card\"><a class=\"figure when\" href=\"/ui/cleanup/#schedule\">{}</a> \
             next cleanup</div>",
            last.first()
                .map(|t| time(t.finished_at.or(Some(t.created_at))))
                .unwrap_or_else(|| "none".into()),
            match plan.next_cleanup() {
                Some(t) => time(Some(t)),
                None => "none scheduled".into(),
            },
        );
        if let Some(s) = plan.retention.first() {
            let _ = write!(
                cards,
                "<div class=\"card\"><span class=\"figure when\">{}</span> next retention run \
                 ({})</div>",
                time(Some(s.next_dispatch)),
                esc(s.policy_name.as_deref().unwrap_or(&s.name)),
            );
        }
    }
    let tasks = recent_tasks(&st, &ui, vec![], 10).await?;
    let body = format!(
        "<h1>Overview</h1><div class=\"cards\">{cards}</div>\
         <h2>Recent tasks</h2>{}<p><a href=\"/ui/tasks/\">All tasks</a></p>",
        task_table(&tasks)
    );
    Ok(page("Overview", &ui.session, &body))
}

/// A note that makes `app.js` refresh the page's main part in place while tasks run.
fn live_note(running: bool, what: &str) -> String {
    match running {
        true => format!(
            "<p class=\"muted live\" data-refresh=\"2\" aria-live=\"polite\">{what} \
             <a href=\"\">Reload now</a></p>"
        ),
        false => String::new(),
    }
}

/// A task's progress reports (JSON array text) as a list of "message: done of total".
fn progress(text: &str) -> String {
    let Ok(serde_json::Value::Array(reports)) = serde_json::from_str(text) else {
        return String::new();
    };
    let items: String = reports
        .iter()
        .map(|r| {
            let done = r["done"].as_u64().unwrap_or(0);
            let total = r["total"].as_u64().filter(|t| *t > 0);
            format!(
                "<li>{}: {done}{}{}</li>",
                esc(r["message"].as_str().unwrap_or("step")),
                total.map(|t| format!(" of {t}")).unwrap_or_default(),
                total
                    .map(|t| format!(
                        " <progress max=\"{t}\" value=\"{}\"></progress>",
                        done.min(t)
                    ))
                    .unwrap_or_default(),
            )
        })
        .collect();
    match items.is_empty() {
        true => String::new(),
        false => format!("<h2>Progress</h2><ul class=\"plain\">{items}</ul>"),
    }
}

pub async fn tasks(st: web::Data<AppState>, ui: Ui) -> UiResult {
    let rows = recent_tasks(&st, &ui, vec![], 100).await?;
    let running = rows.iter().any(|t| !t.state.is_final());
    let body = format!(
        "<h1>Tasks</h1>{}{}",
        live_note(running, "Tasks are running: this list updates itself."),
        task_table(&rows)
    );
    Ok(page("Tasks", &ui.session, &body))
}

/// The task's result or error as a definition list.
fn json_fields(text: &str) -> String {
    let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(text) else {
        return format!("<pre>{}</pre>", esc(text));
    };
    let mut out = String::from("<dl>");
    for (k, v) in m {
        let shown = match (&v, k.contains("bytes")) {
            (serde_json::Value::Number(n), true) => n.as_i64().map(bytes).unwrap_or(n.to_string()),
            (serde_json::Value::String(s), _) => s.clone(),
            _ => v.to_string(),
        };
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(&k), esc(&shown));
    }
    out.push_str("</dl>");
    out
}

pub async fn task(st: web::Data<AppState>, id: web::Path<uuid::Uuid>, ui: Ui) -> UiResult {
    let t = lists::task(&st.db, &ui.caller, *id).await?;
    let live = live_note(
        !t.state.is_final(),
        "Still running: this page updates itself.",
    );
    let mut body = format!(
        "<h1>Task</h1>{live}<dl><dt>Name</dt><dd>{}</dd><dt>State</dt>\
         <dd><span class=\"state state-{s}\">{s}</span></dd><dt>Created</dt><dd>{}</dd>\
         <dt>Finished</dt><dd>{}</dd></dl>",
        esc(&t.name),
        time(Some(t.created_at)),
        time(t.finished_at),
        s = t.state.as_str()
    );
    body.push_str(&progress(&t.progress_reports));
    if let Some(r) = t.result.as_deref().filter(|r| *r != "null") {
        let _ = write!(body, "<h2>Result</h2>{}", json_fields(r));
    }
    if let Some(e) = &t.error {
        let _ = write!(body, "<h2>Error</h2>{}", json_fields(e));
    }
    if t.created_resources != "[]" {
        let _ = write!(
            body,
            "<h2>Created</h2><pre>{}</pre>",
            esc(&t.created_resources)
        );
    }
    Ok(page("Task", &ui.session, &body))
}
