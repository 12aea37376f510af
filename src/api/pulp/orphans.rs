//! `POST /pulp/api/v3/orphans/cleanup/` and the deprecated `DELETE /pulp/api/v3/orphans/`:
//! superuser only, one at a time (exclusive `pdrn:orphans`), 202 with the task. A request
//! while an equal cleanup is still waiting answers with that task (cleanups do not pile up).
//! `dry_run` (berth extension): the task removes nothing and reports what a cleanup would.
use super::body::Body;
use super::caller::{Superuser, WithBody};
use super::common::{self, task_accepted};
use super::errors::PulpResult;
use crate::error::field_errors as fe;
use crate::service::auth::Principal;
use crate::service::housekeeping::orphans;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

async fn dispatch(
    req: &HttpRequest,
    st: &AppState,
    user: &Principal,
    minutes: i64,
    content: Option<Vec<Uuid>>,
    dry_run: bool,
) -> PulpResult<HttpResponse> {
    let task = orphans::dispatch_run(
        &st.tasks,
        minutes,
        content,
        dry_run,
        Some(user.id),
        common::cid(req),
    )
    .await?;
    Ok(task_accepted(crate::domain::hrefs::task(task)))
}

pub async fn cleanup(
    req: HttpRequest,
    st: web::Data<AppState>,
    WithBody(Superuser(user), body): WithBody<Superuser>,
) -> PulpResult<HttpResponse> {
    let OrphansCleanup {
        content_hrefs,
        orphan_protection_time,
        dry_run,
    } = OrphansCleanup::parse(&body)?;
    let content = content_hrefs.map(|hrefs| {
        hrefs
            .iter()
            .filter_map(|h| super::content::content_id(h))
            .collect()
    });
    let minutes = orphan_protection_time.unwrap_or(st.settings.orphan_protection_minutes as i64);
    dispatch(&req, &st, &user, minutes, content, dry_run.unwrap_or(false)).await
}

/// Remove unreferenced content and blobs.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrphansCleanup {
    pub content_hrefs: Option<Vec<String>>,
    #[schema(minimum = 0)]
    pub orphan_protection_time: Option<i64>,
    /// berth: remove nothing; the task reports (progress reports and `result`) the content
    /// units, artifacts and bytes a cleanup would remove. Absent or null means false (no
    /// `default` in the schema: openapi-typescript would make a field with one required).
    pub dry_run: Option<bool>,
}

impl OrphansCleanup {
    fn parse(bytes: &[u8]) -> PulpResult<OrphansCleanup> {
        let b = Body::parse::<OrphansCleanup>(bytes)?;
        let content_hrefs = match b.get("content_hrefs") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) if a.is_empty() => {
                return Err(fe::field("content_hrefs", "Must not be [].").into())
            }
            // Every href must name a content unit (checked in order, as Pulp reports them).
            Some(Value::Array(a)) => Some(
                a.iter()
                    .map(|h| {
                        match h
                            .as_str()
                            .filter(|s| super::content::content_id(s).is_some())
                        {
                            Some(s) => Ok(s.to_string()),
                            None => Err(fe::field(
                                "content_hrefs",
                                format!("Could not find the following content units: {h}"),
                            )),
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(_) => return Err(fe::field("content_hrefs", fe::NOT_LIST).into()),
        };
        let orphan_protection_time = match b.get("orphan_protection_time") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(n) if (0..=4_294_967_295).contains(&n) => Some(n),
                _ => {
                    return Err(fe::field(
                        "orphan_protection_time",
                        "Ensure this value is between 0 and 4294967295.",
                    )
                    .into())
                }
            },
        };
        let dry_run = b.boolean("dry_run")?;
        Ok(OrphansCleanup {
            content_hrefs,
            orphan_protection_time,
            dry_run,
        })
    }
}

pub async fn delete(
    req: HttpRequest,
    st: web::Data<AppState>,
    Superuser(user): Superuser,
) -> PulpResult<HttpResponse> {
    let minutes = st.settings.orphan_protection_minutes as i64;
    dispatch(&req, &st, &user, minutes, None, false).await
}
