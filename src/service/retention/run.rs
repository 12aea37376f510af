//! The retention run task (`berth.app.tasks.retention.run_policy`). A dry run computes the
//! preview and records its totals; a real run records the same totals, then per covered
//! repository re-reads its latest version under the repository's lock, evaluates it again and
//! makes one new version through `versions::apply` (the untagged tags and the removed
//! manifests, recursively with what only they used), and opens the run's undo window
//! (`undo`). Nothing is deleted from storage here.
use super::{engine, snapshot, undo, Totals};
use crate::domain::content::ContentKind;
use crate::domain::hrefs;
use crate::error::{Error, Result};
use crate::repo::retention_policies as policies;
use crate::repo::retention_snapshot as q;
use crate::repo::versions as vq;
use crate::service::tasks::{self, Created, NewTask, Outcome, ProgressReport, TaskContext};
use crate::service::tasks::{TaskKind, TaskState};
use crate::service::versions::{self, Change};
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

/// The task name schedules dispatch retention runs by.
pub const TASK_NAME: &str = "berth.app.tasks.retention.run_policy";

/// The exclusive resource of a policy's runs: one at a time.
pub fn policy_lock(policy: Uuid) -> String {
    format!("pdrn:retention-policy:{policy}")
}

/// The exclusive resource of a repository's tasks, as its own actions name it.
fn repo_lock(r: &snapshot::RepoRef) -> String {
    let model = match r.is_container() {
        true => hrefs::CONTAINER_REPOSITORY_MODEL,
        false => hrefs::PUSH_REPOSITORY_MODEL,
    };
    hrefs::prn(model, r.id)
}

/// Dispatches a run of `policy`; a real run also holds the repositories it covers now.
pub async fn dispatch_run(
    ctx: &TaskContext,
    policy: Uuid,
    dry_run: bool,
    created_by: Option<Uuid>,
) -> Result<Uuid> {
    dispatch_with_cid(
        ctx,
        policy,
        dry_run,
        created_by,
        Uuid::now_v7().simple().to_string(),
    )
    .await
}

/// [`dispatch_run`] with the request's correlation id.
pub async fn dispatch_with_cid(
    ctx: &TaskContext,
    policy: Uuid,
    dry_run: bool,
    created_by: Option<Uuid>,
    logging_cid: String,
) -> Result<Uuid> {
    let mut exclusive = vec![policy_lock(policy)];
    if !dry_run {
        let row = policies::get(&ctx.db.conn, policy)
            .await?
            .ok_or_else(|| Error::NotFound("retention policy".into()))?;
        let checked = super::checked(&row)?;
        for r in snapshot::covered(&ctx.db.conn, &checked, row.namespace_id).await? {
            exclusive.push(repo_lock(&r));
        }
    }
    tasks::dispatch(
        ctx,
        NewTask {
            kind: TaskKind::RetentionRun { policy, dry_run },
            exclusive,
            created_by,
            logging_cid,
        },
    )
    .await
}

/// Task body.
pub async fn run(ctx: &TaskContext, policy: Uuid, dry_run: bool) -> Result<Outcome> {
    let row = policies::get(&ctx.db.conn, policy)
        .await?
        .ok_or_else(|| Error::NotFound("retention policy".into()))?;
    let now = Utc::now();
    let preview = super::preview(&ctx.db.conn, &row, 0, now).await?;
    let mut created = vec![];
    let mut skipped = vec![];
    if !dry_run {
        let checked = super::checked(&row)?;
        for repo in snapshot::covered(&ctx.db.conn, &checked, row.namespace_id).await? {
            let started = std::time::Instant::now();
            let txn = ctx.db.begin_write().await?;
            // Lock first, then read: a push cannot slip between the decision and the version.
            match vq::lock(&*txn, repo.id).await {
                Ok(_) => {}
                // Deleted since it was listed: nothing to do there.
                Err(sea_orm::DbErr::RecordNotFound(_)) => continue,
                Err(e) => return Err(e.into()),
            }
            let s = snapshot::load(&*txn, repo.id).await?;
            let d = engine::evaluate(&checked, &s, now);
            if let Some(why) = d.skipped {
                skipped.push(json!({"name": repo.name, "skipped": why}));
                continue;
            }
            let mut remove: Vec<(Uuid, ContentKind)> = d
                .untagged(&s)
                .into_iter()
                .map(|t| (s.tags[t].id, ContentKind::Tag))
                .collect();
            let mut pending = vec![];
            for m in d.removed_manifests() {
                let man = &s.manifests[m];
                if man.pending {
                    pending.push(man.id);
                } else {
                    remove.push((man.id, ContentKind::Manifest));
                }
            }
            if remove.is_empty() && pending.is_empty() {
                continue;
            }
            q::drop_pending(&*txn, repo.id, &pending).await?;
            let decided = started.elapsed();
            let removals = remove.len();
            let change = Change {
                remove,
                recursive: true,
                ..Default::default()
            };
            let applied = versions::apply(&*txn, repo.id, change).await?;
            tracing::info!(
                repository = %repo.name,
                removals,
                decide_ms = decided.as_millis() as u64,
                total_ms = started.elapsed().as_millis() as u64,
                "retention run applied"
            );
            if let Some(v) = applied {
                undo::open(&*txn, repo.id, v.number, checked.undo_window, now).await?;
                created.push(match repo.is_container() {
                    true => Created::ContainerVersion {
                        repository: repo.id,
                        version: v,
                    },
                    false => Created::Version {
                        repository: repo.id,
                        version: v,
                    },
                });
            }
            txn.commit().await?;
        }
    }
    Ok(outcome(preview.totals, dry_run, created, skipped))
}

fn outcome(
    t: Totals,
    dry_run: bool,
    created: Vec<Created>,
    skipped: Vec<serde_json::Value>,
) -> Outcome {
    let report = |message, code, n: u64| ProgressReport {
        message,
        code,
        state: TaskState::Completed,
        total: n,
        done: n,
        suffix: None,
    };
    let versions = created.len() as u64;
    Outcome {
        created,
        progress_reports: vec![
            report(
                "Repositories covered",
                "retention.repositories",
                t.repositories,
            ),
            report("Tags removed", "retention.tags_removed", t.tags_removed),
            report(
                "Manifests removed",
                "retention.manifests_removed",
                t.manifests_removed,
            ),
            report(
                "Bytes freed",
                "retention.bytes_freed",
                t.bytes_freed.max(0) as u64,
            ),
            report("Versions created", "retention.versions_created", versions),
        ],
        result: Some(json!({
            "dry_run": dry_run,
            "totals": t,
            "versions_created": versions,
            "skipped": skipped,
        })),
    }
}
