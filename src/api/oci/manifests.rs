//! `GET|HEAD|PUT|DELETE /v2/<name>/manifests/<reference>`.
use super::errors::OciResult;
use crate::domain::manifest::MAX_MANIFEST_BYTES;
use crate::domain::media_types::accepts;
use crate::domain::name::{Reference, RepoName};
use crate::error::Error;
use crate::service::manifests as svc;
use crate::state::AppState;
use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures::StreamExt;

pub async fn get(
    req: &HttpRequest,
    st: &AppState,
    name: &RepoName,
    reference: &Reference,
    with_body: bool,
) -> OciResult<HttpResponse> {
    let fetched = svc::get(&st.db, name, reference).await?;
    let row = fetched.row;
    if let Reference::Tag(_) = reference {
        let accept: Vec<String> = req
            .headers()
            .get_all(header::ACCEPT)
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        if !accepts(&accept, &row.media_type) {
            return Err(Error::ManifestUnknown(format!(
                "{reference} is stored as {}, which the Accept header excludes",
                row.media_type
            ))
            .into());
        }
    }
    let mut res = HttpResponse::Ok();
    res.content_type(row.media_type.as_str())
        .insert_header(("Docker-Content-Digest", row.digest.as_str()))
        .insert_header((header::ETAG, format!("\"{}\"", row.digest)));
    if with_body {
        st.pulls.record(fetched.repository, row.id, fetched.tag);
        Ok(res.body(row.data))
    } else {
        Ok(res.body(SizedStream::new(
            row.size as u64,
            super::blobs::empty_body(),
        )))
    }
}

/// Reads the request body, refusing more than `limit` bytes without buffering them.
pub(super) async fn read_limited(mut body: web::Payload, limit: usize) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| Error::ManifestInvalid(format!("request body: {e}")))?;
        if buf.len() + chunk.len() > limit {
            return Err(Error::ManifestTooBig {
                size: (buf.len() + chunk.len()) as u64,
                limit: limit as u64,
            });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

pub async fn put(
    req: &HttpRequest,
    st: &AppState,
    name: &RepoName,
    reference: &Reference,
    body: web::Payload,
) -> OciResult<HttpResponse> {
    let bytes = read_limited(body, MAX_MANIFEST_BYTES).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // OCI 1.1 `?tag=` parameters: extra tags for a manifest pushed by digest.
    let extra: Vec<String> = match reference {
        Reference::Digest(_) => super::listing::query(req)
            .into_iter()
            .filter(|(k, _)| k == "tag")
            .map(|(_, v)| v)
            .collect(),
        Reference::Tag(_) => vec![],
    };
    let pushed = svc::put(
        &st.db,
        &st.store,
        name,
        reference,
        content_type,
        &bytes,
        &extra,
    )
    .await?;
    let mut res = HttpResponse::Created();
    res.insert_header((
        header::LOCATION,
        format!("/v2/{name}/manifests/{}", pushed.digest),
    ))
    .insert_header(("Docker-Content-Digest", pushed.digest.to_string()));
    if !extra.is_empty() {
        for tag in &pushed.tags {
            res.append_header(("OCI-Tag", tag.as_str()));
        }
    }
    if let Some(subject) = pushed.subject {
        res.insert_header(("OCI-Subject", subject.to_string()));
    }
    Ok(res.finish())
}

pub async fn delete(
    st: &AppState,
    name: &RepoName,
    reference: &Reference,
) -> OciResult<HttpResponse> {
    svc::delete(&st.db, name, reference).await?;
    Ok(HttpResponse::Accepted().finish())
}
