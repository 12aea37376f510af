//! `berth prune` on berth: the server decides. A temporary, disabled retention policy
//! (`berth-prune-<uuid>`) scoped to the repositories is previewed, run and deleted, so
//! `prune`, the UI and scheduled retention give one answer. No temporary policy is left
//! behind: an interrupt (Ctrl-C, SIGTERM) while the preview, the question or the run is under
//! way deletes it before the command exits (130), and every prune first deletes the
//! temporary policies older than [`STALE_AFTER_MINUTES`] that a killed prune left.
use super::error::{failed, Result};
use super::http::Registry;
use super::images::urlencode;
use super::output::confirm;
use super::prune::{preview_table, removal_question, Outcome, PruneArgs, AFTER_BERTH};
use chrono::Utc;
use serde_json::{json, Value};

/// The prefix of the temporary policies' names.
pub const PREFIX: &str = "berth-prune-";

/// A temporary policy this old belongs to no running prune (a prune that runs longer keeps
/// its policy: only the policy's creation counts, and the server runs a prune in minutes).
pub const STALE_AFTER_MINUTES: i64 = 60;

pub async fn prune(reg: &Registry, pattern: &str, rules: Vec<Value>, a: &PruneArgs) -> Result<()> {
    sweep_stale(reg).await;
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
        "name": format!("{PREFIX}{}", uuid::Uuid::new_v4().simple()),
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
    let result = tokio::select! {
        r = previewed_run(reg, &href, a) => r,
        _ = interrupted() => {
            let _ = reg.pulp_delete(&href).await;
            eprintln!("\nberth: interrupted; the temporary retention policy is deleted");
            // A question may still be reading the terminal on another thread: leave now.
            std::process::exit(130);
        }
    };
    let cleanup = reg.pulp_delete(&href).await;
    let out = result?;
    cleanup?;
    out.print(a.common.output);
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Deletes the temporary policies a killed prune left (best effort: a caller who may not
/// delete them, or a failing server, leaves them for the next prune).
pub async fn sweep_stale(reg: &Registry) {
    let path = format!(
        "/pulp/api/v3/retention_policies/?name__startswith={PREFIX}&enabled=false&limit=100"
    );
    let Ok(list) = reg.get_json(&path).await else {
        return;
    };
    let cutoff = Utc::now() - chrono::Duration::minutes(STALE_AFTER_MINUTES);
    for p in list["results"].as_array().into_iter().flatten() {
        let old = super::output::parse_date(p["pulp_created"].as_str()).is_some_and(|c| c < cutoff);
        if let (true, Some(href)) = (old, p["pulp_href"].as_str()) {
            let _ = reg.pulp_delete(href).await;
        }
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
            after: AFTER_BERTH,
            asked: false,
        });
    }
    if super::prune::asks(a) {
        eprint!("{}", preview_table(&preview, "PUSHED"));
    }
    // The question reads the terminal on a blocking thread, so an interrupt is still seen.
    let (question, yes) = (removal_question(&preview), a.yes);
    tokio::task::spawn_blocking(move || confirm(&question, yes))
        .await
        .map_err(|e| failed(format!("asking: {e}")))??;
    super::output::progress("pruning on the server…");
    let task = reg
        .pulp_post(&format!("{href}run/"), &json!({"dry_run": false}))
        .await?;
    let task = reg
        .wait_task(task["task"].as_str().unwrap_or_default())
        .await;
    super::output::progress_done();
    Ok(Outcome {
        preview,
        run: Some(task?),
        dry_run: false,
        after: AFTER_BERTH,
        asked: super::prune::asks(a),
    })
}
