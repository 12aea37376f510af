//! The content actions of a plain container repository (each a task, 202): `add/` and
//! `remove/` (Pulp's recursive add and remove of content units by href; `["*"]` removes
//! everything), `tag/` and `untag/`, `copy_tags/` and `copy_manifests/` (from the latest
//! version of a push or plain repository, or from one of its versions).
use super::body::Body;
use super::caller::{Authenticated, WithBody};
use super::common::task_accepted;
use super::container_repos::{dispatch, dispatch_with};
use super::errors::PulpResult;
use super::repository_actions::{TagImage, UnTagImage};
use crate::domain::hrefs;
use crate::domain::media_types as mt;
use crate::error::field_errors as fe;
use crate::service::access::{self, ContainerRepoAction as A, RepoAction};
use crate::service::container_repos::{self as svc, Source, MAX_UNITS};
use crate::service::policy::Caller;
use crate::service::tasks::{ContainerTask, TaskKind};
use crate::service::{lists, push_repos};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::ToSchema;
use uuid::Uuid;

/// Content units to add or remove, by href (`["*"]` alone: remove everything).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = RecursiveManage)]
pub struct RecursiveManage {
    pub content_units: Option<Vec<String>>,
}

/// Tags to copy from a repository (its latest version) or from a repository version.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = TagCopy)]
pub struct TagCopy {
    pub source_repository: Option<String>,
    pub source_repository_version: Option<String>,
    /// Only the tags of these names (all when absent).
    pub names: Option<Vec<String>>,
}

/// Manifests to copy from a repository (its latest version) or from a repository version.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = ManifestCopy)]
pub struct ManifestCopy {
    pub source_repository: Option<String>,
    pub source_repository_version: Option<String>,
    /// Only the manifests of these digests.
    pub digests: Option<Vec<String>>,
    /// Only the manifests of these media types.
    pub media_types: Option<Vec<String>>,
}

const COPYABLE_MEDIA_TYPES: &[&str] = &[
    mt::DOCKER_MANIFEST_V1,
    mt::DOCKER_MANIFEST_V2,
    mt::OCI_MANIFEST,
    mt::DOCKER_MANIFEST_LIST,
    mt::OCI_INDEX,
];

/// The content ids of `content_units` (`None` for `["*"]`), each checked to exist.
async fn units(
    st: &AppState,
    hrefs_given: Vec<String>,
    remove: bool,
) -> PulpResult<Option<Vec<Uuid>>> {
    if hrefs_given.iter().any(|h| h == "*") {
        // As Pulp: `"*"` means everything, only alone, and only to remove.
        return match (remove, hrefs_given.len()) {
            (true, 1) => Ok(None),
            (true, _) => Err(fe::field(
                "content_units",
                "'*' should be the only item present in the content_units",
            )
            .into()),
            (false, _) => Err(fe::field(
                "content_units",
                "'*' removes every content unit; it cannot be added",
            )
            .into()),
        };
    }
    let mut units = Vec::new();
    for h in hrefs_given {
        match hrefs::content_id(&h) {
            Some((_, id)) => units.push((id, h)),
            None => {
                return Err(fe::non_field(format!(
                    "Could not find the following content units: ['{h}']"
                ))
                .into())
            }
        }
    }
    svc::check_units(&st.db, &units).await?;
    Ok(Some(units.into_iter().map(|(id, _)| id).collect()))
}

async fn manage(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: Uuid,
    c: Caller,
    body: web::Bytes,
    remove: bool,
) -> PulpResult<HttpResponse> {
    let r = access::container_repo(&st.db, &c, id, A::ModifyContent).await?;
    let b = Body::parse::<RecursiveManage>(&body)?;
    let given = b
        .string_list("content_units", MAX_UNITS)?
        .unwrap_or_default();
    let content_units = units(&st, given, remove).await?;
    let task = match remove {
        true => ContainerTask::Remove {
            repository: r.id,
            content_units,
        },
        false => ContainerTask::Add {
            repository: r.id,
            content_units: content_units.unwrap_or_default(),
        },
    };
    let href = dispatch(&req, &st, r.id, TaskKind::Container(task), c.user_id()).await?;
    Ok(task_accepted(href))
}

pub async fn add(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    manage(req, st, *id, c, body, false).await
}

pub async fn remove(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    manage(req, st, *id, c, body, true).await
}

pub async fn tag(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let r = access::container_repo(&st.db, &c, *id, A::ModifyContent).await?;
    let TagImage { tag, digest } = TagImage::parse(&body)?;
    push_repos::manifest_in_latest(&st.db, &r, &digest).await?;
    let kind = TaskKind::Tag {
        repository: r.id,
        tag,
        digest,
    };
    Ok(task_accepted(
        dispatch(&req, &st, r.id, kind, c.user_id()).await?,
    ))
}

