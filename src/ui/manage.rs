//! Deleting a repository (its distribution, as the API's distribution delete does: the
//! distribution, its push repository with every version and tag) or a whole namespace, each
//! after a confirmation page saying what cascades; and the private/public switch of a
//! repository's distribution. Each shows only to who the API would let do it (the same
//! `access` checks and permissions), is checked again on the POST, and dispatches the API's
//! task (`general_multi_delete`, `ageneral_update`) with the API's exclusive resources.
use super::html::{csrf, esc, page, see_other};
use super::session::{Form, Ui, UiResult};
use crate::domain::hrefs;
use crate::domain::permissions as perm;
use crate::error::Error;
use crate::repo::distributions::DistributionRow;
use crate::service::access::{self, RepoAction};
use crate::service::distributions::{self as dists, DistributionInput};
use crate::service::policy::{on_distribution, sees_distribution};
use crate::service::{tasks, ui as svc};
use crate::state::AppState;
use actix_web::web;
use std::fmt::Write as _;
use uuid::Uuid;

const DIST_PRN: &str = hrefs::DISTRIBUTION_MODEL;
const NS_PRN: &str = hrefs::NAMESPACE_MODEL;

fn may_delete(ui: &Ui, d: &DistributionRow) -> bool {
    on_distribution(&ui.caller, d, perm::DELETE_DIST, perm::NS_DELETE_DIST)
}

fn may_change(ui: &Ui, d: &DistributionRow) -> bool {
    on_distribution(&ui.caller, d, perm::CHANGE_DIST, perm::NS_CHANGE_DIST)
}

/// The distributions of push repository `repo` the caller sees.
async fn distributions(st: &AppState, ui: &Ui, repo: Uuid) -> Result<Vec<DistributionRow>, Error> {
    Ok(crate::repo::distributions::of_repository(&st.db.conn, repo)
        .await?
        .into_iter()
        .filter(|d| sees_distribution(&ui.caller, d))
        .collect())
}

async fn dispatch(
    ui: &Ui,
    st: &AppState,
    kind: tasks::TaskKind,
    exclusive: Vec<String>,
) -> UiResult {
    let task = tasks::dispatch(
        &st.tasks,
        tasks::NewTask {
            kind,
            exclusive,
            created_by: ui.caller.user_id(),
            logging_cid: Uuid::new_v4().simple().to_string(),
        },
    )
    .await?;
    Ok(see_other(&format!("/ui/tasks/{task}/")))
}

/// The repository page's Settings section: visibility switch and Delete link, for who may.
pub async fn repository_section(st: &AppState, ui: &Ui, repo: Uuid) -> Result<String, Error> {
    let mut out = String::new();
    for d in distributions(st, ui, repo).await? {
        if may_change(ui, &d) {
            let (now, to, label) = match d.private {
                true => (
                    "private: pulling needs a sign-in with the right role",
                    "0",
                    "Make public",
                ),
                false => ("public: anyone may pull", "1", "Make private"),
            };
            let _ = write!(
                out,
                "<form method=\"post\" action=\"/ui/repositories/{repo}/visibility\" class=\"actions\">{}\
                 <input type=\"hidden\" name=\"private\" value=\"{to}\">\
                 <span>This repository is {now}.</span> <button type=\"submit\">{label}</button></form>",
                csrf(&ui.session)
            );
        }
        if may_delete(ui, &d) {
            let _ = write!(
                out,
                "<p><a class=\"danger\" href=\"/ui/repositories/{repo}/delete\">Delete repository {}</a></p>",
                esc(&d.base_path)
            );
        }
    }
    Ok(match out.is_empty() {
        true => out,
        false => format!("<section class=\"card\"><h2>Settings</h2>{out}</section>"),
    })
}

/// The distribution of `repo` the caller may delete (404 for who does not see the repository,
/// 403 for who sees it but may not delete it).
async fn deletable(st: &AppState, ui: &Ui, repo: Uuid) -> Result<DistributionRow, Error> {
    access::push_repo(&st.db, &ui.caller, repo, RepoAction::View).await?;
    let d = distributions(st, ui, repo)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::NotFound("repository".into()))?;
    access::distribution(
        &st.db,
        &ui.caller,
        d.id,
        Some((perm::DELETE_DIST, perm::NS_DELETE_DIST)),
    )
    .await
}

