//! A repository's pages: its tags grouped by image (with the Untag and Delete image actions
//! for who may modify it), the Delete image confirmation (which lists every tag that goes),
//! and its versions with Restore, for push and plain container repositories alike. Actions
//! check the session's CSRF token, then the same access rule as the Pulp API for the
//! repository's kind (`service::ui::modifiable`) and dispatch the same tasks (untag,
//! remove_image, restore_version), exclusive on the repository as the API's are.
use super::html::{bytes, csrf, esc, page, q, see_other, short_digest, time};
use super::session::{Form, Ui, UiResult};
use crate::domain::hrefs;
use crate::domain::query::{ListQuery, Page, Sort, VersionOrder};
use crate::error::Error;
use crate::service::push_repos::{self, PushRepoRow};
use crate::service::{lists, restore, tasks, ui as svc};
use crate::state::AppState;
use actix_web::{web, HttpRequest};
use std::fmt::Write as _;
use uuid::Uuid;

fn tabs(id: Uuid, name: &str, current: &str) -> String {
    let tab = |href: &str, label: &str| {
        let cur = if label == current {
            " aria-current=\"page\""
        } else {
            ""
        };
        format!("<a href=\"/ui/repositories/{id}/{href}\"{cur}>{label}</a>")
    };
    format!(
        "<p class=\"crumbs\"><a href=\"/ui/repositories/\">Repositories</a> /</p><h1>{}</h1>\
         <nav class=\"tabs\" aria-label=\"Repository\">{}{}</nav>",
        esc(name),
        tab("", "Tags"),
        tab("versions/", "Versions"),
    )
}

async fn dispatch(
    st: &AppState,
    ui: &Ui,
    repo: &PushRepoRow,
    kind: tasks::TaskKind,
) -> Result<Uuid, Error> {
    // The lock the API's actions on this kind of repository take.
    let model = match repo.container {
        true => hrefs::CONTAINER_REPOSITORY_MODEL,
        false => hrefs::PUSH_REPOSITORY_MODEL,
    };
    tasks::dispatch(
        &st.tasks,
        tasks::NewTask {
            kind,
            exclusive: vec![hrefs::prn(model, repo.id)],
            created_by: ui.caller.user_id(),
            logging_cid: Uuid::new_v4().simple().to_string(),
        },
    )
    .await
}

/// The repository page's query: a tag name filter and a page.
#[derive(serde::Deserialize, Default)]
pub struct TagParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: u64,
}

