//! What a task is and does. [`TaskKind`] is the payload of every task: its serde form is the
//! task row's `name` (Pulp's task name) and `args` (the arguments as JSON, the same shape rows
//! have always had, so rows written by older versions still run). Each kind has one function
//! here that runs it; the runner calls [`TaskKind::run`].
use super::outcome::{Created, Outcome, ProgressReport};
use super::{TaskContext, TaskState};
use crate::error::{Error, Result};
use crate::repo::distributions::DistributionRow;
use crate::repo::push_repos::PushRepoRow;
use crate::repo::tasks as q;
use crate::service::housekeeping::{orphans, retention};
use crate::service::{distributions, namespaces, push_repos, restore};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

/// A task's payload. Serialized as `{"name": <Pulp task name>, "args": {…}}`; the two halves
/// are stored in the task row's `name` and `args` columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "args")]
pub enum TaskKind {
    #[serde(rename = "pulpcore.app.tasks.base.general_create")]
    Create(Create),
    #[serde(rename = "pulpcore.app.tasks.base.ageneral_update")]
    Update(Update),
    #[serde(rename = "pulpcore.app.tasks.base.general_multi_delete")]
    Delete(Delete),
    #[serde(rename = "pulp_container.app.tasks.recursive_remove.recursive_remove_content")]
    RemoveImage { repository: Uuid, digest: String },
    #[serde(rename = "pulp_container.app.tasks.tag.tag_image")]
    Tag {
        repository: Uuid,
        tag: String,
        digest: String,
    },
    #[serde(rename = "pulp_container.app.tasks.untag.untag_image")]
    Untag { repository: Uuid, tag: String },
    /// berth: removes many tags of `repository` in one new version (the UI's Untag of several
    /// tags, bounded by `push_repos::UNTAG_MANY_MAX`).
    #[serde(rename = "berth.app.tasks.untag.untag_images")]
    UntagMany { repository: Uuid, tags: Vec<String> },
    /// `content`: the content ids to consider (`None`: all). `dry_run` (berth): remove
    /// nothing, report what would go; absent in older rows and left out when false, so real
    /// runs keep the `args` text they always had (coalescing compares it).
    #[serde(rename = "pulpcore.app.tasks.orphan.orphan_cleanup")]
    OrphanCleanup {
        content: Option<Vec<Uuid>>,
        orphan_protection_time: i64,
        #[serde(default, skip_serializing_if = "is_false")]
        dry_run: bool,
    },
    /// berth: a new version of `repository` equal to its version `number`.
    #[serde(rename = "berth.app.tasks.restore.restore_version")]
    RestoreVersion { repository: Uuid, number: i64 },
    /// `owner`: only this user's tasks (`None`: everyone's).
    #[serde(rename = "pulpcore.app.tasks.purge.purge")]
    Purge {
        finished_before: DateTime<Utc>,
        #[serde(default)]
        states: Vec<TaskState>,
        owner: Option<Uuid>,
    },
    /// A retention policy's run (`service::retention::run`).
    #[serde(rename = "berth.app.tasks.retention.run_policy")]
    RetentionRun { policy: Uuid, dry_run: bool },
    /// A plain container repository's task (`super::container`).
    #[serde(untagged)]
    Container(super::container::ContainerTask),
}

/// `general_create`, by the kind of object created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Create {
    Distribution {
        row: DistributionRow,
        owner: Option<Uuid>,
    },
}

/// `ageneral_update`, by the kind of object updated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Update {
    Distribution { row: DistributionRow },
    Repository { row: PushRepoRow },
}

/// `general_multi_delete`, by the kind of object deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Delete {
    Namespace { id: Uuid },
    Distribution { id: Uuid },
}

impl TaskKind {
    /// The task row's `name` and `args`.
    pub fn to_row(&self) -> Result<(&'static str, String)> {
        let bad = |e: String| Error::Internal(format!("task payload: {e}"));
        let Value::Object(mut v) = serde_json::to_value(self).map_err(|e| bad(e.to_string()))?
        else {
            return Err(bad("not an object".into()));
        };
        let args = v.remove("args").unwrap_or(Value::Null).to_string();
        Ok((self.name(), args))
    }

    /// The kind stored as `name` and `args`.
    pub fn from_row(name: &str, args: &str) -> Result<TaskKind> {
        let args: Value = serde_json::from_str(args).unwrap_or(Value::Null);
        serde_json::from_value(json!({"name": name, "args": args}))
            .map_err(|e| Error::Internal(format!("task '{name}': {e}")))
    }

