//! The UI's Namespaces and Repositories pages: sortable by name, tag count, stored size and
//! last push (default: newest push first), a filter box and paging, each page one sorted,
//! paged statement plus one for the page's sizes. The table and pager sit in one
//! `data-fragment` element that `app.js` swaps in place when the filter, a sort header or a
//! page link changes (the links and the form work as they are without JavaScript).
use super::html::{bytes, esc, page, q, time};
use super::pages::ListParams;
use super::session::{Ui, UiResult};
use crate::repo::ui_reads::RepoSort;
use crate::service::{retention_policies, ui as svc, usage};
use crate::state::AppState;
use actix_web::web;
use std::fmt::Write as _;

const PAGE: u64 = 50;

/// The sort and direction a page's parameters ask for (names ascend, the rest descend).
fn sorting(p: &ListParams) -> (RepoSort, bool) {
    let sort = RepoSort::from_param(p.sort.as_deref());
    let desc = match p.dir.as_deref() {
        Some("asc") => false,
        Some("desc") => true,
        _ => sort != RepoSort::Name,
    };
    (sort, desc)
}

/// A sortable column header linking to its sort (the other direction when it is the current).
fn head(base: &str, p: &ListParams, this: RepoSort, label: &str, class: &str) -> String {
    let (sort, desc) = sorting(p);
    let (next, mark, aria) = match (sort == this, desc) {
        (true, true) => ("asc", " ▼", " aria-sort=\"descending\""),
        (true, false) => ("desc", " ▲", " aria-sort=\"ascending\""),
        (false, _) if this == RepoSort::Name => ("asc", "", ""),
        (false, _) => ("desc", "", ""),
    };
    format!(
        "<th scope=\"col\" class=\"{class}\"{aria}><a href=\"{base}?q={}&amp;sort={}&amp;dir={next}\">\
         {label}{mark}</a></th>",
        q(&p.q),
        this.param()
    )
}

/// The sort links again, for phones (where the table's header row is hidden).
fn sorts(base: &str, p: &ListParams) -> String {
    let (sort, desc) = sorting(p);
    let links: String = [
        (RepoSort::Name, "Name"),
        (RepoSort::Tags, "Tags"),
        (RepoSort::Size, "Stored"),
        (RepoSort::LastPush, "Last push"),
    ]
    .iter()
    .map(|(this, label)| {
        let next = match (sort == *this, desc) {
            (true, true) => "asc",
            (true, false) => "desc",
            (false, _) if *this == RepoSort::Name => "asc",
            (false, _) => "desc",
        };
        let current = if sort == *this {
            " aria-current=\"true\""
        } else {
            ""
        };
        format!(
            "<a href=\"{base}?q={}&amp;sort={}&amp;dir={next}\"{current}>{label}</a>",
            q(&p.q),
            this.param()
        )
    })
    .collect();
    format!("<nav class=\"sorts\" aria-label=\"Sort by\">Sort by: {links}</nav>")
}

