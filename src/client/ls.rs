//! `berth ls [REGISTRY[/NAMESPACE]]`: repositories with tag count, size and last push, and the
//! totals. On berth: the push repositories (with `stored_bytes`) and their latest versions'
//! summaries; elsewhere: `/v2/_catalog` and each repository's images (unique blob bytes).
use super::error::Result;
use super::http::Registry;
use super::images::{self, berth_repo_of};
use super::output::{self, Format, Table};
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Sort {
    Size,
    Name,
    Tags,
    Pushed,
}

#[derive(Debug, Serialize)]
pub struct RepoLine {
    pub name: String,
    pub tags: i64,
    pub size: i64,
    pub last_push: Option<DateTime<Utc>>,
}

pub async fn run(target: Option<&str>, sort: Sort, format: Format) -> Result<()> {
    let t = super::refs::parse(target)?;
    let (reg, berth) = super::connect(&t.registry).await?;
    let mut lines = if berth {
        berth_lines(&reg, &t.name).await?
    } else {
        v2_lines(&reg, &t.name).await?
    };
    match sort {
        Sort::Size => lines.sort_by(|a, b| b.size.cmp(&a.size).then(a.name.cmp(&b.name))),
        Sort::Name => lines.sort_by(|a, b| a.name.cmp(&b.name)),
        Sort::Tags => lines.sort_by(|a, b| b.tags.cmp(&a.tags).then(a.name.cmp(&b.name))),
        Sort::Pushed => lines.sort_by_key(|l| std::cmp::Reverse(l.last_push)),
    }
    let total_tags: i64 = lines.iter().map(|l| l.tags).sum();
    let total_size: i64 = lines.iter().map(|l| l.size).sum();
    if format == Format::Json {
        output::print_json(&json!({
            "registry": reg.host,
            "repositories": lines,
            "totals": {"repositories": lines.len(), "tags": total_tags, "size": total_size},
        }));
        return Ok(());
    }
    let mut table = Table::new(&["REPOSITORY", ">TAGS", ">SIZE", "LAST PUSH"]);
    for l in &lines {
        table.row(vec![
            l.name.clone(),
            l.tags.to_string(),
            output::size(l.size),
            output::date(l.last_push),
        ]);
    }
    table.row(vec![
        format!(
            "TOTAL ({})",
            output::count(lines.len() as i64, "repository", "repositories")
        ),
        total_tags.to_string(),
        output::size(total_size),
        String::new(),
    ]);
    output::emit(&table.render());
    Ok(())
}

fn in_namespace(name: &str, ns: &str) -> bool {
    ns.is_empty()
        || name == ns
        || name
            .strip_prefix(ns.trim_end_matches('/'))
            .is_some_and(|r| r.starts_with('/'))
}

pub async fn berth_lines(reg: &Registry, ns: &str) -> Result<Vec<RepoLine>> {
    let repos = reg
        .pulp_list("/pulp/api/v3/repositories/container/container-push/?limit=1000&ordering=name")
        .await?;
    let repos: Vec<_> = repos
        .iter()
        .map(berth_repo_of)
        .filter(|r| in_namespace(&r.name, ns))
        .collect();
    futures::stream::iter(repos)
        .map(|r| async move {
            let v: Value = reg.get_json(&r.latest_version).await?;
            Ok(RepoLine {
                tags: v["content_summary"]["present"]["container.tag"]["count"]
                    .as_i64()
                    .unwrap_or(0),
                size: r.stored_bytes,
                last_push: output::parse_date(v["pulp_created"].as_str())
                    .filter(|_| v["number"].as_i64() != Some(0)),
                name: r.name,
            })
        })
        .buffer_unordered(8)
        .try_collect()
        .await
}

pub async fn v2_lines(reg: &Registry, ns: &str) -> Result<Vec<RepoLine>> {
    let names: Vec<String> = images::v2_catalog(reg)
        .await?
        .into_iter()
        .filter(|n| in_namespace(n, ns))
        .collect();
    let mut out = vec![];
    let mut bar = output::Progress::new("repositories", names.len());
    for name in names {
        bar.step(&name);
        let imgs = images::v2_images(reg, &name).await?;
        let mut blobs = std::collections::BTreeMap::new();
        for i in &imgs {
            blobs.extend(i.blobs.iter().map(|(k, v)| (k.clone(), *v)));
        }
        out.push(RepoLine {
            tags: imgs.iter().map(|i| i.tags.len() as i64).sum(),
            size: blobs.values().sum(),
            last_push: imgs.iter().filter_map(|i| i.created).max(),
            name,
        });
    }
    drop(bar);
    Ok(out)
}
