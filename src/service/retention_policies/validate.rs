//! What makes a retention policy valid, field by field (patterns and rules named by index),
//! with every problem reported at once; the final word is `domain::retention::Policy::new`.
use super::{PolicyInput, PolicyRow};
use crate::domain::retention::{Glob, Policy, Rule, RuleSpec, Span, MAX_RULES};
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::repo::retention_policies::PolicyFields;
use uuid::Uuid;

/// Longest policy name.
pub const MAX_NAME: usize = 255;
/// Most patterns in `repositories` or `exclude_repositories`.
pub const MAX_PATTERNS: usize = 100;
/// Shortest schedule interval.
pub const MIN_SCHEDULE_SECONDS: i64 = 60;
/// Defaults of the optional fields.
pub const DEFAULT_DELAY_SECONDS: i64 = 86_400;
pub const DEFAULT_UNDO_WINDOW_SECONDS: i64 = 7 * 86_400;

/// The columns to write: `input` over `old` (an update) or over the defaults (a create), in
/// `namespace_id`; every problem reported at once, after those already in `errors`.
pub(super) fn fields(
    old: Option<&PolicyRow>,
    input: PolicyInput,
    partial: bool,
    namespace_id: Option<Uuid>,
    mut errors: Vec<(String, String)>,
) -> Result<PolicyFields> {
    errors.extend(input.errors.iter().cloned());
    let reported = |errors: &[(String, String)], f: &str| errors.iter().any(|(k, _)| k == f);
    let required = |given: bool, f: &str, errors: &mut Vec<(String, String)>| {
        if !given && !partial && !reported(errors, f) {
            errors.push((f.into(), fe::REQUIRED.into()));
        }
    };
    required(input.name.is_some(), "name", &mut errors);
    required(input.rules.is_some(), "rules", &mut errors);
    if let Some(n) = &input.name {
        if n.trim().is_empty() {
            errors.push(("name".into(), fe::BLANK.into()));
        } else if n.chars().count() > MAX_NAME {
            errors.push(("name".into(), fe::max_length(MAX_NAME)));
        }
    }
    for (field, patterns) in [
        ("repositories", &input.repositories),
        ("exclude_repositories", &input.exclude_repositories),
    ] {
        check_patterns(field, patterns.as_deref(), &mut errors);
    }
    if let Some(rules) = &input.rules {
        check_rules(rules, &mut errors);
    }
    let rules: Option<Vec<RuleSpec>> = input.rules.map(|r| r.into_iter().flatten().collect());
    if let Some(Some(s)) = input.schedule {
        if s.seconds() < MIN_SCHEDULE_SECONDS {
            errors.push((
                "schedule".into(),
                format!(
                    "'{s}' is too short: a schedule runs the policy at most once a minute \
                     (\"1m\"); use null for no schedule"
                ),
            ));
        }
    }
    if !errors.is_empty() {
        // Within a field, by index (`rules[2]: …` after `rules[0]: …`, whichever layer found it).
        errors.sort_by_key(|(f, m)| (f.clone(), index_of(f, m)));
        return Err(Error::Validation(errors));
    }
    let (o_repos, o_excl, o_rules) = match old {
        Some(o) => (
            o.repositories.clone(),
            o.exclude_repositories.clone(),
            o.rules.clone(),
        ),
        None => ("[]".into(), "[]".into(), "[]".into()),
    };
    let fields = PolicyFields {
        name: input
            .name
            .or_else(|| old.map(|o| o.name.clone()))
            .unwrap_or_default(),
        namespace_id,
        repositories: input.repositories.as_ref().map_or(o_repos, |v| json(v)),
        exclude_repositories: input
            .exclude_repositories
            .as_ref()
            .map_or(o_excl, |v| json(v)),
        rules: rules.as_ref().map_or(o_rules, |v| json(v)),
        enabled: input.enabled.or(old.map(|o| o.enabled)).unwrap_or(true),
        delay_seconds: input
            .delay
            .map(Span::seconds)
            .or(old.map(|o| o.delay_seconds))
            .unwrap_or(DEFAULT_DELAY_SECONDS),
        allow_empty: input
            .allow_empty
            .or(old.map(|o| o.allow_empty))
            .unwrap_or(false),
        undo_window_seconds: input
            .undo_window
            .map(Span::seconds)
            .or(old.map(|o| o.undo_window_seconds))
            .unwrap_or(DEFAULT_UNDO_WINDOW_SECONDS),
        schedule_seconds: match input.schedule {
            Some(s) => s.map(Span::seconds),
            None => old.and_then(|o| o.schedule_seconds),
        },
    };
    policy_of(&fields).map_err(fe::non_field)?;
    Ok(fields)
}

