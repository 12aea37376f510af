//! What each management task does, by Pulp task name: the bodies of creates, updates, deletes,
//! `remove_image`, `tag`, `untag` and orphan cleanup. The task runner calls [`execute`].
use super::{distributions, namespaces, orphans, push_repos};
use crate::domain::hrefs;
use crate::error::{Error, Result};
use crate::repo::distributions::DistributionRow;
use crate::repo::push_repos::PushRepoRow;
use crate::state::AppState;
use serde_json::{json, Value};
use uuid::Uuid;

pub const GENERAL_MULTI_DELETE: &str = "pulpcore.app.tasks.base.general_multi_delete";
pub const GENERAL_CREATE: &str = "pulpcore.app.tasks.base.general_create";
pub const GENERAL_UPDATE: &str = "pulpcore.app.tasks.base.ageneral_update";
pub const REMOVE_IMAGE: &str = "pulp_container.app.tasks.recursive_remove.recursive_remove_content";
pub const TAG: &str = "pulp_container.app.tasks.tag.tag_image";
pub const UNTAG: &str = "pulp_container.app.tasks.untag.untag_image";
pub const ORPHAN_CLEANUP: &str = "pulpcore.app.tasks.orphan.orphan_cleanup";

/// What a finished task reports.
#[derive(Debug, Default)]
pub struct Outcome {
    pub created_resources: Vec<String>,
    pub result: Option<Value>,
    pub progress_reports: Vec<Value>,
}

fn arg<T: serde::de::DeserializeOwned>(args: &Value, key: &str) -> Result<T> {
    serde_json::from_value(args.get(key).cloned().unwrap_or(Value::Null))
        .map_err(|e| Error::Internal(format!("task argument '{key}': {e}")))
}

fn version_created(repo: Uuid, n: Option<i64>) -> Outcome {
    Outcome {
        created_resources: n.map(|n| hrefs::version(repo, n)).into_iter().collect(),
        ..Default::default()
    }
}

/// Runs the task `name` with `args`; `Ok(None)` when the name is not one of these.
pub async fn execute(state: &AppState, name: &str, args: &Value) -> Result<Option<Outcome>> {
    let db = &state.db;
    let kind: Option<String> = args
        .get("kind")
        .and_then(|k| k.as_str())
        .map(str::to_string);
    let outcome = match (name, kind.as_deref()) {
        (GENERAL_MULTI_DELETE, Some("namespace")) => {
            namespaces::delete(db, arg(args, "id")?).await?;
            Outcome::default()
        }
        (GENERAL_MULTI_DELETE, Some("distribution")) => {
            distributions::delete(db, arg(args, "id")?).await?;
            Outcome::default()
        }
        (GENERAL_CREATE, Some("distribution")) => {
            let row: DistributionRow = arg(args, "row")?;
            let owner: Option<Uuid> = args
                .get("owner")
                .and_then(|v| serde_json::from_value(v.clone()).ok());
            let id = distributions::save(db, &row, true, owner).await?;
            Outcome {
                created_resources: vec![hrefs::distribution(id)],
                ..Default::default()
            }
        }
        (GENERAL_UPDATE, Some("distribution")) => {
            let row: DistributionRow = arg(args, "row")?;
            distributions::save(db, &row, false, None).await?;
            Outcome::default()
        }
        (GENERAL_UPDATE, Some("repository")) => {
            let row: PushRepoRow = arg(args, "row")?;
            push_repos::save(db, &row).await?;
            super::retention::apply(db, row.id).await?;
            Outcome::default()
        }
        (REMOVE_IMAGE, _) => {
            let repo: Uuid = arg(args, "repository")?;
            let digest: String = arg(args, "digest")?;
            let n = push_repos::remove_image(db, repo, &digest).await?;
            version_created(repo, n)
        }
        (TAG, _) => {
            let repo: Uuid = arg(args, "repository")?;
            let n = push_repos::tag(
                db,
                repo,
                &arg::<String>(args, "tag")?,
                &arg::<String>(args, "digest")?,
            )
            .await?;
            version_created(repo, n)
        }
        (UNTAG, _) => {
            let repo: Uuid = arg(args, "repository")?;
            let n = push_repos::untag(db, repo, &arg::<String>(args, "tag")?).await?;
            version_created(repo, n)
        }
        (ORPHAN_CLEANUP, _) => {
            let minutes: i64 = arg(args, "orphan_protection_time")?;
            let only: Option<Vec<Uuid>> = arg(args, "content")?;
            let report =
                orphans::cleanup(db, &state.store, minutes, only.as_deref(), &|_| {}).await?;
            Outcome {
                progress_reports: vec![
                    json!({"message": "Clean up orphan Content", "code": "clean-up.content", "state": "completed",
                           "total": report.content, "done": report.content, "suffix": null}),
                    json!({"message": "Clean up orphan Artifacts", "code": "clean-up.artifacts", "state": "completed",
                           "total": report.artifacts, "done": report.artifacts, "suffix": null}),
                ],
                ..Default::default()
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(outcome))
}
