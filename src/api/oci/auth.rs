//! Who may call `/v2/`: every request is checked before it is routed. Callers bring a Bearer
//! token from `/token/` (docker, podman, skopeo), Basic credentials (curl, scripts), or nothing
//! (anonymous pulls of public repositories). A refusal of an anonymous or token caller is a 401
//! with the `Bearer` challenge naming the scope to ask for; a Basic caller without the permission
//! gets 403 `DENIED`. A path the caller may not pull looks the same whether or not it exists.
//! With `registry_token_only` (Pulp's behaviour) every request without a Bearer token, anonymous
//! or Basic, gets the 401 challenge.
use super::errors::OciResult;
use super::path::Route;
use crate::api::auth::authenticate;
use crate::domain::name::RepoName;
use crate::error::Error;
use crate::service::policy::{self, Caller};
use crate::state::AppState;
use actix_web::http::Method;
use actix_web::HttpRequest;

/// What a request needs.
pub enum Need {
    /// `GET /v2/`: any authenticated caller.
    Login,
    /// `GET /v2/_catalog`.
    Catalog,
    /// Pull (`push = false`) or push access to a repository.
    Repo { name: String, push: bool },
}

pub fn need(route: &Route, method: &Method) -> Need {
    let write = !matches!(*method, Method::GET | Method::HEAD);
    let name = |n: &RepoName| n.as_str().to_string();
    match route {
        Route::Base => Need::Login,
        Route::Catalog => Need::Catalog,
        Route::Tags(n) | Route::Referrers(n, _) => Need::Repo {
            name: name(n),
            push: false,
        },
        Route::Manifest(n, _) | Route::Blob(n, _) | Route::UploadStart(n) | Route::Upload(n, _) => {
            Need::Repo {
                name: name(n),
                push: write,
            }
        }
    }
}

/// The authenticated caller of a `/v2/` request.
pub struct RegistryCaller {
    pub caller: Caller,
    /// Repository actions a token grants (`None` for Basic and anonymous callers, whose
    /// permissions are evaluated directly).
    token: Option<crate::service::tokens::Claims>,
}

impl RegistryCaller {
    /// Whether the caller may pull `name` (used for a mount's source repository).
    pub async fn may_pull(&self, st: &AppState, name: &str) -> OciResult<bool> {
        if let Some(t) = &self.token {
            return Ok(t.allows("repository", name, "pull"));
        }
        Ok(policy::registry_access(&st.db, &self.caller, name).await?.0)
    }
}

fn host(req: &HttpRequest) -> String {
    req.connection_info().host().to_string()
}

/// `Bearer realm=…,service=…[,scope=…]…[,error=…]`.
pub fn challenge(
    st: &AppState,
    req: &HttpRequest,
    scopes: &[String],
    error: Option<&str>,
) -> Error {
    let info = req.connection_info();
    let realm = st
        .settings
        .token_realm
        .clone()
        .unwrap_or_else(|| format!("{}://{}/token/", info.scheme(), info.host()));
    let mut v = format!("Bearer realm=\"{realm}\",service=\"{}\"", info.host());
    for s in scopes {
        v.push_str(&format!(",scope=\"{s}\""));
    }
    if let Some(e) = error {
        v.push_str(&format!(",error=\"{e}\""));
    }
    Error::Challenge(v)
}

/// The scopes a challenge names. By default a push asks for `pull,push` (as CNCF distribution
/// does); in token-only mode the scopes are Pulp's: `push` alone, and a mount
/// (`?from=…&mount=…`) also asks for `pull` on its source.
fn scopes_of(need: &Need, pulp_style: bool, mount_from: Option<&str>) -> Vec<String> {
    let mut scopes = match need {
        Need::Login => vec![],
        Need::Catalog => vec!["registry:catalog:*".into()],
        Need::Repo { name, push: false } => vec![format!("repository:{name}:pull")],
        Need::Repo { name, push: true } if pulp_style => vec![format!("repository:{name}:push")],
        Need::Repo { name, push: true } => vec![format!("repository:{name}:pull,push")],
    };
    if let Some(from) = mount_from.filter(|_| pulp_style) {
        scopes.push(format!("repository:{from}:pull"));
    }
    scopes
}

