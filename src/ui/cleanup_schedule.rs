//! The Cleanup page's schedule (superusers; 404 for others): when orphan cleanup runs next and
//! by which schedule (the built-in job of `orphan_cleanup_interval_hours`, read-only here, and
//! orphan cleanup task schedules), an editor that creates, changes and removes those task
//! schedules through `service::ui_cleanup` (the task-schedule service the API uses), and when
//! retention policies run next.
use super::html::{csrf, esc, see_other, time};
use super::session::{Form, Ui, UiResult};
use crate::domain::task_schedules::check_range;
use crate::error::Error;
use crate::service::ui_cleanup::{self as svc, CleanupPlan};
use crate::state::AppState;
use actix_web::web;
use std::fmt::Write as _;
use uuid::Uuid;

const UNITS: [(&str, i64); 3] = [("minutes", 60), ("hours", 3_600), ("days", 86_400)];

/// An interval as people say it: "every 6 hours", "every day", "every 90 minutes".
pub fn every(seconds: i64) -> String {
    let (n, unit) = match seconds {
        s if s % 86_400 == 0 => (s / 86_400, "day"),
        s if s % 3_600 == 0 => (s / 3_600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    match n {
        1 => format!("every {unit}"),
        n => format!("every {n} {unit}s"),
    }
}

/// The number and unit fields of an interval, showing `seconds` (default: 1 day).
fn interval_fields(id: &str, seconds: Option<i64>) -> String {
    let s = seconds.unwrap_or(86_400);
    let (n, unit) = UNITS
        .iter()
        .rev()
        .find(|(_, u)| s % u == 0)
        .map(|(name, u)| (s / u, *name))
        .unwrap_or((s / 60, "minutes"));
    let options: String = UNITS
        .iter()
        .map(|(name, _)| {
            format!(
                "<option value=\"{name}\"{}>{name}</option>",
                if *name == unit { " selected" } else { "" }
            )
        })
        .collect();
    format!(
        "<label for=\"every-{id}\">Every</label>\
         <input id=\"every-{id}\" name=\"every\" type=\"number\" min=\"1\" max=\"36500\" required \
         value=\"{n}\" class=\"short\">\
         <label for=\"unit-{id}\" class=\"sr-only\">Unit</label>\
         <select id=\"unit-{id}\" name=\"unit\">{options}</select>"
    )
}

/// The seconds a form's `every` and `unit` say, in the range schedules accept.
fn read_interval(f: &Form) -> Result<i64, Error> {
    let bad = |m: String| Error::Validation(vec![("every".into(), m)]);
    let n: i64 = f
        .get("every")
        .unwrap_or("")
        .trim()
        .parse()
        .map_err(|_| bad("Enter a whole number.".into()))?;
    let unit = UNITS
        .iter()
        .find(|(name, _)| Some(*name) == f.get("unit"))
        .map(|(_, u)| *u)
        .ok_or_else(|| bad("Choose minutes, hours or days.".into()))?;
    check_range(n.saturating_mul(unit)).map_err(bad)
}

/// The Schedule section of the Cleanup page.
pub fn section(ui: &Ui, plan: &CleanupPlan) -> String {
    let mut out = format!(
        "<h2 id=\"schedule\">Schedule</h2><p>Next cleanup: <strong>{}</strong></p><ul>",
        match plan.next_cleanup() {
            Some(t) => time(Some(t)),
            None => "none scheduled".into(),
        }
    );
    match plan.builtin {
        Some((h, next)) => {
            let _ = write!(
                out,
                "<li>Built-in: {} (server setting <code>orphan_cleanup_interval_hours</code>), \
                 {}</li>",
                every(h.min(i64::MAX as u64 / 3_600) as i64 * 3_600),
                match next {
                    Some(t) => format!("next {}", time(Some(t))),
                    None => "first one interval after the server started".into(),
                }
            );
        }
        None => out.push_str(
            "<li>Built-in: off (server setting <code>orphan_cleanup_interval_hours</code> is 0)</li>",
        ),
    }
    for s in &plan.retention {
        let _ = write!(
            out,
            "<li>Retention policy <em>{}</em>: {}, next {}</li>",
            esc(s.policy_name.as_deref().unwrap_or(&s.name)),
            every(s.dispatch_interval_seconds),
            time(Some(s.next_dispatch))
        );
    }
    out.push_str("</ul>");
    if !plan.orphan.is_empty() {
        out.push_str(
            "<table class=\"schedules\"><thead><tr><th scope=\"col\">Schedule</th>\
             <th scope=\"col\">Runs</th><th scope=\"col\">Next</th><th scope=\"col\">Change</th>\
             </tr></thead><tbody>",
        );
        for s in &plan.orphan {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>\
                 <form method=\"post\" action=\"/ui/cleanup/schedules/{id}\" class=\"inline\">{}{}\
                 <button type=\"submit\" name=\"action\" value=\"save\">Save</button> \
                 <button type=\"submit\" name=\"action\" value=\"remove\" class=\"danger\">Remove\
                 </button></form></td></tr>",
                esc(&s.name),
                every(s.dispatch_interval_seconds),
                time(Some(s.next_dispatch)),
                csrf(&ui.session),
                interval_fields(
                    &s.id.simple().to_string(),
                    Some(s.dispatch_interval_seconds)
                ),
                id = s.id,
            );
        }
        out.push_str("</tbody></table>");
    }
    let _ = write!(
        out,
        "<form method=\"post\" action=\"/ui/cleanup/schedules\" class=\"inline new-schedule\">{}\
         <label for=\"schedule-name\">New schedule</label>\
         <input id=\"schedule-name\" name=\"name\" required maxlength=\"255\" \
         value=\"orphan cleanup\">{}<button type=\"submit\">Add schedule</button></form>",
        csrf(&ui.session),
        interval_fields("new", None)
    );
    out
}

fn superuser(ui: &Ui) -> Result<(), Error> {
    match ui.caller.is_admin() {
        true => Ok(()),
        false => Err(Error::NotFound("page".into())),
    }
}

pub async fn create(st: web::Data<AppState>, ui: Ui, body: web::Bytes) -> UiResult {
    let f = Form::parse(&body);
    f.check(&ui.session)?;
    superuser(&ui)?;
    let name = f.get("name").unwrap_or("").trim().to_string();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(Error::Validation(vec![(
            "name".into(),
            "Enter a name of 1 to 255 characters.".into(),
        )])
        .into());
    }
    let seconds = read_interval(&f)?;
    svc::create(&st.tasks, name, seconds).await?;
    Ok(see_other("/ui/cleanup/#schedule"))
}

pub async fn change(
    st: web::Data<AppState>,
    ui: Ui,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> UiResult {
    let f = Form::parse(&body);
    f.check(&ui.session)?;
    superuser(&ui)?;
    let s = svc::get(&st.db, *id).await?;
    match f.get("action") {
        Some("remove") => svc::remove(&st.db, &s).await?,
        Some("save") => svc::set_interval(&st.tasks, &s, read_interval(&f)?).await?,
        _ => {
            return Err(
                Error::Validation(vec![("action".into(), "Choose Save or Remove.".into())]).into(),
            )
        }
    }
    Ok(see_other("/ui/cleanup/#schedule"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn intervals_read_as_people_say_them() {
        assert_eq!(super::every(86_400), "every day");
        assert_eq!(super::every(6 * 3_600), "every 6 hours");
        assert_eq!(super::every(90 * 60), "every 90 minutes");
        assert_eq!(super::every(2 * 86_400), "every 2 days");
    }
}
