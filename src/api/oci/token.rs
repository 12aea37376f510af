//! `GET /token/`: the Docker token service (pulp-api.md §14.4). Basic credentials are optional
//! (none gives an anonymous token; wrong ones a 401); each requested scope is answered with the
//! actions the caller's roles grant, possibly none.
use crate::api::auth::authenticate;
use crate::api::pulp::errors::PulpResult;
use crate::domain::name::RepoName;
use crate::error::Error;
use crate::service::policy::{self, Caller};
use crate::service::tokens::Access;
use crate::state::AppState;
use actix_web::{http::header, web, HttpRequest, HttpResponse, ResponseError};
use serde_json::json;

/// At most this many scopes per request (a client asking for more is not a registry client).
const MAX_SCOPES: usize = 50;

pub fn configure(cfg: &mut web::ServiceConfig) {
    for path in ["/token/", "/token"] {
        cfg.service(
            web::resource(path)
                .get(token)
                .default_service(web::to(crate::api::pulp::method_not_allowed)),
        );
    }
}

/// The actions of `scope` (`type:name:actions`) the caller is granted.
async fn grant(st: &AppState, c: &Caller, scope: &str) -> Result<Option<Access>, Error> {
    let parts: Vec<&str> = scope.split(':').collect();
    let [kind, name, actions] = parts[..] else {
        return Ok(None);
    };
    let requested: Vec<String> = actions
        .split(',')
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    let granted = match kind {
        "repository" if RepoName::parse(name).is_some() => {
            policy::registry_actions(&st.db, c, name, &requested).await?
        }
        "registry" if name == "catalog" && c.is_authenticated() => {
            requested.into_iter().filter(|a| a == "*").collect()
        }
        _ => vec![],
    };
    Ok(Some(Access {
        kind: kind.to_string(),
        name: name.to_string(),
        actions: granted,
    }))
}

async fn token(req: HttpRequest, st: web::Data<AppState>) -> PulpResult<HttpResponse> {
    let q: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let Some(service) = q
        .iter()
        .find(|(k, _)| k == "service")
        .map(|(_, v)| v.clone())
    else {
        return Ok(HttpResponse::BadRequest().json(json!({"detail": "No service name provided."})));
    };
    let principal = match authenticate(&req, &st).await {
        Ok(p) => p,
        Err(e @ Error::TooManyRequests { .. }) => {
            return Ok(crate::api::oci::errors::OciError(e).error_response())
        }
        Err(_) => {
            return Ok(HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"berth\""))
                .json(json!({"detail": "Invalid username/password."})))
        }
    };
    let sub = principal
        .as_ref()
        .map(|p| p.username.clone())
        .unwrap_or_default();
    let caller = Caller::load(&st.db, principal).await?;
    let scopes: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "scope")
        .flat_map(|(_, v)| v.split(' '))
        .filter(|s| !s.is_empty())
        .collect();
    if scopes.len() > MAX_SCOPES {
        return Ok(HttpResponse::BadRequest().json(json!({"detail": "Too many scopes."})));
    }
    let mut access = vec![];
    for s in scopes {
        match grant(&st, &caller, s).await? {
            Some(a) => access.push(a),
            // A malformed scope voids the whole grant, as Pulp does.
            None => {
                access.clear();
                break;
            }
        }
    }
    let (jwt, iat) = st.tokens.issue(&sub, &service, access)?;
    let issued_at = chrono::DateTime::from_timestamp(iat as i64, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(crate::api::pulp::common::view(&TokenResponse {
            access_token: jwt.clone(),
            token: jwt,
            expires_in: st.tokens.lifetime() as i64,
            issued_at,
        })))
}

/// A registry bearer token (docker's token protocol).
#[derive(utoipa::ToSchema, serde::Serialize)]
pub struct TokenResponse {
    token: String,
    access_token: String,
    expires_in: i64,
    #[schema(format = DateTime)]
    issued_at: String,
}
