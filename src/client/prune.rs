//! `berth prune REPO|PATTERN --keep-last N --older-than 30d --keep-tags RE --untagged
//! [--dry-run] [--yes]`. What is kept: the N most recently pushed tags, the tags pushed within
//! the `--older-than` span, the tags matching `--keep-tags`, and (without `--untagged`) every
//! untagged image; the rest goes (a tag that goes while another tag keeps its image is only
//! untagged). On berth the server decides: a temporary retention policy scoped to the
//! repositories is previewed, run and deleted, so `prune`, the UI and scheduled retention
//! give one answer. On other registries the same rules are applied to `/v2/` (dates from the
//! image config; untagged images cannot be listed there).
use super::error::{failed, usage, Result};
use super::http::Registry;
use super::images::urlencode;
use super::output::{self, confirm, Format, Table};
use crate::domain::retention::Span;
use clap::Args;
use serde_json::{json, Value};

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// REGISTRY/NAME, or REGISTRY/PATTERN with `*` (one segment) and `**` (any depth).
    pub target: String,
    /// Keep the N most recently pushed tags of each repository.
    #[arg(long)]
    pub keep_last: Option<u32>,
    /// Remove only what was pushed longer ago than this (e.g. 30d, 12h, 2w).
    #[arg(long)]
    pub older_than: Option<Span>,
    /// Keep the tags matching this regular expression (whole name).
    #[arg(long)]
    pub keep_tags: Option<String>,
    /// Remove untagged images too (kept otherwise).
    #[arg(long)]
    pub untagged: bool,
    /// Show what would go, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask.
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// berth: how long the run can be undone (repository versions kept) before orphan cleanup
    /// may free the bytes (server default 7d; 0s frees them at the next `berth gc`).
    #[arg(long)]
    pub undo_window: Option<Span>,
    #[command(flatten)]
    pub common: super::Common,
}

/// The retention rules that keep what the flags keep (OR'd by the server).
pub fn rules(a: &PruneArgs) -> Result<Vec<Value>> {
    if a.keep_last.is_none() && a.older_than.is_none() && a.keep_tags.is_none() && !a.untagged {
        return Err(usage(
            "say what to remove: --keep-last N, --older-than SPAN, --keep-tags RE and/or --untagged",
        ));
    }
    let mut rules = vec![];
    if let Some(n) = a.keep_last {
        rules.push(json!({"latest_pushed": n}));
    }
    if let Some(d) = a.older_than {
        rules.push(json!({"pushed_within": d.to_string(), "untagged": true}));
    }
    if let Some(re) = &a.keep_tags {
        rules.push(json!({"tags": re, "always": true}));
    }
    if a.keep_last.is_none() && a.older_than.is_none() && a.keep_tags.is_none() {
        // Only --untagged: every tag stays.
        rules.push(json!({"always": true}));
    }
    if !a.untagged {
        rules.push(json!({"exclude_tags": ".*", "untagged": true, "always": true}));
    }
    Ok(rules)
}

pub async fn run(a: PruneArgs) -> Result<()> {
    let rules = rules(&a)?;
    let t = super::refs::parse(Some(&a.target))?;
    if t.name.is_empty() {
        return Err(usage("name a repository or a pattern: REGISTRY/NAME"));
    }
    let (reg, berth) = super::connect(&t.registry).await?;
    if berth {
        berth_prune(&reg, &t.name, rules, &a).await
    } else {
        super::prune_v2::prune(&reg, &t.name, &a).await
    }
}

async fn berth_prune(
    reg: &Registry,
    pattern: &str,
    rules: Vec<Value>,
    a: &PruneArgs,
) -> Result<()> {
    let namespace = match pattern.split_once('/') {
        Some((ns, _)) if !ns.contains(['*', '?']) => reg
            .get_json(&format!(
                "/pulp/api/v3/pulp_container/namespaces/?name={}",
                urlencode(ns)
            ))
            .await?["results"][0]["pulp_href"]
            .as_str()
            .map(str::to_string),
        _ => None,
    };
    let mut body = json!({
        "name": format!("berth-prune-{}", uuid::Uuid::new_v4().simple()),
        "namespace": namespace,
        "repositories": [pattern],
        "rules": rules,
        "enabled": false,
        "delay": "0s",
    });
    if let Some(w) = a.undo_window {
        body["undo_window"] = json!(w.to_string());
    }
    let policy = reg
        .pulp_post("/pulp/api/v3/retention_policies/", &body)
        .await?;
    let href = policy["pulp_href"]
        .as_str()
        .ok_or_else(|| failed("the server made no retention policy"))?
        .to_string();
    let result = previewed_run(reg, &href, a).await;
    let cleanup = reg.pulp_delete(&href).await;
    let out = result?;
    cleanup?;
    out.print(a.common.output);
    Ok(())
}

