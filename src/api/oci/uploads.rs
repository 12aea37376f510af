//! Blob upload endpoints: `POST /v2/<name>/blobs/uploads/` (session, monolithic, mount) and
//! `PATCH|PUT|GET|HEAD|DELETE /v2/<name>/blobs/uploads/<id>`.
use super::errors::{OciError, OciResult};
use super::listing::{param, query};
use super::path::{digest, UploadRef};
use crate::domain::name::RepoName;
use crate::error::Error;
use crate::service::uploads::{self as svc, MountOutcome, Session};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

fn range_header(offset: u64) -> String {
    format!("0-{}", offset.saturating_sub(1))
}

fn session_response(
    mut res: actix_web::HttpResponseBuilder,
    name: &RepoName,
    s: &Session,
) -> HttpResponse {
    res.insert_header((
        header::LOCATION,
        format!("/v2/{name}/blobs/uploads/{}", s.id),
    ))
    .insert_header(("Docker-Upload-UUID", s.id.to_string()))
    .insert_header((header::RANGE, range_header(s.offset)))
    .insert_header((header::CONTENT_LENGTH, "0"));
    res.finish()
}

fn blob_created(name: &RepoName, d: &crate::domain::digest::Digest) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v2/{name}/blobs/{d}")))
        .insert_header(("Docker-Content-Digest", d.to_string()))
        .insert_header((header::CONTENT_LENGTH, "0"))
        .finish()
}

pub async fn start(
    req: &HttpRequest,
    st: &AppState,
    who: &super::auth::RegistryCaller,
    name: &RepoName,
    body: web::Payload,
) -> OciResult<HttpResponse> {
    let q = query(req);
    let by = svc::Opener {
        user: who.caller.user_id(),
        max_sessions: st.settings.max_uploads_per_user,
    };
    if let Some(mount) = param(&q, "mount") {
        let d = digest(mount)?;
        let from = match param(&q, "from") {
            Some(f) => Some(
                RepoName::parse(f)
                    .ok_or_else(|| Error::NameInvalid(f.chars().take(300).collect()))?,
            ),
            None => None,
        };
        // A source the caller may not pull is treated as not mountable: a new session.
        let from = match from {
            Some(f) if who.may_pull(st, f.as_str()).await? => Some(f),
            _ => None,
        };
        return match svc::mount(&st.db, name, &d, from.as_ref(), by).await? {
            MountOutcome::Mounted(d) => Ok(blob_created(name, &d)),
            MountOutcome::Session(s) => Ok(session_response(HttpResponse::Accepted(), name, &s)),
        };
    }
    if let Some(dg) = param(&q, "digest") {
        let d = digest(dg)?;
        svc::monolithic(&st.db, &st.store, name, &d, body, st.settings.blob_limit()).await?;
        return Ok(blob_created(name, &d));
    }
    let s = svc::start(&st.db, name, by).await?;
    Ok(session_response(HttpResponse::Accepted(), name, &s))
}

/// `Content-Range: <start>-<end>` (a `bytes ` prefix is tolerated).
fn content_range(req: &HttpRequest) -> Result<Option<(u64, u64)>, Error> {
    let Some(v) = req.headers().get(header::CONTENT_RANGE) else {
        return Ok(None);
    };
    let s = v.to_str().map_err(|_| Error::RangeInvalid { offset: 0 })?;
    let s = s
        .trim()
        .trim_start_matches("bytes")
        .trim_start_matches([' ', '=']);
    let s = s.split('/').next().unwrap_or(s);
    let (a, b) = s.split_once('-').ok_or(Error::RangeInvalid { offset: 0 })?;
    match (a.trim().parse(), b.trim().parse()) {
        (Ok(a), Ok(b)) => Ok(Some((a, b))),
        _ => Err(Error::RangeInvalid { offset: 0 }),
    }
}

/// A 416 for an out-of-order chunk, with the session's real position in its headers.
async fn range_error(
    st: &AppState,
    name: &RepoName,
    id: uuid::Uuid,
    e: Error,
) -> OciResult<HttpResponse> {
    let mut res = OciError(e).error_response();
    if let Ok(s) = svc::status(&st.db, name, id).await {
        let h = res.headers_mut();
        let pairs = [
            (header::LOCATION, format!("/v2/{name}/blobs/uploads/{id}")),
            (header::RANGE, range_header(s.offset)),
            (
                header::HeaderName::from_static("docker-upload-uuid"),
                id.to_string(),
            ),
        ];
        for (k, v) in pairs {
            if let Ok(v) = header::HeaderValue::from_str(&v) {
                h.insert(k, v);
            }
        }
    }
    Ok(res)
}

pub async fn patch(
    req: &HttpRequest,
    st: &AppState,
    name: &RepoName,
    id: UploadRef,
    body: web::Payload,
) -> OciResult<HttpResponse> {
    let id = id.ok_or(Error::UploadUnknown)?;
    let range = match content_range(req) {
        Ok(r) => r,
        Err(e) => return range_error(st, name, id, e).await,
    };
    let limit = st.settings.blob_limit();
    match svc::append(&st.db, &st.store, name, id, range, body, limit).await {
        Ok(s) => Ok(session_response(HttpResponse::Accepted(), name, &s)),
        Err(e @ Error::RangeInvalid { .. }) => range_error(st, name, id, e).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn put(
    req: &HttpRequest,
    st: &AppState,
    name: &RepoName,
    id: UploadRef,
    body: web::Payload,
) -> OciResult<HttpResponse> {
    let id = id.ok_or(Error::UploadUnknown)?;
    let q = query(req);
    let d =
        digest(param(&q, "digest").ok_or_else(|| {
            Error::DigestInvalid("the digest query parameter is required".into())
        })?)?;
    let range = match content_range(req) {
        Ok(r) => r,
        Err(e) => return range_error(st, name, id, e).await,
    };
    let limit = st.settings.blob_limit();
    match svc::finish(&st.db, &st.store, name, id, &d, range, body, limit).await {
        Ok(()) => Ok(blob_created(name, &d)),
        Err(e @ Error::RangeInvalid { .. }) => range_error(st, name, id, e).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn status(st: &AppState, name: &RepoName, id: UploadRef) -> OciResult<HttpResponse> {
    let id = id.ok_or(Error::UploadUnknown)?;
    let s = svc::status(&st.db, name, id).await?;
    Ok(session_response(HttpResponse::NoContent(), name, &s))
}

pub async fn cancel(st: &AppState, name: &RepoName, id: UploadRef) -> OciResult<HttpResponse> {
    let id = id.ok_or(Error::UploadUnknown)?;
    svc::cancel(&st.db, &st.store, name, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
