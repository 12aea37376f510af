//! `berth tags REPO [--sort pushed|name] [--include RE] [--exclude RE]`: the tags grouped by
//! image (digest), with size, pushed (berth) and created dates, and platforms.
use super::error::{usage, Result};
use super::http::Registry;
use super::images::{self, Image};
use super::output::{self, Format, Table};
use regex::Regex;
use serde_json::json;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Sort {
    Pushed,
    Name,
}

/// `--include` / `--exclude`, anchored at both ends as regctl does.
pub struct Filter {
    include: Option<Regex>,
    exclude: Option<Regex>,
}

impl Filter {
    pub fn new(include: Option<&str>, exclude: Option<&str>) -> Result<Filter> {
        let re = |p: &str| {
            Regex::new(&format!("^(?:{p})$"))
                .map_err(|e| usage(format!("'{p}' is not a regular expression: {e}")))
        };
        Ok(Filter {
            include: include.map(re).transpose()?,
            exclude: exclude.map(re).transpose()?,
        })
    }

    pub fn keeps(&self, tag: &str) -> bool {
        self.include.as_ref().is_none_or(|r| r.is_match(tag))
            && !self.exclude.as_ref().is_some_and(|r| r.is_match(tag))
    }
}

/// The images of `name` (berth or plain registry).
pub async fn load(reg: &Registry, berth: bool, name: &str) -> Result<Vec<Image>> {
    if berth {
        let repo = images::berth_repo(reg, name).await?;
        images::berth_images(reg, &repo).await
    } else {
        images::v2_images(reg, name).await
    }
}

pub async fn run(repo: &str, sort: Sort, filter: &Filter, format: Format) -> Result<()> {
    let t = super::refs::parse(Some(repo))?;
    if t.name.is_empty() {
        return Err(usage("name a repository: REGISTRY/NAME"));
    }
    let (reg, berth) = super::connect(&t.registry).await?;
    let mut imgs = load(&reg, berth, &t.name).await?;
    for i in &mut imgs {
        i.tags.retain(|tag| filter.keeps(tag));
    }
    let filtered = filter.include.is_some() || filter.exclude.is_some();
    imgs.retain(|i| !(filtered && i.tags.is_empty()));
    match sort {
        Sort::Pushed => imgs.sort_by(|a, b| {
            (b.pushed.or(b.created), &a.tags).cmp(&(a.pushed.or(a.created), &b.tags))
        }),
        Sort::Name => imgs.sort_by(|a, b| a.tags.first().cmp(&b.tags.first())),
    }
    if format == Format::Json {
        output::print_json(&json!({"registry": reg.host, "repository": t.name, "images": imgs}));
        return Ok(());
    }
    let table = images_table(&imgs);
    output::emit(&table.render());
    let tags: usize = imgs.iter().map(|i| i.tags.len()).sum();
    outln!(
        "{}, {}",
        output::count(imgs.len() as i64, "image", "images"),
        output::count(tags as i64, "tag", "tags")
    );
    Ok(())
}

/// Images numbered from 1, with tags, digest, size, dates and platforms; a date column no
/// image has (berth knows push dates, `/v2/` only creation dates) is left out.
pub fn images_table(imgs: &[Image]) -> Table {
    let pushed = imgs.iter().any(|i| i.pushed.is_some());
    let created = imgs.iter().any(|i| i.created.is_some());
    let mut head = vec![">#", "TAGS", "DIGEST", ">SIZE"];
    head.extend(pushed.then_some("PUSHED"));
    head.extend(created.then_some("CREATED"));
    head.push("PLATFORMS");
    let mut table = Table::new(&head);
    for (n, i) in imgs.iter().enumerate() {
        let tags = if i.tags.is_empty() {
            "<untagged>".to_string()
        } else {
            i.tags.join(", ")
        };
        let mut row = vec![
            (n + 1).to_string(),
            tags,
            short(&i.digest),
            output::size(i.size),
        ];
        row.extend(pushed.then(|| output::date(i.pushed)));
        row.extend(created.then(|| output::date(i.created)));
        row.push(i.platforms.join(","));
        table.row(row);
    }
    table
}

/// `sha256:0123456789ab` (12 hex digits).
pub fn short(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) => format!("{alg}:{}", &hex[..hex.len().min(12)]),
        None => digest.to_string(),
    }
}