pub(super) struct Outcome {
    pub preview: Value,
    pub run: Option<Value>,
    pub dry_run: bool,
}

impl Outcome {
    pub fn print(&self, f: Format) {
        if f == Format::Json {
            output::print_json(&json!({"dry_run": self.dry_run, "preview": self.preview,
                                       "run": self.run}));
            return;
        }
        output::emit(&preview_table(&self.preview));
        let t = &self.preview["totals"];
        let verb = if self.dry_run {
            "would remove"
        } else {
            "removed"
        };
        outln!(
            "{verb} {} tags and {} images in {} repositories; {} come back after the undo window and `berth gc`",
            t["tags_removed"], t["manifests_removed"], t["repositories"],
            output::size(t["bytes_freed"].as_i64().unwrap_or(0))
        );
    }
}

async fn previewed_run(reg: &Registry, href: &str, a: &PruneArgs) -> Result<Outcome> {
    let preview = reg
        .pulp_post(&format!("{href}preview/?limit=10000"), &json!({}))
        .await?;
    let removes = preview["totals"]["tags_removed"].as_i64().unwrap_or(0)
        + preview["totals"]["manifests_removed"].as_i64().unwrap_or(0);
    if a.dry_run || removes == 0 {
        return Ok(Outcome {
            preview,
            run: None,
            dry_run: true,
        });
    }
    confirm_removal(a, &preview)?;
    let task = reg
        .pulp_post(&format!("{href}run/"), &json!({"dry_run": false}))
        .await?;
    let task = reg
        .wait_task(task["task"].as_str().unwrap_or_default())
        .await?;
    Ok(Outcome {
        preview,
        run: Some(task),
        dry_run: false,
    })
}

/// Shows the preview (tables only) and asks before removing what it lists (`--yes` answers).
pub(super) fn confirm_removal(a: &PruneArgs, preview: &Value) -> Result<()> {
    if a.common.output == Format::Table {
        eprint!("{}", preview_table(preview));
    }
    confirm(
        &format!(
            "Remove {} tags and {} images?",
            preview["totals"]["tags_removed"], preview["totals"]["manifests_removed"]
        ),
        a.yes,
    )
}

pub(super) fn preview_table(p: &Value) -> String {
    let mut t = Table::new(&["REPOSITORY", "ACTION", "TAGS", "DIGEST", "PUSHED", ">SIZE"]);
    for r in p["repositories"].as_array().into_iter().flatten() {
        let name = r["name"].as_str().unwrap_or_default().to_string();
        if let Some(why) = r["skipped"].as_str() {
            t.row(vec![
                name.clone(),
                format!("skipped: {why}"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            continue;
        }
        for m in r["removed"].as_array().into_iter().flatten() {
            t.row(vec![
                name.clone(),
                "remove image".into(),
                join(&m["tags"]),
                super::tags::short(m["digest"].as_str().unwrap_or_default()),
                output::date(output::parse_date(m["pushed"].as_str())),
                output::size(m["size"].as_i64().unwrap_or(0)),
            ]);
        }
        let untagged = join(&r["untagged"]);
        if !untagged.is_empty() {
            t.row(vec![
                name,
                "untag".into(),
                untagged,
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
    }
    t.render()
}

fn join(v: &Value) -> String {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: PruneArgs,
    }

    fn rules_of(args: &[&str]) -> Result<Vec<Value>> {
        let t = T::try_parse_from(std::iter::once("prune").chain(args.iter().copied()))
            .map_err(|e| usage(e.to_string()))?;
        rules(&t.a)
    }

    #[test]
    fn flags_become_retain_rules_and_untagged_images_stay_unless_asked() {
        let r = rules_of(&[
            "r/a",
            "--keep-last",
            "3",
            "--older-than",
            "30d",
            "--keep-tags",
            "v.*",
        ])
        .unwrap();
        assert_eq!(
            r,
            vec![
                json!({"latest_pushed": 3}),
                json!({"pushed_within": "30d", "untagged": true}),
                json!({"tags": "v.*", "always": true}),
                json!({"exclude_tags": ".*", "untagged": true, "always": true}),
            ]
        );
        let r = rules_of(&["r/a", "--untagged"]).unwrap();
        assert_eq!(r, vec![json!({"always": true})], "only untagged images go");
        assert!(rules_of(&["r/a"]).is_err(), "nothing said: refused");
        assert!(
            rules_of(&["r/a", "--older-than", "30"]).is_err(),
            "a span needs a unit"
        );
    }
}
