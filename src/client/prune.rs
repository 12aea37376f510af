//! `berth prune REPO|PATTERN --keep-last N --older-than 30d --keep-tags RE --untagged
//! [--dry-run] [--yes]`. What is kept: the N most recently pushed tags, the tags pushed within
//! the `--older-than` span, the tags matching `--keep-tags`, and (without `--untagged`) every
//! untagged image; the rest goes (a tag that goes while another tag keeps its image is only
//! untagged). On berth the server decides ([`super::prune_berth`]), so `prune`, the UI and
//! scheduled retention give one answer; `--keep-pulled-within` uses berth's pull dates. On
//! other registries the same rules are applied to `/v2/` ([`super::prune_v2`]: dates from the
//! image config; untagged images cannot be listed there; no pull dates).
//! Aliases for users of other tools: `--num`/`--keep` (registry-cli's `-n/--num`) for
//! `--keep-last`, `--keep-tags-like` (registry-cli) for `--keep-tags`, `--delete-untagged`
//! (distribution's garbage-collect) for `--untagged`, `-f/--force` (docker's prune) for `--yes`.
use super::error::{usage, Result};
use super::output::{self, confirm, Format, Table};
use crate::domain::retention::Span;
use clap::Args;
use serde_json::{json, Value};

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// REGISTRY/NAME, or REGISTRY/PATTERN with `*` (one segment) and `**` (any depth).
    pub target: String,
    /// Keep the N most recently pushed tags of each repository.
    #[arg(long, visible_aliases = ["num", "keep"])]
    pub keep_last: Option<u32>,
    /// Remove only what was pushed longer ago than this (e.g. 30d, 12h, 2w).
    #[arg(long)]
    pub older_than: Option<Span>,
    /// Keep what was pulled within this span (berth only; e.g. 30d).
    #[arg(long)]
    pub keep_pulled_within: Option<Span>,
    /// Keep the tags matching this regular expression (whole name).
    #[arg(long, visible_alias = "keep-tags-like")]
    pub keep_tags: Option<String>,
    /// Remove untagged images too (kept otherwise).
    #[arg(long, visible_alias = "delete-untagged")]
    pub untagged: bool,
    /// Show what would go, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask.
    #[arg(short = 'y', long, visible_short_alias = 'f', visible_alias = "force")]
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
    let selective = a.keep_last.is_some()
        || a.older_than.is_some()
        || a.keep_tags.is_some()
        || a.keep_pulled_within.is_some();
    if !selective && !a.untagged {
        return Err(usage(
            "say what to remove: --keep-last N, --older-than SPAN, --keep-pulled-within SPAN, --keep-tags RE and/or --untagged",
        ));
    }
    let mut rules = vec![];
    if let Some(n) = a.keep_last {
        rules.push(json!({"latest_pushed": n}));
    }
    if let Some(d) = a.older_than {
        rules.push(json!({"pushed_within": d.to_string(), "untagged": true}));
    }
    if let Some(d) = a.keep_pulled_within {
        rules.push(json!({"pulled_within": d.to_string(), "untagged": true}));
    }
    if let Some(re) = &a.keep_tags {
        rules.push(json!({"tags": re, "always": true}));
    }
    if !selective {
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
        super::prune_berth::prune(&reg, &t.name, rules, &a).await
    } else {
        super::prune_v2::prune(&reg, &t.name, &a).await
    }
}

pub(super) struct Outcome {
    pub preview: Value,
    pub run: Option<Value>,
    pub dry_run: bool,
    /// When the bytes come back (berth: undo window and gc; elsewhere the registry's gc).
    pub after: &'static str,
    /// The table was shown with the question: only the summary follows.
    pub asked: bool,
}

impl Outcome {
    fn date_heading(&self) -> &'static str {
        if self.after == AFTER_BERTH {
            "PUSHED"
        } else {
            "CREATED"
        }
    }
}

pub(super) const AFTER_BERTH: &str = "after the undo window and `berth gc`";
pub(super) const AFTER_PLAIN: &str = "after the registry's garbage collection";

