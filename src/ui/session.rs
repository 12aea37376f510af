//! Sign-in, sign-out and the session every other page needs. The session cookie
//! (`berth_session`, `HttpOnly; SameSite=Strict; Path=/ui`, `Secure` over https) carries a
//! random token whose hash names a `ui_sessions` row; [`Ui`] resolves it and loads the caller's
//! grants (the same `Caller` the Pulp API uses), or sends the browser to the sign-in page.
//! Sign-in verifies through `service::auth::verify` (the API's password check, cache and
//! failed sign-in throttle); its form carries a double-submit token of its own, and every
//! other POST must carry the session's CSRF token ([`Form::check`]).
use super::html::{self, esc, layout, respond, see_other};
use crate::error::Error;
use crate::service::auth;
use crate::service::policy::Caller;
use crate::service::ui::{self as svc, Session};
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use std::future::Future;
use std::pin::Pin;

pub const COOKIE: &str = "berth_session";
const SIGNIN_COOKIE: &str = "berth_signin";

/// An error shown as an HTML page with its status (objects the caller may not see are 404s).
#[derive(Debug)]
pub enum UiError {
    Err(Error),
    /// Not signed in: go to the sign-in page.
    SignIn,
}

impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UiError::Err(e) => write!(f, "{e}"),
            UiError::SignIn => write!(f, "sign-in required"),
        }
    }
}

impl From<Error> for UiError {
    fn from(e: Error) -> Self {
        UiError::Err(e)
    }
}

impl From<sea_orm::DbErr> for UiError {
    fn from(e: sea_orm::DbErr) -> Self {
        UiError::Err(e.into())
    }
}

pub type UiResult = Result<HttpResponse, UiError>;

fn status_of(e: &Error) -> (StatusCode, String) {
    use Error::*;
    match e {
        NotFound(_) | NameUnknown(_) | ManifestUnknown(_) => {
            (StatusCode::NOT_FOUND, "Not found.".into())
        }
        Denied => (StatusCode::FORBIDDEN, "You may not do this.".into()),
        Forbidden(why) => (StatusCode::FORBIDDEN, why.clone()),
        Unauthorized => (StatusCode::UNAUTHORIZED, "Sign in first.".into()),
        TooManyRequests { reason, .. } => (StatusCode::TOO_MANY_REQUESTS, reason.clone()),
        Conflict(why) => (StatusCode::CONFLICT, why.clone()),
        Validation(fields) => (
            StatusCode::BAD_REQUEST,
            fields
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        TagInvalid(_) | DigestInvalid(_) | NameInvalid(_) | InvalidFilter(_) => {
            (StatusCode::BAD_REQUEST, e.to_string())
        }
        _ => {
            tracing::error!(error = ?e, "web UI request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong.".into(),
            )
        }
    }
}

impl ResponseError for UiError {
    fn status_code(&self) -> StatusCode {
        match self {
            UiError::Err(e) => status_of(e).0,
            UiError::SignIn => StatusCode::SEE_OTHER,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            UiError::SignIn => see_other("/ui/signin"),
            UiError::Err(e) => {
                let (status, msg) = status_of(e);
                let body = format!(
                    "<h1>{}</h1><p class=\"error\" role=\"alert\">{}</p>\
                     <p><a href=\"/ui/\">Back to the overview</a></p>",
                    status.as_u16(),
                    esc(&msg)
                );
                respond(status, layout("Error", None, &body))
            }
        }
    }
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, UiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| Error::Internal("application state missing".into()).into())
}

fn cookie<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for `name` under `/ui` (`max_age` 0 deletes it).
fn set_cookie(req: &HttpRequest, name: &str, value: &str, max_age: i64) -> String {
    let secure = req.connection_info().scheme() == "https";
    format!(
        "{name}={value}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A signed-in request: its session and the caller's grants.
pub struct Ui {
    pub session: Session,
    pub caller: Caller,
}

impl FromRequest for Ui {
    type Error = UiError;
    type Future = Pin<Box<dyn Future<Output = Result<Ui, UiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let st = state(&req)?;
            let token = cookie(&req, COOKIE).ok_or(UiError::SignIn)?;
            let session = svc::resolve(&st.db, token).await?.ok_or(UiError::SignIn)?;
            let caller = Caller::load(&st.db, Some(session.principal.clone())).await?;
            Ok(Ui { session, caller })
        })
    }
}

