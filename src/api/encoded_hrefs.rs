//! Requests whose whole path is one percent-encoded href (`/%2Fpulp%2Fapi%2Fv3%2Ftasks%2F…%2F`),
//! or an API path with a doubled leading slash (`//pulp/api/v3/tasks/…/`).
//!
//! The OpenAPI document spells detail paths as href templates (`{task_href}`), as Pulp does;
//! generic generators such as openapi-python-client percent-encode the substituted href, slashes
//! included, and others (orval) join a server URL ending in `/` with the href. No route of berth
//! starts with an encoded slash or with `//`, so such a path is routed as the href it names, and
//! only when it names a path under `/pulp/api/v3/`.
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::uri::{PathAndQuery, Uri};
use actix_web::middleware::Next;
use percent_encoding::percent_decode_str;

/// The decoded href, if `path` is an encoded `/pulp/api/v3/` href and nothing else.
pub fn decoded(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    if !rest.get(..3)?.eq_ignore_ascii_case("%2F") {
        return None;
    }
    let href = percent_decode_str(rest).decode_utf8().ok()?;
    let plain = href.starts_with("/pulp/api/v3/")
        && !href.contains(['?', '#', '%', '\\'])
        && !href.split('/').any(|s| s == ".." || s == ".");
    plain.then(|| href.into_owned())
}

/// The single-slash path, if `path` is `//pulp/api/v3/…` (exactly one extra leading slash).
pub fn undoubled(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    rest.starts_with("/pulp/api/v3/").then_some(rest)
}

/// The path to route instead of `path`, if it is one of the two spellings above.
fn rewritten(path: &str) -> Option<String> {
    decoded(path).or_else(|| undoubled(path).map(String::from))
}

pub async fn decode(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(href) = rewritten(req.path()) {
        let pq = match req.query_string() {
            "" => href,
            q => format!("{href}?{q}"),
        };
        if let Ok(pq) = pq.parse::<PathAndQuery>() {
            let mut parts = req.head().uri.clone().into_parts();
            parts.path_and_query = Some(pq);
            if let Ok(uri) = Uri::from_parts(parts) {
                req.match_info_mut().get_mut().update(&uri);
                req.head_mut().uri = uri;
            }
        }
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::{decoded, rewritten, undoubled};

    #[test]
    fn only_encoded_api_hrefs_are_decoded() {
        assert_eq!(
            decoded("/%2Fpulp%2Fapi%2Fv3%2Ftasks%2Fabc%2F").as_deref(),
            Some("/pulp/api/v3/tasks/abc/")
        );
        assert_eq!(decoded("/pulp/api/v3/tasks/"), None);
        assert_eq!(decoded("/%2Fv2%2F_catalog"), None);
        assert_eq!(decoded("/%2Fpulp%2Fapi%2Fv3%2F..%2F..%2Fv2%2F"), None);
        assert_eq!(decoded("/%2Fpulp%2Fapi%2Fv3%2Fx%3Fa%3D1"), None);
        assert_eq!(decoded("/%2"), None);
        assert_eq!(decoded("/%2Fpulp%2Fapi%2Fv3%2F%FF"), None);
    }

    #[test]
    fn a_doubled_leading_slash_is_routed_like_one_under_the_api_only() {
        assert_eq!(
            undoubled("//pulp/api/v3/tasks/abc/"),
            Some("/pulp/api/v3/tasks/abc/")
        );
        assert_eq!(undoubled("/pulp/api/v3/tasks/"), None);
        assert_eq!(undoubled("///pulp/api/v3/tasks/"), None);
        assert_eq!(undoubled("//v2/_catalog"), None);
        assert_eq!(
            rewritten("//pulp/api/v3/status/").as_deref(),
            Some("/pulp/api/v3/status/")
        );
    }
}
