//! `berth gc [REGISTRY] [--dry-run] [--wait]`: berth's orphan cleanup (content no repository
//! version holds and the blobs only it used), with what it removed or would remove and the
//! bytes, from the task's `result`. `berth tasks [REGISTRY] [--wait HREF]`: recent tasks, or
//! one task followed until it is final.
use super::error::{usage, ClientError, Result};
use super::http::Registry;
use super::output::{self, confirm, Format, Table};
use crate::domain::retention::Span;
use serde_json::{json, Value};

async fn berth(registry: Option<&str>) -> Result<Registry> {
    let t = super::refs::parse(registry)?;
    if !t.name.is_empty() {
        return Err(usage(format!(
            "'{}' is a registry, not a repository",
            t.registry
        )));
    }
    let (reg, berth) = super::connect(&t.registry).await?;
    if !berth {
        return Err(ClientError::Unsupported(format!(
            "{} is not berth: its garbage collection runs on the server (distribution: `registry garbage-collect --delete-untagged config.yml` with the registry read-only)",
            reg.host
        )));
    }
    Ok(reg)
}

pub async fn gc(
    registry: Option<&str>,
    dry_run: bool,
    wait: bool,
    yes: bool,
    grace: Option<Span>,
    f: Format,
) -> Result<()> {
    let reg = berth(registry).await?;
    if !dry_run {
        confirm(
            &format!("Remove the unreferenced content and blobs of {}?", reg.host),
            yes,
        )?;
    }
    let mut body = json!({ "dry_run": dry_run });
    if let Some(g) = grace {
        body["orphan_protection_time"] = json!(g.seconds() / 60);
    }
    let task = reg
        .pulp_post("/pulp/api/v3/orphans/cleanup/", &body)
        .await?;
    let href = task["task"].as_str().unwrap_or_default().to_string();
    if !(wait || dry_run) {
        if f == Format::Json {
            output::print_json(&json!({ "task": href }));
        } else {
            outln!(
                "cleanup started: {href} (follow it with: berth tasks {} --wait {href})",
                reg.host
            );
        }
        return Ok(());
    }
    let t = reg.wait_task(&href).await?;
    let r = &t["result"];
    if f == Format::Json {
        output::print_json(&json!({ "task": href, "dry_run": dry_run, "result": r }));
        return Ok(());
    }
    let c = &r["content"];
    let n = |v: &Value| v.as_i64().unwrap_or(0);
    if n(&c["manifests"]) + n(&c["tags"]) + n(&c["blobs"]) + n(&r["artifacts"]) == 0 {
        outln!(
            "{} nothing: content a repository version still holds, or younger than the grace period (--grace, 24h by default), stays",
            if dry_run { "would remove" } else { "removed" }
        );
        return Ok(());
    }
    outln!(
        "{} {}, {}, {} ({}): {}",
        if dry_run { "would remove" } else { "removed" },
        output::count(n(&c["manifests"]), "manifest", "manifests"),
        output::count(n(&c["tags"]), "tag", "tags"),
        output::count(n(&c["blobs"]), "blob", "blobs"),
        output::count(n(&r["artifacts"]), "stored file", "stored files"),
        output::size(n(&r["bytes"]))
    );
    Ok(())
}

pub async fn tasks(registry: Option<&str>, wait: Option<&str>, f: Format) -> Result<()> {
    let reg = berth(registry).await?;
    let list: Vec<Value> = match wait {
        Some(href) => {
            vec![reg.wait_task(href).await?]
        }
        None => reg
            .get_json("/pulp/api/v3/tasks/?limit=20&ordering=-pulp_created")
            .await?["results"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    };
    if f == Format::Json {
        output::print_json(&json!({ "tasks": list }));
        return Ok(());
    }
    let mut t = Table::new(&["STATE", "NAME", "CREATED", "FINISHED", "TASK"]);
    for x in &list {
        let s = |k: &str| x[k].as_str().unwrap_or_default().to_string();
        t.row(vec![
            s("state"),
            s("name"),
            output::date(output::parse_date(x["pulp_created"].as_str())),
            output::date(output::parse_date(x["finished_at"].as_str())),
            s("pulp_href"),
        ]);
    }
    output::emit(&t.render());
    Ok(())
}
