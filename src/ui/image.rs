//! The Image page: one manifest of a repository's latest version: digest, tags, platforms of a
//! manifest list (each linked to its own page), the image config (created, platform, what it
//! runs, history beside the layers: `image_config`), layers with sizes, labels and annotations, and
//! referrers (signatures, SBOMs). Read from the stored manifest, one statement per part.
use super::html::{bytes, esc, page, q, short_digest};
use super::session::{Ui, UiResult};
use crate::service::ui as svc;
use crate::state::AppState;
use actix_web::web;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use uuid::Uuid;

#[derive(serde::Deserialize)]
pub struct DigestParam {
    digest: String,
}

fn pairs(title: &str, m: &BTreeMap<String, String>) -> String {
    if m.is_empty() {
        return String::new();
    }
    let mut out = format!("<h2>{title}</h2><dl>");
    for (k, v) in m {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    out.push_str("</dl>");
    out
}

/// The manifest lists that would lose the image, as a paragraph and list (empty: none).
pub fn lists_note(lists: &[(String, Vec<String>)]) -> String {
    if lists.is_empty() {
        return "<p>No manifest list of this repository names it.</p>".into();
    }
    let items: String = lists
        .iter()
        .map(|(d, tags)| {
            let tags = match tags.is_empty() {
                true => "untagged".to_string(),
                false => tags
                    .iter()
                    .map(|t| format!("<code>{}</code>", esc(t)))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            format!("<li>{} ({tags})</li>", short_digest(d))
        })
        .collect();
    format!(
        "<p>{} manifest list{} of this repository name{} it and would lose this platform:</p>\
         <ul class=\"lists\">{items}</ul>",
        lists.len(),
        if lists.len() == 1 { "" } else { "s" },
        if lists.len() == 1 { "s" } else { "" },
    )
}

/// The first `n` of `tags`, comma-separated, and how many more there are.
pub fn shown_tags(tags: &[String], n: usize) -> String {
    let mut out = tags.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if tags.len() > n {
        out.push_str(&format!(" and {} more", tags.len() - n));
    }
    out
}

pub async fn show(
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    p: web::Query<DigestParam>,
    ui: Ui,
) -> UiResult {
    let repo = svc::viewable(&st.db, &ui.caller, *id).await?;
    let v = svc::image(&st.db, &st.store, &ui.caller, repo.id, &p.digest).await?;
    let link = |d: &str| format!("/ui/repositories/{}/image?digest={}", repo.id, q(d));
    let mut body = format!(
        "<p class=\"crumbs\"><a href=\"/ui/repositories/{}/\">{}</a> /</p><h1>Image {}</h1>\
         <dl><dt>Digest</dt><dd><code>{}</code></dd><dt>Media type</dt><dd>{}</dd>\
         <dt>Tags</dt><dd>{}</dd><dt>Size</dt><dd>{}</dd></dl>",
        repo.id,
        esc(&repo.name),
        short_digest(&v.row.digest),
        esc(&v.row.digest),
        esc(&v.row.media_type),
        esc(&shown_tags(&v.tags, 50)),
        bytes(v.parsed.compressed_size() as i64),
    );
    if svc::may_modify(&st.db, &ui.caller, repo.id).await? {
        let _ = write!(
            body,
            "<p class=\"actions\"><a class=\"danger\" \
             href=\"/ui/repositories/{}/delete-image?digest={}\">Delete image</a></p>",
            repo.id,
            q(&v.row.digest)
        );
    }
    if v.parsed.is_index() {
        let raw: serde_json::Value = serde_json::from_slice(&v.row.data).unwrap_or_default();
        body.push_str(
            "<h2>Platforms</h2><table><thead><tr><th scope=\"col\">Platform</th>\
             <th scope=\"col\">Manifest</th><th scope=\"col\" class=\"num\">Size</th></tr></thead><tbody>",
        );
        for (i, m) in v.parsed.manifests.iter().enumerate() {
            let pf = &raw["manifests"][i]["platform"];
            let platform = [&pf["os"], &pf["architecture"], &pf["variant"]]
                .iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join("/");
            let d = m.digest.to_string();
            let _ = write!(
                body,
                "<tr><td>{}</td><td><a href=\"{}\">{}</a></td><td class=\"num\">{}</td></tr>",
                esc(&platform),
                link(&d),
                short_digest(&d),
                bytes(m.size as i64)
            );
        }
        body.push_str("</tbody></table>");
    } else {
        if let Some(cfg) = &v.config {
            body.push_str(&super::image_config::summary(cfg));
        }
        body.push_str(
            "<h2>Layers</h2><table><thead><tr><th scope=\"col\" class=\"num\">#</th>\
             <th scope=\"col\">Digest</th><th scope=\"col\">Media type</th>\
             <th scope=\"col\" class=\"num\">Size</th></tr></thead><tbody>",
        );
        for (i, l) in v.parsed.layers.iter().enumerate() {
            let _ = write!(
                body,
                "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                i + 1,
                short_digest(&l.digest.to_string()),
                esc(&l.media_type),
                bytes(l.size as i64)
            );
        }
        body.push_str("</tbody></table>");
        if let Some(cfg) = &v.config {
            body.push_str(&super::image_config::history(cfg, &v.parsed.layers));
        }
    }
    let labels: BTreeMap<String, String> = serde_json::from_str(&v.labels).unwrap_or_default();
    body.push_str(&pairs("Labels", &labels));
    body.push_str(&pairs("Annotations", &v.parsed.annotations));
    if !v.referrers.is_empty() {
        body.push_str(
            "<h2>Referrers</h2><table><thead><tr><th scope=\"col\">Artifact type</th>\
             <th scope=\"col\">Manifest</th><th scope=\"col\" class=\"num\">Size</th></tr></thead><tbody>",
        );
        for r in &v.referrers {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(r.artifact_type.as_deref().unwrap_or(&r.media_type)),
                short_digest(&r.digest),
                bytes(r.size)
            );
        }
        body.push_str("</tbody></table>");
    }
    Ok(page("Image", &ui.session, &body))
}
