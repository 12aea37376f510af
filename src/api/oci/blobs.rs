//! `GET|HEAD|DELETE /v2/<name>/blobs/<digest>`, with single `Range` requests (206 / 416).
use super::errors::OciResult;
use crate::domain::digest::Digest;
use crate::domain::name::RepoName;
use crate::error::Error;
use crate::service::blobs as svc;
use crate::state::AppState;
use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` against `size` into a half-open range.
/// `Ok(None)`: no usable Range header (serve it all); `Err`: unsatisfiable.
fn range(req: &HttpRequest, size: u64) -> Result<Option<std::ops::Range<u64>>, Error> {
    let Some(v) = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some(spec) = v.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None); // multiple ranges: serve the whole blob, as RFC 9110 allows
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Err(Error::BlobRangeInvalid { size });
    };
    let bad = || Error::BlobRangeInvalid { size };
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().map_err(|_| bad())?;
            if n == 0 {
                return Err(bad());
            }
            (size.saturating_sub(n), size)
        }
        (s, "") => (s.parse().map_err(|_| bad())?, size),
        (s, e) => {
            let s: u64 = s.parse().map_err(|_| bad())?;
            let e: u64 = e.parse().map_err(|_| bad())?;
            if e < s {
                return Err(bad());
            }
            // An end past the blob (up to u64::MAX) is clamped to it (RFC 9110 §14.1.2).
            (s, e.saturating_add(1).min(size))
        }
    };
    if start >= size {
        return Err(bad());
    }
    Ok(Some(start..end))
}

pub async fn get(
    req: &HttpRequest,
    st: &AppState,
    name: &RepoName,
    digest: &Digest,
    with_body: bool,
) -> OciResult<HttpResponse> {
    let size = svc::stat(&st.db, name, digest).await?;
    let range = range(req, size)?;
    let mut res = match &range {
        Some(r) => {
            let mut b = HttpResponse::PartialContent();
            b.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{size}", r.start, r.end - 1),
            ));
            b
        }
        None => HttpResponse::Ok(),
    };
    res.content_type("application/octet-stream")
        .insert_header(("Docker-Content-Digest", digest.to_string()))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, format!("\"{digest}\"")))
        .insert_header((header::CACHE_CONTROL, "max-age=31536000"));
    let len = range.as_ref().map(|r| r.end - r.start).unwrap_or(size);
    if !with_body {
        return Ok(res.body(SizedStream::new(len, empty_body())));
    }
    let stream = svc::open(&st.store, digest, range).await?;
    Ok(res.body(SizedStream::new(len, stream)))
}

pub async fn delete(st: &AppState, name: &RepoName, digest: &Digest) -> OciResult<HttpResponse> {
    svc::delete(&st.db, name, digest).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// An empty body stream: a HEAD response declares the length without sending bytes.
pub(super) fn empty_body() -> futures::stream::Empty<Result<bytes::Bytes, std::convert::Infallible>>
{
    futures::stream::empty()
}