/// The checked policy the stored columns describe (what the evaluation uses).
pub fn policy_of(f: &PolicyFields) -> std::result::Result<Policy, String> {
    let list = |text: &str| serde_json::from_str::<Vec<String>>(text).map_err(|e| e.to_string());
    let rules: Vec<RuleSpec> = serde_json::from_str(&f.rules).map_err(|e| e.to_string())?;
    let span = |s: i64| Span::from_seconds(s).ok_or_else(|| format!("{s} s is not a duration"));
    Policy::new(
        &list(&f.repositories)?,
        &list(&f.exclude_repositories)?,
        &rules,
        span(f.delay_seconds)?,
        f.allow_empty,
        span(f.undo_window_seconds)?,
    )
}

fn check_patterns(field: &str, patterns: Option<&[String]>, errors: &mut Vec<(String, String)>) {
    let Some(patterns) = patterns else { return };
    if patterns.len() > MAX_PATTERNS {
        errors.push((
            field.into(),
            format!("at most {MAX_PATTERNS} patterns are allowed"),
        ));
        return;
    }
    for (i, p) in patterns.iter().enumerate() {
        if let Err(e) = Glob::new(p) {
            errors.push((field.into(), format!("{field}[{i}]: {e}")));
        }
    }
}

fn check_rules(rules: &[Option<RuleSpec>], errors: &mut Vec<(String, String)>) {
    if rules.is_empty() {
        errors.push((
            "rules".into(),
            "a policy needs at least one rule (with none it would remove every tag)".into(),
        ));
        return;
    }
    if rules.len() > MAX_RULES {
        errors.push((
            "rules".into(),
            format!("a policy may have at most {MAX_RULES} rules"),
        ));
        return;
    }
    let read = rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.as_ref()?)));
    for (i, spec) in read {
        let keys = keep_keys(spec);
        if keys.len() != 1 {
            let has = match keys.len() {
                0 => "it has none".to_string(),
                n => format!("it has {n}: {}", keys.join(", ")),
            };
            errors.push((
                "rules".into(),
                format!(
                    "rules[{i}]: a rule needs exactly one of latest_pushed, latest_pulled, \
                     pushed_within, pulled_within, always; {has}"
                ),
            ));
        } else if let Err(e) = Rule::new(spec) {
            errors.push(("rules".into(), format!("rules[{i}]: {e}")));
        }
        for (key, n) in [
            ("latest_pushed", spec.latest_pushed),
            ("latest_pulled", spec.latest_pulled),
        ] {
            if n == Some(0) {
                errors.push((
                    "rules".into(),
                    format!(
                        "rules[{i}]: {key} must be at least 1 (a rule that keeps none keeps nothing)"
                    ),
                ));
            }
        }
    }
}

/// `N` of a message starting `field[N]: `.
fn index_of(field: &str, message: &str) -> Option<usize> {
    let rest = message.strip_prefix(field)?.strip_prefix('[')?;
    rest.split_once("]: ")?.0.parse().ok()
}

/// The keep keys a rule gives.
fn keep_keys(spec: &RuleSpec) -> Vec<&'static str> {
    [
        ("latest_pushed", spec.latest_pushed.is_some()),
        ("latest_pulled", spec.latest_pulled.is_some()),
        ("pushed_within", spec.pushed_within.is_some()),
        ("pulled_within", spec.pulled_within.is_some()),
        ("always", spec.always.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, given)| given.then_some(k))
    .collect()
}

/// A list of patterns or rules as the JSON text the table stores.
fn json<T: serde::Serialize>(v: &[T]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(j: serde_json::Value) -> Option<RuleSpec> {
        Some(serde_json::from_value(j).unwrap())
    }

    #[test]
    fn rule_problems_are_named_by_index_and_unreadable_rules_are_skipped() {
        let mut errors = vec![];
        let rules = [
            rule(serde_json::json!({"always": true})),
            None,
            rule(serde_json::json!({"latest_pushed": 0})),
            rule(serde_json::json!({"tags": "v.*"})),
        ];
        check_rules(&rules, &mut errors);
        let got: Vec<&str> = errors.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].starts_with("rules[2]: latest_pushed must be at least 1"));
        assert!(got[1].starts_with("rules[3]: a rule needs exactly one of"));
        assert!(got[1].ends_with("; it has none"));
        assert_eq!(index_of("rules", "rules[12]: x"), Some(12));
        assert_eq!(index_of("rules", "a policy needs"), None);
    }

    #[test]
    fn stored_columns_make_the_domain_policy() {
        let f = PolicyFields {
            name: "p".into(),
            namespace_id: None,
            repositories: r#"["app/*"]"#.into(),
            exclude_repositories: "[]".into(),
            rules: r#"[{"tags": "v.*", "latest_pushed": 2}]"#.into(),
            enabled: true,
            delay_seconds: DEFAULT_DELAY_SECONDS,
            allow_empty: false,
            undo_window_seconds: 0,
            schedule_seconds: None,
        };
        let p = policy_of(&f).unwrap();
        assert!(p.covers("app/web", None) && !p.covers("db/pg", None));
        assert_eq!(p.delay.seconds(), 86_400);
        assert!(policy_of(&PolicyFields {
            rules: "{".into(),
            ..f
        })
        .is_err());
    }
}
