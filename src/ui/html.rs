//! A small, safe HTML builder for the web UI: every text that is not a literal of ours goes
//! through [`esc`] (or [`attr`]), pages are framed by [`layout`], and responses carry the UI's
//! security headers (a strict Content-Security-Policy: only our own stylesheet and script).
use crate::service::ui::Session;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use std::fmt::Write as _;

/// `s` escaped for HTML text and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `s` percent-encoded for a URL query value.
pub fn q(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Bytes in binary units, e.g. `12.3 MiB`.
pub fn bytes(n: i64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v.abs() >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    match u {
        0 => format!("{n} B"),
        _ => format!("{v:.1} {}", units[u]),
    }
}

/// A timestamp as a `<time>` element (UTC, minutes).
pub fn time(t: Option<DateTime<Utc>>) -> String {
    match t {
        Some(t) => format!(
            "<time datetime=\"{}\">{}</time>",
            t.to_rfc3339(),
            t.format("%Y-%m-%d %H:%M")
        ),
        None => "<span class=\"muted\">never</span>".into(),
    }
}

/// The first 12 hex digits of a digest, with the whole digest as its title.
pub fn short_digest(d: &str) -> String {
    let hex = d.split_once(':').map(|(_, h)| h).unwrap_or(d);
    format!(
        "<code title=\"{}\">{}</code>",
        esc(d),
        esc(&hex[..hex.len().min(12)])
    )
}

/// The hidden CSRF field of a session's forms.
pub fn csrf(s: &Session) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&s.csrf_token)
    )
}

/// A whole page: header with navigation (for a session), `body` in `<main>`.
pub fn layout(title: &str, s: Option<&Session>, body: &str) -> String {
    let mut nav = String::new();
    if let Some(s) = s {
        let _ = write!(
            nav,
            "<nav aria-label=\"Main\"><a href=\"/ui/\">Overview</a>\
             <a href=\"/ui/namespaces/\">Namespaces</a>\
             <a href=\"/ui/repositories/\">Repositories</a>\
             <a href=\"/ui/tasks/\">Tasks</a>{}</nav>\
             <form class=\"signout\" method=\"post\" action=\"/ui/signout\">{}\
             <span class=\"who\">{}</span> <button type=\"submit\">Sign out</button></form>",
            if s.principal.is_superuser {
                "<a href=\"/ui/cleanup/\">Cleanup</a><a href=\"/ui/users/\">Users</a>"
            } else {
                ""
            },
            csrf(s),
            esc(&s.principal.username)
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · berth</title><link rel=\"stylesheet\" href=\"/ui/static/style.css\">\
         <script src=\"/ui/static/app.js\" defer></script></head><body>\
         <header><a class=\"brand\" href=\"/ui/\">berth</a>{nav}</header>\
         <main id=\"main\">{body}</main></body></html>",
        esc(title)
    )
}

/// An HTML response with the UI's headers.
pub fn respond(status: StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .body(html)
}

/// A 200 page.
pub fn page(title: &str, s: &Session, body: &str) -> HttpResponse {
    respond(StatusCode::OK, layout(title, Some(s), body))
}

/// 303 See Other to `to` (a path of ours).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