    /// Pulp's task name (the serde tag above).
    pub fn name(&self) -> &'static str {
        match self {
            TaskKind::Create(_) => "pulpcore.app.tasks.base.general_create",
            TaskKind::Update(_) => "pulpcore.app.tasks.base.ageneral_update",
            TaskKind::Delete(_) => "pulpcore.app.tasks.base.general_multi_delete",
            TaskKind::RemoveImage { .. } => {
                "pulp_container.app.tasks.recursive_remove.recursive_remove_content"
            }
            TaskKind::Tag { .. } => "pulp_container.app.tasks.tag.tag_image",
            TaskKind::Untag { .. } => "pulp_container.app.tasks.untag.untag_image",
            TaskKind::UntagMany { .. } => "berth.app.tasks.untag.untag_images",
            TaskKind::OrphanCleanup { .. } => "pulpcore.app.tasks.orphan.orphan_cleanup",
            TaskKind::RestoreVersion { .. } => "berth.app.tasks.restore.restore_version",
            TaskKind::Purge { .. } => "pulpcore.app.tasks.purge.purge",
            TaskKind::RetentionRun { .. } => crate::service::retention::run::TASK_NAME,
            TaskKind::Container(t) => t.name(),
        }
    }

    /// Runs the task.
    pub async fn run(self, ctx: &TaskContext) -> Result<Outcome> {
        match self {
            TaskKind::Create(Create::Distribution { row, owner }) => {
                create_distribution(ctx, row, owner).await
            }
            TaskKind::Update(Update::Distribution { row }) => update_distribution(ctx, row).await,
            TaskKind::Update(Update::Repository { row }) => update_repository(ctx, row).await,
            TaskKind::Delete(Delete::Namespace { id }) => delete_namespace(ctx, id).await,
            TaskKind::Delete(Delete::Distribution { id }) => delete_distribution(ctx, id).await,
            TaskKind::RemoveImage { repository, digest } => {
                remove_image(ctx, repository, &digest).await
            }
            TaskKind::Tag {
                repository,
                tag,
                digest,
            } => tag_image(ctx, repository, &tag, &digest).await,
            TaskKind::Untag { repository, tag } => untag_image(ctx, repository, &tag).await,
            TaskKind::UntagMany { repository, tags } => {
                let v = push_repos::untag_many(&ctx.db, repository, &tags).await?;
                super::container::outcome(ctx, repository, v).await
            }
            TaskKind::OrphanCleanup {
                content,
                orphan_protection_time,
                dry_run,
            } => orphan_cleanup(ctx, content, orphan_protection_time, dry_run).await,
            TaskKind::RestoreVersion { repository, number } => {
                let v = restore::restore(&ctx.db, repository, number).await?;
                super::container::outcome(ctx, repository, v).await
            }
            TaskKind::Purge {
                finished_before,
                states,
                owner,
            } => purge(ctx, finished_before, &states, owner).await,
            TaskKind::RetentionRun { policy, dry_run } => {
                crate::service::retention::run::run(ctx, policy, dry_run).await
            }
            TaskKind::Container(t) => t.run(ctx).await,
        }
    }
}

async fn create_distribution(
    ctx: &TaskContext,
    row: DistributionRow,
    owner: Option<Uuid>,
) -> Result<Outcome> {
    let id = distributions::save(&ctx.db, &row, true, owner).await?;
    Ok(Outcome {
        created: vec![Created::Distribution(id)],
        ..Default::default()
    })
}

async fn update_distribution(ctx: &TaskContext, row: DistributionRow) -> Result<Outcome> {
    distributions::save(&ctx.db, &row, false, None).await?;
    Ok(Outcome::default())
}

/// Stores the repository, then applies its (possibly new) `retain_repo_versions`.
async fn update_repository(ctx: &TaskContext, row: PushRepoRow) -> Result<Outcome> {
    push_repos::save(&ctx.db, &row).await?;
    retention::apply(&ctx.db, row.id).await?;
    Ok(Outcome::default())
}

async fn delete_namespace(ctx: &TaskContext, id: Uuid) -> Result<Outcome> {
    namespaces::delete(&ctx.db, id).await?;
    Ok(Outcome::default())
}

async fn delete_distribution(ctx: &TaskContext, id: Uuid) -> Result<Outcome> {
    distributions::delete(&ctx.db, id).await?;
    Ok(Outcome::default())
}

async fn remove_image(ctx: &TaskContext, repo: Uuid, digest: &str) -> Result<Outcome> {
    let v = push_repos::remove_image(&ctx.db, repo, digest).await?;
    super::container::outcome(ctx, repo, v).await
}

async fn tag_image(ctx: &TaskContext, repo: Uuid, tag: &str, digest: &str) -> Result<Outcome> {
    let v = push_repos::tag(&ctx.db, repo, tag, digest).await?;
    super::container::outcome(ctx, repo, v).await
}

