//! `POST /pulp/api/v3/orphans/cleanup/` and the deprecated `DELETE /pulp/api/v3/orphans/`:
//! superuser only, one at a time (exclusive `pdrn:orphans`), 202 with the task. A request
//! while an equal cleanup is still waiting answers with that task (cleanups do not pile up).
use super::caller::Superuser;
use super::common::{self, task_accepted};
use super::errors::PulpResult;
use crate::error::Error;
use crate::service::auth::Principal;
use crate::service::orphans;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use uuid::Uuid;

async fn dispatch(
    req: &HttpRequest,
    st: &AppState,
    user: &Principal,
    minutes: i64,
    content: Option<Vec<Uuid>>,
) -> PulpResult<HttpResponse> {
    let task = orphans::dispatch(st, minutes, content, Some(user.id), common::cid(req)).await?;
    Ok(task_accepted(crate::domain::hrefs::task(task)))
}

pub async fn cleanup(
    req: HttpRequest,
    st: web::Data<AppState>,
    body: web::Bytes,
    Superuser(user): Superuser,
) -> PulpResult<HttpResponse> {
    let b = common::body(&body, &["content_hrefs", "orphan_protection_time"])?;
    let content = match b.get("content_hrefs") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) if a.is_empty() => {
            return Err(Error::field("content_hrefs", "Must not be [].").into())
        }
        Some(Value::Array(a)) => {
            let mut ids = vec![];
            for h in a {
                let id = h.as_str().and_then(super::content::content_id);
                match id {
                    Some(id) => ids.push(id),
                    None => {
                        return Err(Error::field(
                            "content_hrefs",
                            format!("Could not find the following content units: {h}"),
                        )
                        .into())
                    }
                }
            }
            Some(ids)
        }
        Some(_) => return Err(Error::field("content_hrefs", "Expected a list of items.").into()),
    };
    let minutes = match b.get("orphan_protection_time") {
        None | Some(Value::Null) => st.settings.orphan_protection_minutes as i64,
        Some(v) => match v.as_i64() {
            Some(n) if (0..=4_294_967_295).contains(&n) => n,
            _ => {
                return Err(Error::field(
                    "orphan_protection_time",
                    "Ensure this value is between 0 and 4294967295.",
                )
                .into())
            }
        },
    };
    dispatch(&req, &st, &user, minutes, content).await
}

pub async fn delete(
    req: HttpRequest,
    st: web::Data<AppState>,
    Superuser(user): Superuser,
) -> PulpResult<HttpResponse> {
    let minutes = st.settings.orphan_protection_minutes as i64;
    dispatch(&req, &st, &user, minutes, None).await
}
