//! `GET /v2/_catalog`, `GET /v2/<name>/tags/list` and `GET /v2/<name>/referrers/<digest>`.
use super::errors::OciResult;
use crate::domain::digest::Digest;
use crate::domain::name::RepoName;
use crate::error::Error;
use crate::service::listing::{self, page_size};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

pub(super) fn query(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

pub(super) fn param<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// `n` and `last`. A negative `n` is refused (400), as is a `last` with a NUL character, which
/// names nothing and which PostgreSQL cannot compare; `bad_last` builds that error.
fn pagination(
    req: &HttpRequest,
    bad_last: fn(String) -> Error,
) -> Result<(u64, Option<String>), Error> {
    let q = query(req);
    let n = match param(&q, "n") {
        None | Some("") => None,
        Some(v) => {
            let n = v
                .parse::<i64>()
                .map_err(|_| Error::PaginationInvalid(format!("n={v} is not an integer")))?;
            Some(
                u64::try_from(n)
                    .map_err(|_| Error::PaginationInvalid(format!("n={n} must not be negative")))?,
            )
        }
    };
    let last = param(&q, "last").map(str::to_string);
    if let Some(l) = last.as_deref().filter(|l| l.contains('\0')) {
        return Err(bad_last(l.replace('\0', "\\0").chars().take(300).collect()));
    }
    Ok((page_size(n), last))
}

fn link(path: &str, n: u64, items: &[String]) -> Option<String> {
    let last = items.last()?;
    (items.len() as u64 == n).then(|| {
        let enc: String = url::form_urlencoded::byte_serialize(last.as_bytes()).collect();
        format!("<{path}?n={n}&last={enc}>; rel=\"next\"")
    })
}

pub async fn catalog(
    req: &HttpRequest,
    st: &AppState,
    caller: &crate::service::policy::Caller,
) -> OciResult<HttpResponse> {
    let (n, last) = pagination(req, Error::NameInvalid)?;
    let repos = listing::catalog(&st.db, caller, last.as_deref(), n).await?;
    let mut res = HttpResponse::Ok();
    if let Some(l) = link("/v2/_catalog", n, &repos) {
        res.insert_header(("Link", l));
    }
    Ok(res.json(json!({ "repositories": repos })))
}

pub async fn tags(req: &HttpRequest, st: &AppState, name: &RepoName) -> OciResult<HttpResponse> {
    let (n, last) = pagination(req, Error::TagInvalid)?;
    let tags = listing::tags(&st.db, name, last.as_deref(), n).await?;
    let mut res = HttpResponse::Ok();
    if let Some(l) = link(&format!("/v2/{name}/tags/list"), n, &tags) {
        res.insert_header(("Link", l));
    }
    Ok(res.json(json!({ "name": name.as_str(), "tags": tags })))
}

pub async fn referrers(
    req: &HttpRequest,
    st: &AppState,
    name: &RepoName,
    digest: &Digest,
) -> OciResult<HttpResponse> {
    let q = query(req);
    let artifact_type = param(&q, "artifactType").filter(|s| !s.is_empty());
    let index = listing::referrers(&st.db, name, digest, artifact_type).await?;
    let mut res = HttpResponse::Ok();
    res.content_type(crate::domain::media_types::OCI_INDEX);
    if artifact_type.is_some() {
        res.insert_header(("OCI-Filters-Applied", "artifactType"));
    }
    Ok(res.body(index.to_string()))
}