/// A POSTed form: its fields in order (names may repeat).
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form(url::form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Refuses (403) a form without the session's CSRF token.
    pub fn check(&self, s: &Session) -> Result<(), UiError> {
        match self.get("csrf") {
            Some(t) if same(t, &s.csrf_token) => Ok(()),
            _ => Err(Error::Forbidden(
                "The form is missing its security token; reload the page and try again.".into(),
            )
            .into()),
        }
    }
}

/// Constant-time string equality.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn signin_page(req: &HttpRequest, status: StatusCode, message: Option<&str>) -> HttpResponse {
    let token = svc::random_token();
    let alert = message
        .map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(m)))
        .unwrap_or_default();
    let body = format!(
        "<section class=\"signin\"><h1>Sign in</h1>{alert}\
         <form method=\"post\" action=\"/ui/signin\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{token}\">\
         <label for=\"username\">User name</label>\
         <input id=\"username\" name=\"username\" autocomplete=\"username\" required autofocus>\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" \
          autocomplete=\"current-password\" required>\
         <button type=\"submit\">Sign in</button></form></section>"
    );
    let mut res = respond(status, layout("Sign in", None, &body));
    if let Ok(v) = header::HeaderValue::from_str(&set_cookie(req, SIGNIN_COOKIE, &token, 3600)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn signin_form(req: HttpRequest) -> HttpResponse {
    signin_page(&req, StatusCode::OK, None)
}

pub async fn signin(req: HttpRequest, st: web::Data<AppState>, body: web::Bytes) -> UiResult {
    let form = Form::parse(&body);
    let expected = cookie(&req, SIGNIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !form.get("csrf").is_some_and(|t| same(t, expected)) {
        let msg = "The sign-in form expired; please try again.";
        return Ok(signin_page(&req, StatusCode::FORBIDDEN, Some(msg)));
    }
    let user = form.get("username").unwrap_or("");
    let password = form.get("password").unwrap_or("");
    if user.is_empty() || user.contains('\0') {
        let msg = "Wrong user name or password.";
        return Ok(signin_page(&req, StatusCode::UNAUTHORIZED, Some(msg)));
    }
    let client = req.peer_addr().map(|a| a.ip());
    let principal = match auth::verify(&st.db, &st.creds, user, password, client).await {
        Ok(p) => p,
        Err(Error::Unauthorized) => {
            let msg = "Wrong user name or password.";
            return Ok(signin_page(&req, StatusCode::UNAUTHORIZED, Some(msg)));
        }
        Err(e @ Error::TooManyRequests { .. }) => {
            let msg = e.to_string();
            return Ok(signin_page(&req, StatusCode::TOO_MANY_REQUESTS, Some(&msg)));
        }
        Err(e) => return Err(e.into()),
    };
    let token = svc::start(&st.db, &principal).await?;
    let max_age = svc::ABSOLUTE.num_seconds();
    let mut res = see_other("/ui/");
    for c in [
        set_cookie(&req, COOKIE, &token, max_age),
        set_cookie(&req, SIGNIN_COOKIE, "", 0),
    ] {
        if let Ok(v) = header::HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

pub async fn signout(
    req: HttpRequest,
    st: web::Data<AppState>,
    ui: Ui,
    body: web::Bytes,
) -> UiResult {
    Form::parse(&body).check(&ui.session)?;
    svc::end(&st.db, &ui.session).await?;
    let mut res = see_other("/ui/signin");
    if let Ok(v) = header::HeaderValue::from_str(&set_cookie(&req, COOKIE, "", 0)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// `GET /`: browsers go to the UI.
pub async fn root() -> HttpResponse {
    html::see_other("/ui/")
}
