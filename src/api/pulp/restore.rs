//! `POST {push repository href}restore/` and `POST {container repository href}restore/` (berth
//! extension): 202 with a task (`berth.app.tasks.restore.restore_version`, exclusive on the
//! repository like its other content actions) making a new version equal to an older kept
//! version. Same access as `remove_image` (push) or `remove` (plain); a version of another
//! repository, pruned or unknown is a 400 on `version`, decided here.
use super::body::Body;
use super::caller::{Authenticated, WithBody};
use super::common::task_accepted;
use super::errors::PulpResult;
use crate::service::access::{self, ContainerRepoAction, RepoAction};
use crate::service::{restore as svc, tasks};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::ToSchema;
use uuid::Uuid;

/// Restore an older version of the repository as a new version.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreVersion {
    /// The `pulp_href` of a kept version of this repository.
    #[schema(min_length = 1)]
    pub version: String,
}

impl RestoreVersion {
    pub fn parse(bytes: &[u8]) -> PulpResult<RestoreVersion> {
        let b = Body::parse::<RestoreVersion>(bytes)?;
        Ok(RestoreVersion {
            version: b.required_string("version")?,
        })
    }
}

pub async fn restore(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let r = access::push_repo(&st.db, &c, *id, RepoAction::ModifyContent).await?;
    let RestoreVersion { version } = RestoreVersion::parse(&body)?;
    let number = svc::restorable(&st.db, &r, &version).await?;
    let kind = tasks::TaskKind::RestoreVersion {
        repository: r.id,
        number,
    };
    let task = super::repositories::dispatch(&req, &st, r.id, kind, c.user_id()).await?;
    Ok(task_accepted(task))
}

pub async fn container_restore(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let r = access::container_repo(&st.db, &c, *id, ContainerRepoAction::ModifyContent).await?;
    let RestoreVersion { version } = RestoreVersion::parse(&body)?;
    let number = svc::restorable(&st.db, &r, &version).await?;
    let kind = tasks::TaskKind::RestoreVersion {
        repository: r.id,
        number,
    };
    let task = super::container_repos::dispatch(&req, &st, r.id, kind, c.user_id()).await?;
    Ok(task_accepted(task))
}