fn tag_pager(id: Uuid, p: &TagParams, count: u64) -> String {
    let pages = count.div_ceil(svc::TAG_PAGE).max(1);
    let link = |n: u64, label: &str| {
        format!(
            "<a href=\"/ui/repositories/{id}/?q={}&amp;page={n}\">{label}</a>",
            q(&p.q)
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

pub async fn show(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    p: web::Query<TagParams>,
    ui: Ui,
) -> UiResult {
    let r = svc::viewable(&st.db, &ui.caller, *id).await?;
    let (count, images) = svc::images(&st.db, &ui.caller, r.id, &p.q, p.page).await?;
    let modify = svc::may_modify(&st.db, &ui.caller, r.id).await?;
    let host = req.connection_info().host().to_string();
    let paths = svc::base_paths(&st.db, &ui.caller, r.id).await?;
    let path = paths.first().cloned().unwrap_or_else(|| r.name.clone());
    let mut body = tabs(r.id, &r.name, "Tags");
    let _ = write!(
        body,
        "<p><label for=\"pull\">Pull command</label> <input id=\"pull\" class=\"pull\" readonly \
         value=\"docker pull {}\" data-copy> <button type=\"button\" data-copy-from=\"pull\" hidden>Copy</button></p>\
         <form class=\"filter\" method=\"get\" role=\"search\"><label for=\"q\">Filter tags</label>\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{}\"> <button type=\"submit\">Filter</button></form>\
         <p class=\"muted\">{count} matching tag(s); this page shows {} image(s), newest push first.</p>",
        esc(&format!("{host}/{path}:{}", images.first().and_then(|g| g.tags.first()).map(|t| t.name.as_str()).unwrap_or("latest"))),
        esc(&p.q),
        images.len(),
    );
    if modify {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/ui/repositories/{}/untag\" id=\"tags-form\">{}",
            r.id,
            csrf(&ui.session)
        );
    }
    body.push_str(
        "<table class=\"tags\"><thead><tr><th scope=\"col\">Tag</th><th scope=\"col\">Image</th>\
         <th scope=\"col\" class=\"num\">Size</th><th scope=\"col\">Platforms</th>\
         <th scope=\"col\">Pushed</th><th scope=\"col\">Last pulled</th></tr></thead>",
    );
    for (gi, g) in images.iter().enumerate() {
        let _ = write!(body, "<tbody class=\"image\">");
        for (i, t) in g.tags.iter().enumerate() {
            let check = if modify {
                format!(
                    "<input type=\"checkbox\" name=\"tag\" value=\"{v}\" id=\"t-{gi}-{i}\"> \
                     <label for=\"t-{gi}-{i}\">{v}</label>",
                    v = esc(&t.name)
                )
            } else {
                esc(&t.name)
            };
            let image = if i == 0 {
                let delete = if modify {
                    format!(
                        " <a class=\"danger\" href=\"/ui/repositories/{}/delete-image?digest={}\">Delete image</a>",
                        r.id,
                        q(&g.digest)
                    )
                } else {
                    String::new()
                };
                format!(
                    "<a href=\"/ui/repositories/{}/image?digest={}\">{}</a>{delete}",
                    r.id,
                    q(&g.digest),
                    short_digest(&g.digest)
                )
            } else {
                String::new()
            };
            let _ = write!(
                body,
                "<tr><td>{check}</td><td>{image}</td><td class=\"num\">{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td></tr>",
                if i == 0 { bytes(g.size) } else { String::new() },
                if i == 0 {
                    esc(&g.platforms.join(", "))
                } else {
                    String::new()
                },
                time(t.pushed_at),
                time(t.last_pulled_at),
            );
        }
        body.push_str("</tbody>");
    }
    body.push_str("</table>");
    body.push_str(&tag_pager(r.id, &p, count));
    if modify {
        let _ = write!(
            body,
            "<p class=\"actions\"><input type=\"hidden\" name=\"q\" value=\"{}\">\
             <input type=\"checkbox\" name=\"all_matching\" value=\"1\" id=\"all-matching\"> \
             <label for=\"all-matching\">Select all {count} matching tags</label> \
             <button type=\"submit\">Untag selected</button> \
             <span class=\"muted\">Removes only the tags; images stay while other tags or \
             versions hold them.</span></p></form>",
            esc(&p.q)
        );
    }
    body.push_str(&super::manage::repository_section(&st, &ui, r.id).await?);
    Ok(page(&r.name, &ui.session, &body))
}

pub async fn untag(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    let form = Form::parse(&body);
    form.check(&ui.session)?;
    let r = svc::modifiable(&st.db, &ui.caller, *id).await?;
    let tags: Vec<String> = if form.get("all_matching") == Some("1") {
        svc::tag_names(&st.db, r.id, form.get("q").unwrap_or("")).await?
    } else {
        form.all("tag").into_iter().map(str::to_string).collect()
    };
    push_repos::existing_tags(&st.db, &r, &tags).await?;
    let kind = if let [tag] = tags.as_slice() {
        tasks::TaskKind::Untag {
            repository: r.id,
            tag: tag.clone(),
        }
    } else {
        tasks::TaskKind::UntagMany {
            repository: r.id,
            tags,
        }
    };
    let t = dispatch(&st, &ui, &r, kind).await?;
    Ok(see_other(&format!("/ui/tasks/{t}/")))
}

#[derive(serde::Deserialize)]
pub struct DigestParam {
    digest: String,
}

/// Tags listed by name on the Delete image confirmation (the rest are counted).
const SHOWN_TAGS: usize = 500;

pub async fn confirm_delete(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    p: web::Query<DigestParam>,
    ui: Ui,
) -> UiResult {
    let r = svc::modifiable(&st.db, &ui.caller, *id).await?;
    push_repos::manifest_in_latest(&st.db, &r, &p.digest).await?;
    let tags: Vec<String> = svc::tags_of(&st.db, r.id, &p.digest)
        .await?
        .iter()
        .map(|t| esc(t))
        .collect();
    let mut body = tabs(r.id, &r.name, "Tags");
    let _ = write!(
        body,
        "<section class=\"confirm\" role=\"alertdialog\" aria-labelledby=\"confirm-title\">\
         <h2 id=\"confirm-title\">Delete image {}?</h2>\
         <p>This removes the image from a new version of the repository, with {}:</p><ul>{}</ul>\
         {}<p class=\"muted\">The version before stays restorable until it is pruned; the bytes \
         are freed by orphan cleanup.</p>\
         <form method=\"post\" action=\"/ui/repositories/{}/delete-image\">{}\
         <input type=\"hidden\" name=\"digest\" value=\"{}\">\
         <button type=\"submit\" class=\"danger\">Delete image and its tags</button> \
         <a href=\"/ui/repositories/{}/\">Cancel</a></form></section>",
        short_digest(&p.digest),
        if tags.is_empty() {
            "no tags".to_string()
        } else {
            format!("every tag that points at it ({})", tags.len())
        },
        tags.iter()
            .take(SHOWN_TAGS)
            .map(|t| format!("<li><code>{t}</code></li>"))
            .chain(
                (tags.len() > SHOWN_TAGS)
                    .then(|| { format!("<li>and {} more</li>", tags.len() - SHOWN_TAGS) })
            )
            .collect::<String>(),
        super::image::lists_note(&svc::lists_holding(&st.db, r.id, &p.digest).await?),
        r.id,
        csrf(&ui.session),
        esc(&p.digest),
        r.id,
    );
    Ok(page("Delete image", &ui.session, &body))
}

pub async fn delete_image(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    let form = Form::parse(&body);
    form.check(&ui.session)?;
    let r = svc::modifiable(&st.db, &ui.caller, *id).await?;
    let digest = form.get("digest").unwrap_or("").to_string();
    push_repos::manifest_in_latest(&st.db, &r, &digest).await?;
    let kind = tasks::TaskKind::RemoveImage {
        repository: r.id,
        digest,
    };
    let task = dispatch(&st, &ui, &r, kind).await?;
    Ok(see_other(&format!("/ui/tasks/{task}/")))
}

fn counts(summary: &serde_json::Value, section: &str) -> String {
    let Some(serde_json::Value::Object(m)) = summary.get(section) else {
        return String::new();
    };
    m.iter()
        .filter_map(|(k, v)| v.as_i64().filter(|n| *n > 0).map(|n| (n, k)))
        .map(|(n, k)| format!("{n} {}{}", esc(k), if n == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn versions(st: web::Data<AppState>, id: web::Path<Uuid>, ui: Ui) -> UiResult {
    let r = svc::viewable(&st.db, &ui.caller, *id).await?;
    let scope = match r.container {
        true => lists::container_version_scope(&st.db, &ui.caller, r.id).await?,
        false => lists::version_scope(&st.db, &ui.caller, Some(r.id)).await?,
    };
    let query = ListQuery {
        filters: vec![],
        order: vec![Sort {
            key: VersionOrder::Number,
            desc: true,
        }],
        page: Some(Page {
            limit: 100,
            offset: 0,
        }),
    };
    let (_, rows) = lists::versions(&st.db, scope, query).await?;
    let modify = svc::may_modify(&st.db, &ui.caller, r.id).await?;
    let mut body = tabs(r.id, &r.name, "Versions");
    body.push_str(
        "<table><thead><tr><th scope=\"col\" class=\"num\">Version</th><th scope=\"col\">Created</th>\
         <th scope=\"col\">Added</th><th scope=\"col\">Removed</th><th scope=\"col\">Holds</th>\
         <th scope=\"col\"><span class=\"sr-only\">Actions</span></th></tr></thead><tbody>",
    );
    for v in &rows {
        let s: serde_json::Value = serde_json::from_str(&v.content_summary).unwrap_or_default();
        let action = if modify && v.number != r.latest_version {
            format!(
                "<form method=\"post\" action=\"/ui/repositories/{}/restore\">{}\
                 <input type=\"hidden\" name=\"version\" value=\"{}\">\
                 <button type=\"submit\">Restore version {}</button></form>",
                r.id,
                csrf(&ui.session),
                v.number,
                v.number
            )
        } else if v.number == r.latest_version {
            "<span class=\"muted\">latest</span>".into()
        } else {
            String::new()
        };
        let _ = write!(
            body,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{action}</td></tr>",
            v.number,
            time(Some(v.created_at)),
            counts(&s, "added"),
            counts(&s, "removed"),
            counts(&s, "present"),
        );
    }
    body.push_str("</tbody></table>");
    Ok(page(&format!("{} versions", r.name), &ui.session, &body))
}

pub async fn restore_version(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    let form = Form::parse(&body);
    form.check(&ui.session)?;
    let r = svc::modifiable(&st.db, &ui.caller, *id).await?;
    let number: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            Error::Validation(vec![(
                "version".into(),
                "A version number is required.".into(),
            )])
        })?;
    let number =
        restore::restorable(&st.db, &r, &hrefs::any_version(r.id, number, r.container)).await?;
    let kind = tasks::TaskKind::RestoreVersion {
        repository: r.id,
        number,
    };
    let task = dispatch(&st, &ui, &r, kind).await?;
    Ok(see_other(&format!("/ui/tasks/{task}/")))
}
