//! The UI's overview, namespaces, repositories and tasks pages: read-only, server-rendered,
//! each a few indexed queries over what the caller sees (the lists' visibility scopes).
use super::html::{bytes, esc, page, q, time};
use super::session::{Ui, UiResult};
use crate::domain::query::{ListQuery, NamespaceFilter, Page, Sort, TaskFilter, TaskOrder, Text};
use crate::repo::ui_reads::RepoSort;
use crate::service::lists::{self, TaskRow};
use crate::service::{retention_policies, status, ui as svc, usage};
use crate::state::AppState;
use actix_web::web;
use std::collections::HashMap;
use std::fmt::Write as _;

const PAGE: u64 = 50;

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
         <div class=\"card\"><span class=\"figure\">{repos}</span> repositories</div>"
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
        let last = recent_tasks(&st, &ui, vec![name], 1).await?;
        let every = st.settings.orphan_cleanup_interval_hours;
        let _ = write!(
            cards,
            "<div class=\"card\"><span class=\"figure\">{}</span> last cleanup{}</div>",
            last.first()
                .map(|t| time(t.finished_at.or(Some(t.created_at))))
                .unwrap_or_else(|| "none".into()),
            if every == 0 {
                " (no schedule)".to_string()
            } else {
                format!(" (scheduled every {every} h)")
            }
        );
    }
    let tasks = recent_tasks(&st, &ui, vec![], 10).await?;
    let body = format!(
        "<h1>Overview</h1><div class=\"cards\">{cards}</div>\
         <h2>Recent tasks</h2>{}<p><a href=\"/ui/tasks/\">All tasks</a></p>",
        task_table(&tasks)
    );
    Ok(page("Overview", &ui.session, &body))
}

fn pager(base: &str, p: &ListParams, count: u64) -> String {
    let pages = count.div_ceil(PAGE).max(1);
    let link = |n: u64, label: &str| {
        format!(
            "<a href=\"{base}?q={}&amp;sort={}&amp;dir={}&amp;page={n}\">{label}</a>",
            q(&p.q),
            q(p.sort.as_deref().unwrap_or("")),
            q(p.dir.as_deref().unwrap_or("")),
        )
    };
    let mut out = format!(
        "<nav class=\"pager\" aria-label=\"Pages\">Page {} of {pages} ",
        p.page + 1
    );
    if p.page > 0 {
        out.push_str(&link(p.page - 1, "Previous"));
    }
    if p.page + 1 < pages {
        out.push_str(&link(p.page + 1, "Next"));
    }
    out.push_str("</nav>");
    out
}

fn filter_form(base: &str, p: &ListParams, what: &str) -> String {
    format!(
        "<form class=\"filter\" method=\"get\" action=\"{base}\" role=\"search\">\
         <label for=\"q\">Filter {what} by name</label>\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{}\">\
         <input type=\"hidden\" name=\"sort\" value=\"{}\"><input type=\"hidden\" name=\"dir\" value=\"{}\">\
         <button type=\"submit\">Filter</button></form>",
        esc(&p.q),
        esc(p.sort.as_deref().unwrap_or("")),
        esc(p.dir.as_deref().unwrap_or("")),
    )
}

pub async fn namespaces(st: web::Data<AppState>, ui: Ui, p: web::Query<ListParams>) -> UiResult {
    let mut query = ListQuery::<NamespaceFilter, _> {
        page: Some(Page {
            limit: PAGE,
            offset: p.page.saturating_mul(PAGE),
        }),
        ..ListQuery::default()
    };
    if !p.q.is_empty() {
        query.push(NamespaceFilter::Name(Text::IContains(p.q.clone())));
    }
    let (count, rows) = lists::namespaces(&st.db, &ui.caller, query).await?;
    let ids: Vec<_> = rows.iter().map(|n| n.id).collect();
    let sizes = usage::namespaces(&st.db, &ids).await?;
    let repos: HashMap<_, _> = svc::repository_counts(&st.db, &ids).await?;
    let mut body = format!(
        "<h1>Namespaces</h1>{}",
        filter_form("/ui/namespaces/", &p, "namespaces")
    );
    body.push_str(
        "<table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\" class=\"num\">Repositories</th>\
         <th scope=\"col\" class=\"num\">Stored</th><th scope=\"col\">Created</th>\
         <th scope=\"col\"><span class=\"sr-only\">Actions</span></th></tr></thead><tbody>",
    );
    for n in &rows {
        let _ = write!(
            body,
            "<tr><td><a href=\"/ui/repositories/?q={}\">{}</a></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            q(&format!("{}/", n.name)),
            esc(&n.name),
            repos.get(&n.id).copied().unwrap_or(0),
            bytes(sizes.get(&n.id).copied().unwrap_or(0)),
            time(Some(n.created_at)),
            if retention_policies::may_manage(&ui.caller, Some(n.id)) {
                format!(
                    "<a href=\"/ui/namespaces/{}/retention/\">Retention</a>{}",
                    n.id,
                    super::manage::namespace_link(&ui, n.id)
                )
            } else {
                super::manage::namespace_link(&ui, n.id)
            },
        );
    }
    body.push_str("</tbody></table>");
    body.push_str(&pager("/ui/namespaces/", &p, count));
    Ok(page("Namespaces", &ui.session, &body))
}