fn pager(base: &str, p: &ListParams, count: u64) -> String {
    let pages = count.div_ceil(PAGE).max(1);
    let link = |n: u64, label: &str, rel: &str| {
        format!(
            "<a rel=\"{rel}\" href=\"{base}?q={}&amp;sort={}&amp;dir={}&amp;page={n}\">{label}</a>",
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
        out.push_str(&link(p.page - 1, "Previous", "prev"));
    }
    if p.page + 1 < pages {
        out.push_str(&link(p.page + 1, "Next", "next"));
    }
    out.push_str("</nav>");
    out
}

fn filter_form(base: &str, p: &ListParams, what: &str) -> String {
    format!(
        "<form class=\"filter\" method=\"get\" action=\"{base}\" role=\"search\" \
         data-live=\"results\">\
         <label for=\"q\">Filter {what} by name</label>\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{}\" autocomplete=\"off\">\
         <input type=\"hidden\" name=\"sort\" value=\"{}\"><input type=\"hidden\" name=\"dir\" value=\"{}\">\
         <button type=\"submit\">Filter</button></form>",
        esc(&p.q),
        esc(p.sort.as_deref().unwrap_or("")),
        esc(p.dir.as_deref().unwrap_or("")),
    )
}

pub async fn namespaces(st: web::Data<AppState>, ui: Ui, p: web::Query<ListParams>) -> UiResult {
    const BASE: &str = "/ui/namespaces/";
    let (sort, desc) = sorting(&p);
    let offset = p.page.saturating_mul(PAGE);
    let (count, rows) = svc::namespaces(&st.db, &ui.caller, &p.q, sort, desc, PAGE, offset).await?;
    let ids: Vec<_> = rows.iter().map(|n| n.id).collect();
    let sizes = usage::namespaces(&st.db, &ids).await?;
    let every = match retention_policies::may_manage(&ui.caller, None) {
        true => "<p><a href=\"/ui/retention/\">Retention policies for every namespace</a></p>",
        false => "",
    };
    let mut body = format!(
        "<h1>Namespaces</h1>{every}{}<div id=\"results\" data-fragment>\
         <p class=\"muted\" aria-live=\"polite\">{}</p>{}\
         <div class=\"scroll\"><table><thead><tr>{}\
         <th scope=\"col\" class=\"num\">Repositories</th>{}{}{}\
         <th scope=\"col\"><span class=\"sr-only\">Actions</span></th></tr></thead><tbody>",
        filter_form(BASE, &p, "namespaces"),
        counted(count, "namespace", "namespaces"),
        sorts(BASE, &p),
        head(BASE, &p, RepoSort::Name, "Name", ""),
        head(BASE, &p, RepoSort::Tags, "Tags", "num"),
        head(BASE, &p, RepoSort::Size, "Stored", "num"),
        head(BASE, &p, RepoSort::LastPush, "Last push", ""),
    );
    for n in &rows {
        let _ = write!(
            body,
            "<tr><td><a href=\"/ui/repositories/?q={}\">{}</a></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            q(&format!("{}/", n.name)),
            esc(&n.name),
            n.repo_count,
            n.tag_count,
            bytes(sizes.get(&n.id).copied().unwrap_or(0)),
            time(Some(n.last_push)),
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
    body.push_str("</tbody></table></div>");
    body.push_str(&pager(BASE, &p, count));
    body.push_str("</div>");
    Ok(page("Namespaces", &ui.session, &body))
}

pub async fn repositories(st: web::Data<AppState>, ui: Ui, p: web::Query<ListParams>) -> UiResult {
    const BASE: &str = "/ui/repositories/";
    let (sort, desc) = sorting(&p);
    let offset = p.page.saturating_mul(PAGE);
    let (count, rows) =
        svc::repositories(&st.db, &ui.caller, &p.q, sort, desc, PAGE, offset).await?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let sizes = usage::repositories(&st.db, &ids).await?;
    let mut body = format!(
        "<h1>Repositories</h1>{}<div id=\"results\" data-fragment>\
         <p class=\"muted\" aria-live=\"polite\">{}</p>{}\
         <div class=\"scroll\"><table><thead><tr>{}{}{}{}</tr></thead><tbody>",
        filter_form(BASE, &p, "repositories"),
        counted(count, "repository", "repositories"),
        sorts(BASE, &p),
        head(BASE, &p, RepoSort::Name, "Name", ""),
        head(BASE, &p, RepoSort::Tags, "Tags", "num"),
        head(BASE, &p, RepoSort::Size, "Stored", "num"),
        head(BASE, &p, RepoSort::LastPush, "Last push", ""),
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
    body.push_str("</tbody></table></div>");
    body.push_str(&pager(BASE, &p, count));
    body.push_str("</div>");
    Ok(page("Repositories", &ui.session, &body))
}

/// "1 repository", "3 repositories".
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