/// The source of a cross-repository mount (`POST …/blobs/uploads/?from=…&mount=…`).
fn mount_source(req: &HttpRequest) -> Option<String> {
    if req.method() != Method::POST {
        return None;
    }
    let q = actix_web::web::Query::<std::collections::HashMap<String, String>>::from_query(
        req.query_string(),
    )
    .ok()?;
    q.get("mount")?;
    // Only a valid name goes into a challenge header; the handler answers an invalid one.
    q.get("from")
        .filter(|f| RepoName::parse(f).is_some())
        .cloned()
}

/// Authenticates the request and checks it may do what `need` says.
pub async fn check(req: &HttpRequest, st: &AppState, need: &Need) -> OciResult<RegistryCaller> {
    let token_only = st.settings.registry_token_only;
    let from = mount_source(req);
    let scopes = scopes_of(need, token_only, from.as_deref());
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(token) = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
    {
        let Ok(claims) = st.tokens.verify_current(token.trim(), &host(req)).await else {
            return Err(challenge(st, req, &scopes, Some("invalid_token")).into());
        };
        let ok = match need {
            Need::Login => true,
            Need::Catalog => claims.allows("registry", "catalog", "*"),
            Need::Repo { name, push } => {
                claims.allows("repository", name, if *push { "push" } else { "pull" })
            }
        };
        // In token-only mode a mount needs pull on its source in the token too (Pulp, CNCF
        // distribution); by default a source the caller may not pull just is not mounted.
        let source_ok = match from.as_deref().filter(|_| token_only) {
            Some(f) => claims.allows("repository", f, "pull"),
            None => true,
        };
        if !ok || !source_ok {
            return Err(challenge(st, req, &scopes, Some("insufficient_scope")).into());
        }
        // The caller's identity matters only for listing the catalog and for owning what a
        // first push creates; pulls go by the token and whether its user is still active
        // (cached for a few seconds, so no database round trip per pull).
        let needs_identity = matches!(need, Need::Catalog | Need::Repo { push: true, .. });
        let principal = match claims.sub.as_str() {
            "" => None,
            user if !needs_identity => {
                if !crate::service::auth::is_active(&st.db, &st.creds, user).await? {
                    return Err(challenge(st, req, &scopes, Some("invalid_token")).into());
                }
                None
            }
            user => match crate::service::auth::principal_by_name(&st.db, user).await {
                Ok(p) => Some(p),
                Err(_) => return Err(challenge(st, req, &scopes, Some("invalid_token")).into()),
            },
        };
        return Ok(RegistryCaller {
            caller: Caller::load(&st.db, principal).await?,
            token: Some(claims),
        });
    }
    if token_only {
        // Pulp's token mode: only a Bearer token is a credential here; `/token/` takes the rest.
        return Err(challenge(st, req, &scopes, None).into());
    }
    let principal = match authenticate(req, st).await {
        Ok(p) => p,
        Err(e @ Error::TooManyRequests { .. }) => return Err(e.into()),
        Err(_) => return Err(challenge(st, req, &scopes, Some("invalid_token")).into()),
    };
    let caller = Caller::load(&st.db, principal).await?;
    let allowed = match need {
        Need::Login | Need::Catalog => caller.is_authenticated(),
        Need::Repo { name, push } => {
            let (pull, may_push) = policy::registry_access(&st.db, &caller, name).await?;
            if *push {
                may_push
            } else {
                pull
            }
        }
    };
    if !allowed {
        if caller.is_authenticated() {
            return Err(Error::Denied.into());
        }
        return Err(challenge(st, req, &scopes, None).into());
    }
    Ok(RegistryCaller {
        caller,
        token: None,
    })
}