pub async fn untag(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let r = access::container_repo(&st.db, &c, *id, A::ModifyContent).await?;
    let UnTagImage { tag } = UnTagImage::parse(&body)?;
    push_repos::existing_tag(&st.db, &r, &tag).await?;
    let kind = TaskKind::Untag {
        repository: r.id,
        tag,
    };
    Ok(task_accepted(
        dispatch(&req, &st, r.id, kind, c.user_id()).await?,
    ))
}

/// The source a copy names, which the caller must be able to read (else it names nothing),
/// and the PRN its task locks.
async fn source(st: &AppState, c: &Caller, b: &Body) -> PulpResult<(Source, String)> {
    let repo = b.string("source_repository")?;
    let version = b.string("source_repository_version")?;
    let (id, number) = match (repo, version) {
        (None, None) => {
            return Err(fe::non_field(
                "Either source_repository or source_repository_version have to be specified.",
            )
            .into())
        }
        (Some(_), Some(_)) => {
            return Err(fe::non_field(
                "Either source_repository or source_repository_version can be specified.",
            )
            .into())
        }
        (Some(h), None) => {
            let id = hrefs::parse_id(&h, super::repositories::PREFIX, super::repositories::PRN)
                .or_else(|| {
                    hrefs::parse_id(
                        &h,
                        super::container_repos::PREFIX,
                        super::container_repos::PRN,
                    )
                })
                .ok_or_else(|| fe::field("source_repository", fe::NO_OBJECT))?;
            (id, None)
        }
        (None, Some(h)) => {
            let (id, n) = super::content::version_ref(&h)
                .ok_or_else(|| fe::field("source_repository_version", fe::NO_OBJECT))?;
            (id, Some(n))
        }
    };
    let field = match number {
        Some(_) => "source_repository_version",
        None => "source_repository",
    };
    let readable = match access::container_repo(&st.db, c, id, A::View).await {
        Ok(r) => Some((r, true)),
        Err(_) => access::push_repo(&st.db, c, id, RepoAction::View)
            .await
            .ok()
            .map(|r| (r, false)),
    };
    let (r, container) = readable.ok_or_else(|| fe::field(field, fe::NO_OBJECT))?;
    let number = number.unwrap_or(r.latest_version);
    let exists = match container {
        true => lists::container_version(&st.db, c, id, number)
            .await
            .is_ok(),
        false => lists::version(&st.db, c, id, number).await.is_ok(),
    };
    if !exists {
        return Err(fe::field(field, fe::NO_OBJECT).into());
    }
    let prn = match container {
        true => hrefs::prn(super::container_repos::PRN, id),
        false => hrefs::prn(super::repositories::PRN, id),
    };
    Ok((
        Source {
            repository: id,
            number,
        },
        prn,
    ))
}

pub async fn copy_tags(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let r = access::container_repo(&st.db, &c, *id, A::ModifyContent).await?;
    let b = Body::parse::<TagCopy>(&body)?;
    let names = b.string_list("names", MAX_UNITS)?;
    let (src, prn) = source(&st, &c, &b).await?;
    let content_units = svc::tags_to_copy(&st.db, &src, names.as_deref()).await?;
    let kind = TaskKind::Container(ContainerTask::Add {
        repository: r.id,
        content_units,
    });
    let href = dispatch_with(&req, &st, r.id, Some(prn), kind, c.user_id()).await?;
    Ok(task_accepted(href))
}

pub async fn copy_manifests(
    req: HttpRequest,
    st: web::Data<AppState>,
    id: web::Path<Uuid>,
    WithBody(Authenticated(c), body): WithBody<Authenticated>,
) -> PulpResult<HttpResponse> {
    let r = access::container_repo(&st.db, &c, *id, A::ModifyContent).await?;
    let b = Body::parse::<ManifestCopy>(&body)?;
    let digests = b.string_list("digests", MAX_UNITS)?;
    let media_types = b.string_list("media_types", MAX_UNITS)?;
    if let Some(bad) = media_types
        .iter()
        .flatten()
        .find(|m| !COPYABLE_MEDIA_TYPES.contains(&m.as_str()))
    {
        return Err(fe::field("media_types", format!("\"{bad}\" is not a valid choice.")).into());
    }
    let (src, prn) = source(&st, &c, &b).await?;
    let content_units =
        svc::manifests_to_copy(&st.db, &src, digests.as_deref(), media_types.as_deref()).await?;
    let kind = TaskKind::Container(ContainerTask::Add {
        repository: r.id,
        content_units,
    });
    let href = dispatch_with(&req, &st, r.id, Some(prn), kind, c.user_id()).await?;
    Ok(task_accepted(href))
}