pub async fn repositories(st: web::Data<AppState>, ui: Ui, p: web::Query<ListParams>) -> UiResult {
    let sort = match p.sort.as_deref() {
        Some("name") => RepoSort::Name,
        Some("tags") => RepoSort::Tags,
        _ => RepoSort::LastPush,
    };
    let desc = match p.dir.as_deref() {
        Some("asc") => false,
        Some("desc") => true,
        _ => sort != RepoSort::Name,
    };
    let (count, rows) = svc::repositories(
        &st.db,
        &ui.caller,
        &p.q,
        sort,
        desc,
        PAGE,
        p.page.saturating_mul(PAGE),
    )
    .await?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let sizes = usage::repositories(&st.db, &ids).await?;
    let head = |key: &str, label: &str, this: RepoSort, class: &str| {
        let (next, mark, aria) = match (sort == this, desc) {
            (true, true) => ("asc", " ▼", " aria-sort=\"descending\""),
            (true, false) => ("desc", " ▲", " aria-sort=\"ascending\""),
            (false, _) => (
                if this == RepoSort::Name {
                    "asc"
                } else {
                    "desc"
                },
                "",
                "",
            ),
        };
        format!(
            "<th scope=\"col\" class=\"{class}\"{aria}><a href=\"/ui/repositories/?q={}&amp;sort={key}&amp;dir={next}\">{label}{mark}</a></th>",
            q(&p.q)
        )
    };
    let mut body = format!(
        "<h1>Repositories</h1>{}<p class=\"muted\">{count} repositories</p><table><thead><tr>{}{}<th scope=\"col\" class=\"num\">Stored</th>{}</tr></thead><tbody>",
        filter_form("/ui/repositories/", &p, "repositories"),
        head("name", "Name", RepoSort::Name, ""),
        head("tags", "Tags", RepoSort::Tags, "num"),
        head("pushed", "Last push", RepoSort::LastPush, ""),
    );
    for r in &rows {
        let _ = write!(
            body,
            "<tr><td><a href=\"/ui/repositories/{}/\">{}</a></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            r.id,
            esc(&r.name),
            r.tag_count,
            bytes(sizes.get(&r.id).copied().unwrap_or(0)),
            time(Some(r.last_push)),
        );
    }
    body.push_str("</tbody></table>");
    body.push_str(&pager("/ui/repositories/", &p, count));
    Ok(page("Repositories", &ui.session, &body))
}

pub async fn tasks(st: web::Data<AppState>, ui: Ui) -> UiResult {
    let rows = recent_tasks(&st, &ui, vec![], 100).await?;
    let body = format!("<h1>Tasks</h1>{}", task_table(&rows));
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
    let live = if t.state.is_final() {
        String::new()
    } else {
        "<p class=\"muted\" data-refresh=\"2\">Still running: this page reloads itself. \
         <a href=\"\">Reload now</a></p>"
            .into()
    };
    let mut body = format!(
        "<h1>Task</h1>{live}<dl><dt>Name</dt><dd>{}</dd><dt>State</dt>\
         <dd><span class=\"state state-{s}\">{s}</span></dd><dt>Created</dt><dd>{}</dd>\
         <dt>Finished</dt><dd>{}</dd></dl>",
        esc(&t.name),
        time(Some(t.created_at)),
        time(t.finished_at),
        s = t.state.as_str()
    );
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
