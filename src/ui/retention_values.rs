//! The retention editor's values: a policy as the form's text fields (rules as rows), read
//! from a POSTed form or a stored policy, and turned into the service's `PolicyInput` (values
//! not even of the right type, such as "soon" for a duration, become its field errors).
use super::session::Form;
use crate::domain::retention::{RuleSpec, Span};
use crate::service::retention_policies::{self as policies, NamespaceChoice, PolicyInput};
use uuid::Uuid;

/// Most rule rows a form reads.
pub const MAX_ROWS: usize = 50;
pub const KEEPS: [(&str, &str); 5] = [
    ("latest_pushed", "newest N pushed"),
    ("latest_pulled", "newest N pulled"),
    ("pushed_within", "pushed within"),
    ("pulled_within", "pulled within"),
    ("always", "always"),
];

/// One rule row as the form shows it.
#[derive(Default, Clone)]
pub struct Row {
    pub tags: String,
    pub exclude: String,
    pub untagged: bool,
    pub keep: String,
    pub value: String,
}

/// The form's values as text.
#[derive(Default)]
pub struct Values {
    pub name: String,
    pub repositories: String,
    pub exclude: String,
    pub rules: Vec<Row>,
    pub delay: String,
    pub undo: String,
    pub allow_empty: bool,
    pub schedule: String,
    pub enabled: bool,
}

fn span(s: i64) -> String {
    Span::from_seconds(s)
        .map(|s| s.to_string())
        .unwrap_or_default()
}

fn row_of(r: &RuleSpec) -> Row {
    let (keep, value) = match r {
        RuleSpec {
            latest_pushed: Some(n),
            ..
        } => ("latest_pushed", n.to_string()),
        RuleSpec {
            latest_pulled: Some(n),
            ..
        } => ("latest_pulled", n.to_string()),
        RuleSpec {
            pushed_within: Some(s),
            ..
        } => ("pushed_within", s.to_string()),
        RuleSpec {
            pulled_within: Some(s),
            ..
        } => ("pulled_within", s.to_string()),
        RuleSpec {
            always: Some(_), ..
        } => ("always", String::new()),
        _ => ("", String::new()),
    };
    Row {
        tags: r.tags.clone().unwrap_or_default(),
        exclude: r.exclude_tags.clone().unwrap_or_default(),
        untagged: r.untagged,
        keep: keep.into(),
        value,
    }
}

impl Values {
    pub fn new_policy() -> Values {
        Values {
            repositories: "*".into(),
            delay: span(policies::DEFAULT_DELAY_SECONDS),
            undo: span(policies::DEFAULT_UNDO_WINDOW_SECONDS),
            enabled: true,
            ..Default::default()
        }
    }

    pub fn of(p: &policies::PolicyRow) -> Values {
        let list = |t: &str| {
            serde_json::from_str::<Vec<String>>(t)
                .unwrap_or_default()
                .join("\n")
        };
        let rules: Vec<RuleSpec> = serde_json::from_str(&p.rules).unwrap_or_default();
        Values {
            name: p.name.clone(),
            repositories: list(&p.repositories),
            exclude: list(&p.exclude_repositories),
            rules: rules.iter().map(row_of).collect(),
            delay: span(p.delay_seconds),
            undo: span(p.undo_window_seconds),
            allow_empty: p.allow_empty,
            schedule: p.schedule_seconds.map(span).unwrap_or_default(),
            enabled: p.enabled,
        }
    }

    /// The values of a POSTed form (blank rule rows dropped).
    pub fn read(f: &Form) -> Values {
        let get = |k: &str| f.get(k).unwrap_or("").trim().to_string();
        let rules = (0..MAX_ROWS)
            .map(|i| Row {
                tags: get(&format!("r{i}_tags")),
                exclude: get(&format!("r{i}_exclude")),
                untagged: f.get(&format!("r{i}_untagged")).is_some(),
                keep: get(&format!("r{i}_keep")),
                value: get(&format!("r{i}_value")),
            })
            .filter(|r| {
                !(r.tags.is_empty() && r.exclude.is_empty() && !r.untagged && r.keep.is_empty())
            })
            .collect();
        Values {
            name: get("name"),
            repositories: get("repositories"),
            exclude: get("exclude_repositories"),
            rules,
            delay: get("delay"),
            undo: get("undo_window"),
            allow_empty: f.get("allow_empty").is_some(),
            schedule: get("schedule"),
            enabled: f.get("enabled").is_some(),
        }
    }

    /// The service's input; values that are not even of the right type are its `errors`.
    pub fn input(&self, namespace: Option<Uuid>) -> PolicyInput {
        let mut errors = vec![];
        let mut dur = |field: &str, text: &str| match text.parse::<Span>() {
            Ok(s) => Some(s),
            Err(e) => {
                errors.push((field.to_string(), e));
                None
            }
        };
        let delay = dur("delay", &self.delay);
        let undo_window = dur("undo_window", &self.undo);
        let schedule = match self.schedule.as_str() {
            "" => Some(None),
            s => dur("schedule", s).map(Some),
        };
        let lines = |t: &str| -> Vec<String> {
            t.split(['\n', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        let mut rules = vec![];
        for (i, r) in self.rules.iter().enumerate() {
            let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
            let mut spec = RuleSpec {
                tags: opt(&r.tags),
                exclude_tags: opt(&r.exclude),
                untagged: r.untagged,
                ..Default::default()
            };
            let mut bad = |m: String| errors.push(("rules".into(), format!("rules[{i}]: {m}")));
            let count = |v: &str| {
                v.parse::<u32>()
                    .map_err(|_| format!("'{v}' is not a count"))
            };
            match r.keep.as_str() {
                "latest_pushed" => spec.latest_pushed = count(&r.value).map_err(&mut bad).ok(),
                "latest_pulled" => spec.latest_pulled = count(&r.value).map_err(&mut bad).ok(),
                "pushed_within" => spec.pushed_within = r.value.parse().map_err(&mut bad).ok(),
                "pulled_within" => spec.pulled_within = r.value.parse().map_err(&mut bad).ok(),
                "always" => spec.always = Some(true),
                _ => {}
            }
            rules.push(Some(spec));
        }
        PolicyInput {
            name: Some(self.name.clone()),
            namespace: namespace.map(NamespaceChoice::Id),
            repositories: Some(lines(&self.repositories)),
            exclude_repositories: Some(lines(&self.exclude)),
            rules: Some(rules),
            enabled: Some(self.enabled),
            delay,
            allow_empty: Some(self.allow_empty),
            undo_window,
            schedule,
            errors,
        }
    }
}
