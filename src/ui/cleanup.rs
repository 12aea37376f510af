//! The Cleanup page (superusers only, like `POST /orphans/cleanup/`): dispatch an orphan
//! cleanup dry run or a real run, and the history of past runs with the figures their task
//! `result` holds (content units, stored objects and bytes).
use super::html::{csrf, page, see_other, time};
use super::session::{Form, Ui, UiResult};
use crate::domain::query::{ListQuery, Page, Sort, TaskFilter, TaskOrder, Text};
use crate::error::Error;
use crate::service::housekeeping::orphans;
use crate::service::lists;
use crate::state::AppState;
use actix_web::web;
use std::fmt::Write as _;
use uuid::Uuid;

const TASK: &str = "pulpcore.app.tasks.orphan.orphan_cleanup";
/// Longest protection time a run accepts (as `orphans/cleanup/`'s `orphan_protection_time`).
const MAX_PROTECTION: u64 = 4_294_967_295;

fn superuser(ui: &Ui) -> Result<(), Error> {
    // The page does not exist for other users, as the Pulp endpoint refuses them.
    match ui.caller.is_admin() {
        true => Ok(()),
        false => Err(Error::NotFound("page".into())),
    }
}

/// `12.0 KiB, 3 stored objects, 2 manifests, 5 blobs, 1 tag` from a cleanup task's result.
fn figures(result: Option<&str>) -> String {
    let v: serde_json::Value = result
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    let n = |x: &serde_json::Value| x.as_i64().unwrap_or(0);
    if v.is_null() {
        return String::new();
    }
    let plural = |k: i64, one: &str| format!("{k} {one}{}", if k == 1 { "" } else { "s" });
    let c = &v["content"];
    [
        super::html::bytes(n(&v["bytes"])),
        plural(n(&v["artifacts"]), "stored object"),
        plural(n(&c["manifests"]), "manifest"),
        plural(n(&c["blobs"]), "blob"),
        plural(n(&c["tags"]), "tag"),
    ]
    .join(", ")
}

pub async fn show(st: web::Data<AppState>, ui: Ui) -> UiResult {
    superuser(&ui)?;
    let query = ListQuery {
        filters: vec![TaskFilter::Name(Text::Eq(TASK.into()))],
        order: vec![Sort {
            key: TaskOrder::Created,
            desc: true,
        }],
        page: Some(Page {
            limit: 50,
            offset: 0,
        }),
    };
    let (_, runs) = lists::tasks(&st.db, &ui.caller, query).await?;
    let mut body = format!(
        "<h1>Cleanup</h1><p>Orphan cleanup deletes content no repository version holds any \
         more, and the stored bytes only it used. Content younger than the protection time \
         (server default: {}) is kept.</p>\
         <form method=\"post\" action=\"/ui/cleanup/\" class=\"actions\">{}\
         <label for=\"protection\">Keep content younger than</label>\
         <input id=\"protection\" name=\"protection\" type=\"number\" min=\"0\" \
         max=\"{MAX_PROTECTION}\" required value=\"{}\" class=\"short\"> minutes \
         <button type=\"submit\" name=\"mode\" value=\"dry_run\">Dry run</button> \
         <button type=\"submit\" name=\"mode\" value=\"run\" class=\"danger\">Run now</button></form>\
         {}<h2>History</h2>",
        age(st.settings.orphan_protection_minutes),
        csrf(&ui.session),
        st.settings.orphan_protection_minutes.min(MAX_PROTECTION),
        super::cleanup_schedule::section(
            &ui,
            &crate::service::ui_cleanup::plan(&st.db, st.settings.orphan_cleanup_interval_hours)
                .await?
        ),
    );
    if runs.is_empty() {
        body.push_str("<p class=\"muted\">No cleanup has run yet.</p>");
    } else {
        body.push_str(
            "<table><thead><tr><th scope=\"col\">Run</th><th scope=\"col\">Kind</th>\
             <th scope=\"col\">State</th><th scope=\"col\">Started</th><th scope=\"col\">Figures</th>\
             </tr></thead><tbody>",
        );
        for t in &runs {
            let dry = t.args.contains("\"dry_run\":true");
            let _ = write!(
                body,
                "<tr><td><a href=\"/ui/tasks/{}/\">details</a></td><td>{}</td>\
                 <td><span class=\"state state-{s}\">{s}</span></td><td>{}</td><td>{}</td></tr>",
                t.id,
                if dry {
                    "dry run (would free)"
                } else {
                    "run (freed)"
                },
                time(t.started_at.or(Some(t.created_at))),
                figures(t.result.as_deref()),
                s = t.state.as_str()
            );
        }
        body.push_str("</tbody></table>");
    }
    Ok(page("Cleanup", &ui.session, &body))
}

pub async fn run(st: web::Data<AppState>, ui: Ui, body: web::Bytes) -> UiResult {
    let form = Form::parse(&body);
    form.check(&ui.session)?;
    superuser(&ui)?;
    let dry_run = match form.get("mode") {
        Some("dry_run") => true,
        Some("run") => false,
        _ => {
            return Err(Error::Validation(vec![(
                "mode".into(),
                "Choose Dry run or Run now.".into(),
            )])
            .into())
        }
    };
    // Absent (an older form): the server's protection time.
    let protection = match form.get("protection").map(str::trim) {
        None => st.settings.orphan_protection_minutes.min(MAX_PROTECTION),
        Some(t) => t
            .parse::<u64>()
            .ok()
            .filter(|m| *m <= MAX_PROTECTION)
            .ok_or_else(|| {
                Error::Validation(vec![(
                    "protection".into(),
                    format!("Enter a whole number of minutes from 0 to {MAX_PROTECTION}."),
                )])
            })?,
    };
    let task = orphans::dispatch_run(
        &st.tasks,
        protection as i64,
        None,
        dry_run,
        ui.caller.user_id(),
        Uuid::new_v4().simple().to_string(),
    )
    .await?;
    Ok(see_other(&format!("/ui/tasks/{task}/")))
}

/// A protection time in minutes, as people say it ("24 hours", "90 minutes", "1 minute").
fn age(minutes: u64) -> String {
    let unit = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match minutes {
        m if m >= 60 && m % 60 == 0 => unit(m / 60, "hour"),
        m => unit(m, "minute"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn protection_times_read_as_people_say_them() {
        assert_eq!(super::age(1440), "24 hours");
        assert_eq!(super::age(60), "1 hour");
        assert_eq!(super::age(90), "90 minutes");
        assert_eq!(super::age(1), "1 minute");
        assert_eq!(super::age(0), "0 minutes");
    }
}
