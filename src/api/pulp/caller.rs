//! Authorization as a type: extractors a handler takes as a parameter to get its caller, so a
//! handler that needs one cannot forget to authenticate. [`Authenticated`] loads what the
//! caller's roles grant (object-level checks stay in `service::access` / `service::policy`),
//! [`Superuser`] also refuses non-superusers, [`SignedIn`] only needs a valid login;
//! [`WithBody`] reads the request body first (as the handlers did before they had extractors).
//! Anonymous callers get 401 with `WWW-Authenticate`, non-superusers 403 (Pulp's bodies).
//!
//! Put the extractor after the handler's `web::Path` parameters: actix polls extractors in
//! order, so a path that names nothing still answers 404 before credentials are looked at.
use super::errors::{PulpError, PulpResult};
use crate::error::Error;
use crate::service::auth::Principal;
use crate::service::policy::Caller;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// An authenticated caller with everything their roles grant.
pub struct Authenticated(pub Caller);

/// An authenticated superuser.
pub struct Superuser(pub Principal);

/// An authenticated user whose roles do not matter to the endpoint.
pub struct SignedIn(pub Principal);

/// The request body and then the caller `C`: for handlers that take a body, which is read to
/// its end before credentials are looked at (so a refused caller's connection stays usable).
pub struct WithBody<C>(pub C, pub web::Bytes);

type Extracted<T> = Pin<Box<dyn Future<Output = PulpResult<T>>>>;

fn state(req: &HttpRequest) -> PulpResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| Error::Internal("application state missing".into()).into())
}

/// The authenticated principal; anonymous callers get 401.
async fn principal(req: HttpRequest) -> PulpResult<(Principal, web::Data<AppState>)> {
    let st = state(&req)?;
    match crate::api::auth::authenticate(&req, &st).await? {
        Some(p) => Ok((p, st)),
        None => Err(Error::Unauthorized.into()),
    }
}

impl FromRequest for SignedIn {
    type Error = PulpError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(SignedIn(principal(req).await?.0)) })
    }
}

impl FromRequest for Superuser {
    type Error = PulpError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (p, _) = principal(req).await?;
            if !p.is_superuser {
                return Err(Error::Denied.into());
            }
            Ok(Superuser(p))
        })
    }
}

impl<C: FromRequest<Error = PulpError> + 'static> FromRequest for WithBody<C> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let bytes = body.await?;
            let caller = C::from_request(&req, &mut Payload::None).await?;
            Ok(WithBody(caller, bytes))
        })
    }
}

impl FromRequest for Authenticated {
    type Error = PulpError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (p, st) = principal(req).await?;
            Ok(Authenticated(Caller::load(&st.db, Some(p)).await?))
        })
    }
}

#[cfg(test)]
mod tests {
    /// Handlers that answer anonymous callers on purpose (as Pulp does), or answer before any
    /// resource is touched.
    const OPEN: &[&str] = &[
        "status::status",
        "docs::api_json",
        "docs::api_yaml",
        "docs::swagger_redirect",
        "mod::method_not_allowed",
        "mod::not_found",
        "repositories::not_allowed",
    ];

    /// Every public handler of the Pulp API takes one of the caller extractors, so a new
    /// handler cannot forget authentication.
    #[test]
    fn every_handler_takes_a_caller() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api/pulp");
        let mut missing = vec![];
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let module = path.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("async fn ") {
                let rest = &text[i + "async fn ".len()..];
                let name = rest.split('(').next().unwrap_or_default();
                let Some(sig) = rest.split_once('{').map(|(s, _)| s) else {
                    continue;
                };
                if !sig.contains("HttpResponse>") && !sig.contains("-> HttpResponse") {
                    continue;
                }
                if !text[..i].ends_with("pub ") {
                    continue;
                }
                seen += 1;
                let takes_caller = ["Authenticated", "Superuser", "SignedIn"]
                    .iter()
                    .any(|e| sig.contains(&format!(": {e}")) || sig.contains(&format!("<{e}>")));
                let qualified = format!("{module}::{name}");
                if !takes_caller && !OPEN.contains(&qualified.as_str()) {
                    missing.push(qualified);
                }
            }
        }
        assert!(seen > 40, "found only {seen} handlers");
        assert!(missing.is_empty(), "handlers without a caller: {missing:?}");
    }
}
