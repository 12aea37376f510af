//! `berth prune` on a registry that is not berth: the flags' rules (see [`super::prune`])
//! applied to what `/v2/` shows, with dates from the image config. A tag that goes while
//! another tag keeps its image is removed alone (`rm`'s tag removal); an image none of whose
//! tags is kept is deleted by digest.
use super::error::{usage, ClientError, Result};
use super::http::Registry;
use super::images::{self, Image};
use super::prune::{confirm_removal, Outcome, PruneArgs, AFTER_PLAIN};
use crate::domain::retention::Glob;
use chrono::Utc;
use regex::Regex;
use serde_json::{json, Value};

/// The plain-registry plan for one repository: images to delete and tags to untag.
fn plan(imgs: &[Image], a: &PruneArgs, keep: Option<&Regex>) -> (Vec<Image>, Vec<String>) {
    let now = Utc::now();
    let mut tags: Vec<(&str, &Image)> = imgs
        .iter()
        .flat_map(|i| i.tags.iter().map(move |t| (t.as_str(), i)))
        .collect();
    tags.sort_by(|x, y| y.1.created.cmp(&x.1.created).then(x.0.cmp(y.0)));
    let only_untagged = a.keep_last.is_none() && a.older_than.is_none() && a.keep_tags.is_none();
    let kept = |rank: usize, tag: &str, img: &Image| {
        only_untagged
            || a.keep_last.is_some_and(|n| rank < n as usize)
            || a.older_than
                .is_some_and(|d| img.created.is_none_or(|c| c > now - d.as_chrono()))
            || keep.is_some_and(|re| re.is_match(tag))
    };
    let kept_tags: Vec<&str> = tags
        .iter()
        .enumerate()
        .filter(|(rank, (tag, img))| kept(*rank, tag, img))
        .map(|(_, (tag, _))| *tag)
        .collect();
    let mut remove = vec![];
    let mut untag = vec![];
    for i in imgs {
        let (k, gone): (Vec<&String>, Vec<&String>) =
            i.tags.iter().partition(|t| kept_tags.contains(&t.as_str()));
        if k.is_empty() {
            remove.push(i.clone());
        } else {
            untag.extend(gone.into_iter().cloned());
        }
    }
    (remove, untag)
}

pub async fn prune(reg: &Registry, pattern: &str, a: &PruneArgs) -> Result<()> {
    if a.keep_pulled_within.is_some() {
        return Err(ClientError::Unsupported(format!(
            "{} keeps no pull dates: --keep-pulled-within works on berth only",
            reg.host
        )));
    }
    if a.untagged {
        eprintln!(
            "berth: note: /v2/ cannot list untagged images; --untagged changes nothing on {}",
            reg.host
        );
    }
    let glob = Glob::new(pattern).map_err(usage)?;
    let keep = a
        .keep_tags
        .as_deref()
        .map(|p| Regex::new(&format!("^(?:{p})$")))
        .transpose()
        .map_err(|e| usage(format!("--keep-tags: {e}")))?;
    let names: Vec<String> = images::v2_catalog(reg)
        .await?
        .into_iter()
        .filter(|n| glob.matches(n))
        .collect();
    if names.is_empty() {
        return Err(ClientError::NotFound(format!(
            "no repository matches '{pattern}'"
        )));
    }
    let mut repos = vec![];
    for name in names {
        let imgs = images::v2_images(reg, &name).await?;
        let (remove, untag) = plan(&imgs, a, keep.as_ref());
        let removed: Vec<Value> = remove
            .iter()
            .map(|i| {
                json!({"digest": i.digest, "tags": i.tags, "size": i.size,
                            "pushed": i.created.map(|c| c.to_rfc3339())})
            })
            .collect();
        repos.push((name, remove, untag, removed));
    }
    let preview = json!({
        "repositories": repos.iter().map(|(n, _, u, r)| json!({"name": n, "removed": r, "untagged": u})).collect::<Vec<_>>(),
        "totals": {
            "repositories": repos.len(),
            "tags_removed": repos.iter().map(|(_, rm, u, _)| u.len() + rm.iter().map(|i| i.tags.len()).sum::<usize>()).sum::<usize>(),
            "manifests_removed": repos.iter().map(|(_, rm, _, _)| rm.len()).sum::<usize>(),
            "bytes_freed": repos.iter().map(|(_, rm, _, _)| rm.iter().map(|i| i.size).sum::<i64>()).sum::<i64>(),
        },
    });
    let changes = preview["totals"]["tags_removed"].as_u64().unwrap_or(0) > 0
        || preview["totals"]["manifests_removed"].as_u64().unwrap_or(0) > 0;
    if a.dry_run || !changes {
        Outcome {
            preview,
            run: None,
            dry_run: true,
            after: AFTER_PLAIN,
            asked: false,
        }
        .print(a.common.output);
        return Ok(());
    }
    confirm_removal(a, &preview)?;
    let steps = repos.iter().map(|(_, rm, u, _)| rm.len() + u.len()).sum();
    let mut bar = super::output::Progress::new("pruning", steps);
    for (name, remove, untag, _) in &repos {
        for tag in untag {
            bar.step(&format!("{name}:{tag}"));
            super::rm::untag_plain(reg, name, tag).await?;
        }
        for i in remove {
            bar.step(&format!("{name}@{}", super::tags::short(&i.digest)));
            super::rm::delete_plain(reg, name, &i.digest).await?;
        }
    }
    drop(bar);
    Outcome {
        preview,
        run: Some(json!({"state": "completed"})),
        dry_run: false,
        after: AFTER_PLAIN,
        asked: super::prune::asks(a),
    }
    .print(a.common.output);
    Ok(())
}