pub async fn confirm_delete_repository(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
) -> UiResult {
    let d = deletable(&st, &ui, *id).await?;
    let tags = svc::tag_names(&st.db, *id, "").await?.len();
    let body = format!(
        "<p class=\"crumbs\"><a href=\"/ui/repositories/{id}/\">{name}</a> /</p>\
         <section class=\"confirm\" role=\"alertdialog\" aria-labelledby=\"confirm-title\">\
         <h2 id=\"confirm-title\">Delete repository {name}?</h2><p>This deletes:</p><ul>\
         <li>the distribution <code>{name}</code> (nobody can pull from it any more),</li>\
         <li>its repository with every version ({tags} tag(s) in the latest), which cannot be \
         restored,</li><li>the roles given on the distribution.</li></ul>\
         <p class=\"muted\">Images other repositories hold stay; the bytes only this one used are \
         freed by the next orphan cleanup.</p>\
         <form method=\"post\" action=\"/ui/repositories/{id}/delete\">{csrf}\
         <button type=\"submit\" class=\"danger\">Delete repository</button> \
         <a href=\"/ui/repositories/{id}/\">Cancel</a></form></section>",
        id = *id,
        name = esc(&d.base_path),
        csrf = csrf(&ui.session),
    );
    Ok(page("Delete repository", &ui.session, &body))
}

pub async fn delete_repository(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    Form::parse(&body).check(&ui.session)?;
    let d = deletable(&st, &ui, *id).await?;
    let mut exclusive = vec![hrefs::prn(DIST_PRN, d.id)];
    if let Some(r) = d.repository_id {
        exclusive.push(hrefs::prn(hrefs::PUSH_REPOSITORY_MODEL, r));
    }
    dispatch(
        &ui,
        &st,
        tasks::TaskKind::Delete(tasks::Delete::Distribution { id: d.id }),
        exclusive,
    )
    .await
}

pub async fn set_visibility(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    let f = Form::parse(&body);
    f.check(&ui.session)?;
    let private = match f.get("private") {
        Some("1") => true,
        Some("0") => false,
        _ => {
            return Err(Error::Validation(vec![(
                "private".into(),
                "Choose private or public.".into(),
            )])
            .into())
        }
    };
    access::push_repo(&st.db, &ui.caller, *id, RepoAction::View).await?;
    let d = distributions(&st, &ui, *id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::NotFound("repository".into()))?;
    let old = access::distribution(
        &st.db,
        &ui.caller,
        d.id,
        Some((perm::CHANGE_DIST, perm::NS_CHANGE_DIST)),
    )
    .await?;
    let input = DistributionInput {
        private: Some(private),
        ..Default::default()
    };
    let new = dists::prepare(&st.db, &ui.caller, Some(&old), input, true).await?;
    if dists::unchanged(&old, &new) {
        return Ok(see_other(&format!("/ui/repositories/{id}/")));
    }
    let exclusive = vec![
        hrefs::prn(DIST_PRN, old.id),
        format!("pdrn:distribution.base_path:{}", new.base_path),
    ];
    dispatch(
        &ui,
        &st,
        tasks::TaskKind::Update(tasks::Update::Distribution { row: new }),
        exclusive,
    )
    .await
}

pub async fn confirm_delete_namespace(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
) -> UiResult {
    let n = access::namespace(&st.db, &ui.caller, *id, Some(perm::DELETE_NAMESPACE)).await?;
    let repos = svc::repository_counts(&st.db, &[n.id])
        .await?
        .get(&n.id)
        .copied()
        .unwrap_or(0);
    let body = format!(
        "<p class=\"crumbs\"><a href=\"/ui/namespaces/\">Namespaces</a> /</p>\
         <section class=\"confirm\" role=\"alertdialog\" aria-labelledby=\"confirm-title\">\
         <h2 id=\"confirm-title\">Delete namespace {name}?</h2><p>This deletes:</p><ul>\
         <li>its {repos} repositor{ies}, with their distributions, every version and tag, which \
         cannot be restored,</li><li>its retention policies and their schedules,</li>\
         <li>every role given on the namespace or its distributions.</li></ul>\
         <p class=\"muted\">The bytes only these repositories used are freed by the next orphan \
         cleanup. Pushing to <code>{name}/…</code> again creates a new, empty namespace.</p>\
         <form method=\"post\" action=\"/ui/namespaces/{id}/delete\">{csrf}\
         <button type=\"submit\" class=\"danger\">Delete namespace and everything in it</button> \
         <a href=\"/ui/namespaces/\">Cancel</a></form></section>",
        id = n.id,
        name = esc(&n.name),
        ies = if repos == 1 { "y" } else { "ies" },
        csrf = csrf(&ui.session),
    );
    Ok(page("Delete namespace", &ui.session, &body))
}

pub async fn delete_namespace(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    Form::parse(&body).check(&ui.session)?;
    let n = access::namespace(&st.db, &ui.caller, *id, Some(perm::DELETE_NAMESPACE)).await?;
    let kind = tasks::TaskKind::Delete(tasks::Delete::Namespace { id: n.id });
    dispatch(&ui, &st, kind, vec![hrefs::prn(NS_PRN, n.id)]).await
}

/// The namespaces page's Delete link, for who may delete namespace `id`.
pub fn namespace_link(ui: &Ui, id: Uuid) -> String {
    match ui
        .caller
        .on(perm::ObjectType::Namespace, id, perm::DELETE_NAMESPACE)
    {
        true => format!(" <a class=\"danger\" href=\"/ui/namespaces/{id}/delete\">Delete</a>"),
        false => String::new(),
    }
}