async fn untag_image(ctx: &TaskContext, repo: Uuid, tag: &str) -> Result<Outcome> {
    let v = push_repos::untag(&ctx.db, repo, tag).await?;
    super::container::outcome(ctx, repo, v).await
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A real cleanup, or a dry run (a separate path that only reads); both report the same
/// figures, as progress reports and as the task's `result`.
async fn orphan_cleanup(
    ctx: &TaskContext,
    only: Option<Vec<Uuid>>,
    minutes: i64,
    dry_run: bool,
) -> Result<Outcome> {
    let report = if dry_run {
        orphans::preview(&ctx.db, &ctx.store, minutes, only.as_deref()).await?
    } else {
        orphans::cleanup(&ctx.db, &ctx.store, minutes, only.as_deref(), &|_| {}).await?
    };
    let [content, artifacts, bytes] = match dry_run {
        true => [
            "Would clean up orphan Content",
            "Would clean up orphan Artifacts",
            "Would free bytes",
        ],
        false => [
            "Clean up orphan Content",
            "Clean up orphan Artifacts",
            "Freed bytes",
        ],
    };
    Ok(Outcome {
        progress_reports: vec![
            ProgressReport::completed(content, "clean-up.content", report.content()),
            ProgressReport::completed(artifacts, "clean-up.artifacts", report.artifacts),
            ProgressReport::completed(bytes, "clean-up.bytes", report.bytes),
        ],
        result: Some(json!({
            "dry_run": dry_run,
            "content": {
                "manifests": report.manifests,
                "tags": report.tags,
                "blobs": report.blobs,
            },
            "artifacts": report.artifacts,
            "bytes": report.bytes,
        })),
        ..Default::default()
    })
}

/// Deletes final tasks (and their queue jobs) finished before `before` in `states`.
async fn purge(
    ctx: &TaskContext,
    before: DateTime<Utc>,
    states: &[TaskState],
    owner: Option<Uuid>,
) -> Result<Outcome> {
    let ids = q::purge(&ctx.db.conn, before, states, owner).await?;
    if let Some(queue) = &ctx.queue {
        queue.forget(&ids).await?;
    }
    let n = ids.len() as u64;
    Ok(Outcome {
        progress_reports: vec![ProgressReport::completed(
            "Purged old tasks",
            "purge.tasks.total",
            n,
        )],
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds() -> Vec<TaskKind> {
        let id = Uuid::now_v7();
        vec![
            TaskKind::Delete(Delete::Namespace { id }),
            TaskKind::Delete(Delete::Distribution { id }),
            TaskKind::RemoveImage {
                repository: id,
                digest: "sha256:ab".into(),
            },
            TaskKind::Tag {
                repository: id,
                tag: "t".into(),
                digest: "sha256:ab".into(),
            },
            TaskKind::Untag {
                repository: id,
                tag: "t".into(),
            },
            TaskKind::UntagMany {
                repository: id,
                tags: vec!["t".into(), "u".into()],
            },
            TaskKind::RestoreVersion {
                repository: id,
                number: 3,
            },
            TaskKind::OrphanCleanup {
                content: None,
                orphan_protection_time: 5,
                dry_run: false,
            },
            TaskKind::OrphanCleanup {
                content: None,
                orphan_protection_time: 5,
                dry_run: true,
            },
            TaskKind::Purge {
                finished_before: Utc::now(),
                states: vec![TaskState::Completed, TaskState::Failed],
                owner: Some(id),
            },
            TaskKind::RetentionRun {
                policy: id,
                dry_run: true,
            },
        ]
    }

    #[test]
    fn every_kind_round_trips_through_its_row_under_its_pulp_name() {
        for k in kinds() {
            let (name, args) = k.to_row().unwrap();
            let tagged = serde_json::to_value(&k).unwrap();
            assert_eq!(tagged["name"], name, "name() agrees with the serde tag");
            assert_eq!(TaskKind::from_row(name, &args).unwrap(), k);
        }
    }

    #[test]
    fn rows_written_before_typed_tasks_still_parse() {
        let id = Uuid::now_v7();
        let old = json!({"kind": "namespace", "id": id}).to_string();
        assert_eq!(
            TaskKind::from_row("pulpcore.app.tasks.base.general_multi_delete", &old).unwrap(),
            TaskKind::Delete(Delete::Namespace { id })
        );
        let old = json!({"content": null, "orphan_protection_time": 1440}).to_string();
        let old_cleanup = old.clone();
        let k = TaskKind::OrphanCleanup {
            content: None,
            orphan_protection_time: 1440,
            dry_run: false,
        };
        assert_eq!(
            TaskKind::from_row("pulpcore.app.tasks.orphan.orphan_cleanup", &old).unwrap(),
            k
        );
        // Coalescing compares `args` text with rows written the old way.
        assert_eq!(k.to_row().unwrap().1, old);
        let old = json!({"finished_before": "2026-01-01T00:00:00Z", "states": ["completed"], "owner": null});
        let k = TaskKind::from_row("pulpcore.app.tasks.purge.purge", &old.to_string()).unwrap();
        assert!(
            matches!(k, TaskKind::Purge { ref states, owner: None, .. } if states == &[TaskState::Completed])
        );
        assert!(TaskKind::from_row("pulpcore.app.tasks.nope", "{}").is_err());
        // A dry run never coalesces with a real cleanup.
        let dry = TaskKind::OrphanCleanup {
            content: None,
            orphan_protection_time: 1440,
            dry_run: true,
        };
        assert_ne!(dry.to_row().unwrap().1, old_cleanup);
    }
}
