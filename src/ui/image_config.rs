//! The Image page's reading of an image config: when it was made, for which platform, what it
//! runs (entrypoint, command, environment, working directory, user, ports), and its history
//! lined up with the manifest's layers (each entry that is not an `empty_layer` made the next
//! layer). Pure rendering of the config JSON; every value is escaped.
use super::html::{bytes, esc, short_digest};
use crate::domain::manifest::Descriptor;
use serde_json::Value;
use std::fmt::Write as _;

/// A string, or a JSON array of strings shown as a shell-like word list.
fn words(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) if !a.is_empty() => Some(
            a.iter()
                .map(|w| match w.as_str() {
                    Some(s) if !s.is_empty() && !s.contains([' ', '"', '\'']) => s.to_string(),
                    Some(s) => format!("\"{}\"", s.replace('"', "\\\"")),
                    None => w.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

/// A config timestamp, shown to the minute (as the rest of the UI) with the whole value kept.
fn created(v: &Value) -> Option<String> {
    let s = v.as_str()?;
    Some(match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(t) => super::html::time(Some(t.with_timezone(&chrono::Utc))),
        Err(_) => esc(s),
    })
}

/// Created date, platform and what the image runs, as a definition list.
pub fn summary(cfg: &Value) -> String {
    let c = &cfg["config"];
    let mut out = String::from("<h2>Configuration</h2><dl class=\"config\">");
    let mut item = |k: &str, v: String| {
        let _ = write!(out, "<dt>{k}</dt><dd>{v}</dd>");
    };
    if let Some(t) = created(&cfg["created"]) {
        item("Created", t);
    }
    let platform = [&cfg["os"], &cfg["architecture"], &cfg["variant"]]
        .iter()
        .filter_map(|x| x.as_str())
        .collect::<Vec<_>>()
        .join("/");
    if !platform.is_empty() {
        item("Platform", esc(&platform));
    }
    for (key, label) in [("Entrypoint", "Entrypoint"), ("Cmd", "Command")] {
        if let Some(w) = words(&c[key]) {
            item(label, format!("<code>{}</code>", esc(&w)));
        }
    }
    for (key, label) in [("WorkingDir", "Working directory"), ("User", "User")] {
        if let Some(s) = c[key].as_str().filter(|s| !s.is_empty()) {
            item(label, format!("<code>{}</code>", esc(s)));
        }
    }
    if let Some(Value::Object(ports)) = c.get("ExposedPorts") {
        let list = ports.keys().map(|p| esc(p)).collect::<Vec<_>>().join(", ");
        if !list.is_empty() {
            item("Ports", list);
        }
    }
    if let Some(Value::Array(env)) = c.get("Env") {
        let list: String = env
            .iter()
            .filter_map(|e| e.as_str())
            .map(|e| format!("<li><code>{}</code></li>", esc(e)))
            .collect();
        if !list.is_empty() {
            item("Environment", format!("<ul class=\"plain\">{list}</ul>"));
        }
    }
    out.push_str("</dl>");
    out
}

/// The config's history as a table, each non-empty entry beside the layer it made.
pub fn history(cfg: &Value, layers: &[Descriptor]) -> String {
    let Some(Value::Array(h)) = cfg.get("history") else {
        return String::new();
    };
    if h.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<h2>History</h2><div class=\"scroll\"><table class=\"history\"><thead><tr>\
         <th scope=\"col\">Created</th><th scope=\"col\">Step</th>\
         <th scope=\"col\">Layer</th><th scope=\"col\" class=\"num\">Size</th>\
         </tr></thead><tbody>",
    );
    let mut next = layers.iter();
    for e in h {
        let empty = e["empty_layer"].as_bool().unwrap_or(false);
        let layer = if empty { None } else { next.next() };
        let step = e["created_by"].as_str().unwrap_or("");
        let step = step
            .strip_prefix("/bin/sh -c #(nop) ")
            .unwrap_or(step)
            .trim();
        let comment = match e["comment"].as_str().filter(|c| !c.is_empty()) {
            Some(c) => format!("<br><span class=\"muted\">{}</span>", esc(c)),
            None => String::new(),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td><code class=\"step\">{}</code>{comment}</td><td>{}</td>\
             <td class=\"num\">{}</td></tr>",
            created(&e["created"]).unwrap_or_default(),
            esc(step),
            match layer {
                Some(l) => short_digest(&l.digest.to_string()),
                None => "<span class=\"muted\">no layer</span>".into(),
            },
            layer.map(|l| bytes(l.size as i64)).unwrap_or_default(),
        );
    }
    out.push_str("</tbody></table></div>");
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn history_entries_line_up_with_the_layers_they_made() {
        let cfg = json!({"history": [
            {"created_by": "ADD file:1 in /", "created": "2024-01-02T03:04:05Z"},
            {"created_by": "/bin/sh -c #(nop) CMD [\"sh\"]", "empty_layer": true},
            {"created_by": "RUN <script>", "comment": "buildkit"}
        ]});
        let layer = |c: &str, size| crate::domain::manifest::Descriptor {
            media_type: "a".into(),
            digest: format!("sha256:{}", c.repeat(64)).parse().unwrap(),
            size,
            artifact_type: None,
            annotations: Default::default(),
            foreign: false,
        };
        let layers = [layer("1", 10), layer("2", 2048)];
        let html = super::history(&cfg, &layers);
        let rows: Vec<&str> = html.split("<tr>").skip(2).collect();
        assert!(rows[0].contains("111111111111") && rows[0].contains("10 B"));
        assert!(rows[1].contains("CMD [&quot;sh&quot;]") && rows[1].contains("no layer"));
        assert!(rows[2].contains("222222222222") && rows[2].contains("2.0 KiB"));
        assert!(rows[2].contains("&lt;script&gt;") && rows[2].contains("buildkit"));
    }

    #[test]
    fn the_summary_shows_what_the_image_runs() {
        let cfg = json!({"created": "2024-01-02T03:04:05Z", "os": "linux",
            "architecture": "arm64", "variant": "v8",
            "config": {"Entrypoint": ["/bin/app", "--flag x"], "Cmd": ["serve"],
                       "Env": ["PATH=/bin", "A=<b>"], "WorkingDir": "/srv"}});
        let html = super::summary(&cfg);
        assert!(html.contains("linux/arm64/v8"));
        assert!(html.contains("/bin/app &quot;--flag x&quot;"));
        assert!(html.contains("A=&lt;b&gt;"));
        assert!(html.contains("2024-01-02 03:04"));
        assert!(html.contains("/srv"));
    }
}
