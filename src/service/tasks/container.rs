//! The tasks of plain container repositories: update, delete, and the recursive add and
//! remove their content actions dispatch (`add`, `remove`, `copy_tags`, `copy_manifests`).
//! `tag` and `untag` share the push repositories' task kinds; [`outcome`] names the version
//! they make by the kind of its repository.
use super::outcome::Outcome;
use super::TaskContext;
use crate::error::Result;
use crate::repo::push_repos::PushRepoRow;
use crate::service::container_repos as svc;
use crate::service::housekeeping::retention;
use crate::service::versions::NewVersion;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A plain container repository's task; serialized like [`super::TaskKind`] (`name`, `args`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "args")]
pub enum ContainerTask {
    #[serde(rename = "pulpcore.app.tasks.base.general_update")]
    Update { row: PushRepoRow },
    #[serde(rename = "pulpcore.app.tasks.base.general_delete")]
    Delete { repository: Uuid },
    #[serde(rename = "pulp_container.app.tasks.recursive_add.recursive_add_content")]
    Add {
        repository: Uuid,
        content_units: Vec<Uuid>,
    },
    /// `content_units: None` is Pulp's `["*"]` (everything).
    #[serde(rename = "berth.app.tasks.recursive_remove.recursive_remove_content")]
    Remove {
        repository: Uuid,
        content_units: Option<Vec<Uuid>>,
    },
}

impl ContainerTask {
    pub fn name(&self) -> &'static str {
        match self {
            ContainerTask::Update { .. } => "pulpcore.app.tasks.base.general_update",
            ContainerTask::Delete { .. } => "pulpcore.app.tasks.base.general_delete",
            ContainerTask::Add { .. } => {
                "pulp_container.app.tasks.recursive_add.recursive_add_content"
            }
            ContainerTask::Remove { .. } => {
                "berth.app.tasks.recursive_remove.recursive_remove_content"
            }
        }
    }

    pub async fn run(self, ctx: &TaskContext) -> Result<Outcome> {
        match self {
            ContainerTask::Update { row } => {
                svc::save(&ctx.db, &row).await?;
                retention::apply(&ctx.db, row.id).await?;
                Ok(Outcome::default())
            }
            ContainerTask::Delete { repository } => {
                svc::delete(&ctx.db, repository).await?;
                Ok(Outcome::default())
            }
            ContainerTask::Add {
                repository,
                content_units,
            } => {
                let v = svc::add(&ctx.db, repository, &content_units).await?;
                Ok(Outcome::version_in(repository, v, true))
            }
            ContainerTask::Remove {
                repository,
                content_units,
            } => {
                let v = svc::remove(&ctx.db, repository, content_units.as_deref()).await?;
                Ok(Outcome::version_in(repository, v, true))
            }
        }
    }
}

/// The outcome of a task that made version `v` (if any) of `repo`, of either kind.
pub(super) async fn outcome(
    ctx: &TaskContext,
    repo: Uuid,
    v: Option<NewVersion>,
) -> Result<Outcome> {
    let container = match v {
        Some(_) => crate::repo::container_repos::exists(&ctx.db.conn, repo).await?,
        None => false,
    };
    Ok(Outcome::version_in(repo, v, container))
}