impl Outcome {
    pub fn print(&self, f: Format) {
        if f == Format::Json {
            output::print_json(&json!({"dry_run": self.dry_run, "preview": self.preview,
                                       "run": self.run}));
            return;
        }
        if !self.asked {
            output::emit(&preview_table(&self.preview, self.date_heading()));
        }
        let t = &self.preview["totals"];
        let verb = if self.dry_run {
            "would remove"
        } else {
            "removed"
        };
        let n = |k: &str| t[k].as_i64().unwrap_or(0);
        let repos = self.preview["repositories"].as_array();
        let touched = repos.into_iter().flatten().filter(|r| {
            [&r["removed"], &r["untagged"]]
                .iter()
                .any(|v| v.as_array().is_some_and(|a| !a.is_empty()))
        });
        let (touched, checked) = (touched.count() as i64, n("repositories"));
        let where_ = if touched == checked {
            output::count(checked, "repository", "repositories")
        } else {
            format!(
                "{touched} of {}",
                output::count(checked, "repository", "repositories")
            )
        };
        outln!(
            "{verb} {} and {} in {where_}; {} come back {}",
            output::count(n("tags_removed"), "tag", "tags"),
            output::count(n("manifests_removed"), "image", "images"),
            output::size(n("bytes_freed")),
            self.after,
        );
    }
}

/// Shows the preview (tables only) and asks before removing what it lists (`--yes` answers).
pub(super) fn confirm_removal(a: &PruneArgs, preview: &Value) -> Result<()> {
    if asks(a) {
        eprint!("{}", preview_table(preview, "CREATED"));
    }
    confirm(&removal_question(preview), a.yes)
}

/// Whether a removal is asked about on the terminal, with the preview table.
pub(super) fn asks(a: &PruneArgs) -> bool {
    a.common.output == Format::Table && !a.yes
}

/// `Remove 2 tags and 1 image?`
pub(super) fn removal_question(preview: &Value) -> String {
    let n = |k: &str| preview["totals"][k].as_i64().unwrap_or(0);
    format!(
        "Remove {} and {}?",
        output::count(n("tags_removed"), "tag", "tags"),
        output::count(n("manifests_removed"), "image", "images")
    )
}

/// The preview as a table; `date` heads the date column (berth: PUSHED; elsewhere CREATED,
/// the image config's date).
pub(super) fn preview_table(p: &Value, date: &str) -> String {
    let mut t = Table::new(&["REPOSITORY", "ACTION", "TAGS", "DIGEST", date, ">SIZE"]);
    for r in p["repositories"].as_array().into_iter().flatten() {
        let name = r["name"].as_str().unwrap_or_default().to_string();
        if let Some(why) = r["skipped"].as_str() {
            t.row(vec![
                name.clone(),
                "skip".into(),
                format!("({why})"),
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

    #[test]
    fn the_preview_table_keeps_every_column_under_its_heading_with_wide_and_narrow_values() {
        let p = json!({"repositories": [
            {"name": "a", "removed": [
                {"digest": "sha256:0123456789abcdef", "tags": ["1"], "pushed": "2024-01-02T03:04:05Z", "size": 5},
                {"digest": "sha256:fedcba9876543210", "tags": ["release-candidate-2024", "x"],
                 "pushed": null, "size": 123_456_789}],
             "untagged": ["old-tag"]},
            {"name": "team/a-rather-long-repository-name", "skipped": "would leave no tags"}]});
        let text = preview_table(&p, "PUSHED");
        let lines: Vec<&str> = text.lines().collect();
        let at = |s: &str| lines[0].find(s).unwrap();
        let size_end = lines[0].len();
        assert_eq!(
            &lines[1][at("DIGEST")..at("DIGEST") + 19],
            "sha256:0123456789ab"
        );
        assert_eq!(
            &lines[1][at("PUSHED")..at("PUSHED") + 16],
            "2024-01-02 03:04"
        );
        assert_eq!(&lines[2][at("PUSHED")..at("PUSHED") + 1], "-");
        assert_eq!(
            &lines[2][at("TAGS")..at("TAGS") + 24],
            "release-candidate-2024, "
        );
        assert!(
            lines[1].ends_with(" 5 B") && lines[1].len() == size_end,
            "{text}"
        );
        assert!(
            lines[2].ends_with("117.7 MiB") && lines[2].len() == size_end,
            "{text}"
        );
        assert_eq!(&lines[3][at("ACTION")..], "untag         old-tag");
        assert_eq!(
            lines[4],
            "team/a-rather-long-repository-name  skip          (would leave no tags)"
        );
        assert_eq!(at("ACTION"), "team/a-rather-long-repository-name  ".len());
    }
}
