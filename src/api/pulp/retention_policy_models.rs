//! The request and view types of `/pulp/api/v3/retention_policies/` (also their OpenAPI
//! schemas), and the reading of a policy body: every value of the wrong type is collected as a
//! field error (lists and rules by index, `rules[1]: …`) for the service to report together
//! with its own findings, after it has checked what the caller may do.
use super::body::Body;
use super::errors::PulpResult;
use crate::domain::hrefs;
use crate::domain::retention::{RuleSpec, Span};
use crate::error::field_errors as fe;
use crate::service::retention_policies::{NamespaceChoice, PolicyInput, PolicyRow};
use serde_json::Value;
use utoipa::ToSchema;

/// A retention policy to create or replace: which repositories it covers and the rules that
/// decide which of their tags are kept (an image is kept if any rule keeps it).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = berth::RetentionPolicy)]
#[allow(dead_code)]
pub struct RetentionPolicy {
    /// A unique name.
    #[schema(min_length = 1, max_length = 255)]
    name: String,
    /// The namespace whose repositories the policy covers (its href), or null for every
    /// namespace (superusers only). Default null.
    namespace: Option<String>,
    /// Globs on repository names (`*` within a path segment, `**` across); empty: every
    /// repository in scope. Tried against the full name and, in a namespace's policy, the name
    /// within the namespace.
    #[schema(nullable = false)]
    repositories: Option<Vec<String>>,
    /// Globs of repositories the policy never touches.
    #[schema(nullable = false)]
    exclude_repositories: Option<Vec<String>>,
    /// The rules, combined with OR; at least one, at most 50.
    #[schema(min_items = 1, max_items = 50)]
    rules: Vec<RuleSpec>,
    /// Whether scheduled runs happen (default true).
    #[schema(nullable = false)]
    enabled: Option<bool>,
    /// Content younger than this is never removed (default "24h", shown as "1d").
    #[schema(nullable = false, example = "24h")]
    delay: Option<String>,
    /// Whether a run may leave a repository with no tags (default false).
    #[schema(nullable = false)]
    allow_empty: Option<bool>,
    /// How long the versions before a run's version are kept so the run can be undone
    /// (default "7d"; "0s": removed at once).
    #[schema(nullable = false, example = "7d")]
    undo_window: Option<String>,
    /// Run the policy this often (e.g. "1d"), or null for no schedule (default).
    #[schema(example = "1d")]
    schedule: Option<String>,
}

/// Fields of a retention policy to change.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = Patchedberth::RetentionPolicy)]
#[allow(dead_code)]
pub struct PatchedRetentionPolicy {
    #[schema(nullable = false, min_length = 1, max_length = 255)]
    name: Option<String>,
    namespace: Option<String>,
    #[schema(nullable = false)]
    repositories: Option<Vec<String>>,
    #[schema(nullable = false)]
    exclude_repositories: Option<Vec<String>>,
    #[schema(nullable = false, min_items = 1, max_items = 50)]
    rules: Option<Vec<RuleSpec>>,
    #[schema(nullable = false)]
    enabled: Option<bool>,
    #[schema(nullable = false, example = "24h")]
    delay: Option<String>,
    #[schema(nullable = false)]
    allow_empty: Option<bool>,
    #[schema(nullable = false, example = "7d")]
    undo_window: Option<String>,
    #[schema(example = "1d")]
    schedule: Option<String>,
}

/// A retention policy.
#[derive(ToSchema, serde::Serialize)]
#[schema(as = berth::RetentionPolicyResponse)]
pub struct RetentionPolicyResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    name: String,
    /// The namespace's href (its push repositories), or null: every namespace and the plain
    /// container repositories.
    #[schema(required = true)]
    namespace: Option<String>,
    repositories: Vec<String>,
    exclude_repositories: Vec<String>,
    rules: Vec<RuleSpec>,
    enabled: bool,
    /// A duration in its largest whole unit ("1d" for 24 hours).
    delay: String,
    allow_empty: bool,
    undo_window: String,
    #[schema(required = true)]
    schedule: Option<String>,
}

fn span(seconds: i64) -> String {
    Span::from_seconds(seconds)
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("{seconds}s"))
}

impl From<&PolicyRow> for RetentionPolicyResponse {
    fn from(p: &PolicyRow) -> Self {
        RetentionPolicyResponse {
            pulp_href: hrefs::retention_policy(p.id),
            prn: hrefs::prn(hrefs::RETENTION_POLICY_MODEL, p.id),
            pulp_created: hrefs::timestamp(p.created_at),
            pulp_last_updated: hrefs::timestamp(p.updated_at),
            name: p.name.clone(),
            namespace: p.namespace_id.map(hrefs::namespace),
            repositories: serde_json::from_str(&p.repositories).unwrap_or_default(),
            exclude_repositories: serde_json::from_str(&p.exclude_repositories).unwrap_or_default(),
            rules: serde_json::from_str(&p.rules).unwrap_or_default(),
            enabled: p.enabled,
            delay: span(p.delay_seconds),
            allow_empty: p.allow_empty,
            undo_window: span(p.undo_window_seconds),
            schedule: p.schedule_seconds.map(span),
        }
    }
}

/// Reads a create/replace (`partial`: change) body. Unknown fields and a body that is not an
/// object are refused at once; values of the wrong type travel in the input's `errors`.
pub fn parse(bytes: &[u8], partial: bool) -> PulpResult<PolicyInput> {
    let b = match partial {
        true => Body::parse::<PatchedRetentionPolicy>(bytes)?,
        false => Body::parse::<RetentionPolicy>(bytes)?,
    };
    let mut errors = vec![];
    let mut err = |f: &str, m: String| errors.push((f.to_string(), m));
    let name = match b.get("name") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) => {
            err("name", fe::NULL.into());
            None
        }
        Some(_) => {
            err("name", fe::NOT_STRING.into());
            None
        }
    };
    let namespace = match b.get("namespace") {
        None => None,
        Some(Value::Null) => Some(NamespaceChoice::Every),
        Some(Value::String(h)) => Some(
            hrefs::parse_id(h, NS_PREFIX, hrefs::NAMESPACE_MODEL)
                .map_or(NamespaceChoice::Unknown, NamespaceChoice::Id),
        ),
        Some(_) => {
            err("namespace", fe::NOT_URL.into());
            None
        }
    };
    let repositories = strings(&b, "repositories", &mut err);
    let exclude_repositories = strings(&b, "exclude_repositories", &mut err);
    let rules = rules(&b, &mut err);
    let enabled = flag(&b, "enabled", &mut err);
    let allow_empty = flag(&b, "allow_empty", &mut err);
    let delay = duration(&b, "delay", &mut err).flatten();
    let undo_window = duration(&b, "undo_window", &mut err).flatten();
    let schedule = match b.get("schedule") {
        Some(Value::Null) => Some(None),
        _ => duration(&b, "schedule", &mut err),
    };
    Ok(PolicyInput {
        name,
        namespace,
        repositories,
        exclude_repositories,
        rules,
        enabled,
        delay,
        allow_empty,
        undo_window,
        schedule,
        errors,
    })
}

const NS_PREFIX: &str = super::namespaces::PREFIX;

type Report<'a> = dyn FnMut(&str, String) + 'a;

/// A list of strings.
fn strings(b: &Body, key: &str, err: &mut Report) -> Option<Vec<String>> {
    let items = list(b, key, err)?;
    let mut out = vec![];
    for (i, v) in items.iter().enumerate() {
        match v {
            Value::String(s) => out.push(s.clone()),
            _ => err(key, format!("{key}[{i}]: {}", fe::NOT_STRING)),
        }
    }
    (out.len() == items.len()).then_some(out)
}

/// The items of a JSON list (an error for `null` or any other value).
fn list<'b>(b: &'b Body, key: &str, err: &mut Report) -> Option<&'b Vec<Value>> {
    match b.get(key)? {
        Value::Array(items) => Some(items),
        Value::Null => {
            err(key, fe::NULL.into());
            None
        }
        _ => {
            err(key, fe::NOT_LIST.into());
            None
        }
    }
}

/// The rules, each read as a `RuleSpec` (unknown keys, wrong types and bad durations named
/// with the rule's index; a rule that could not be read is `None`, so the service still checks
/// the others under their own index).
fn rules(b: &Body, err: &mut Report) -> Option<Vec<Option<RuleSpec>>> {
    let items = list(b, "rules", err)?;
    let read = |(i, v): (usize, &Value)| {
        if !v.is_object() {
            return Err(format!(
                "rules[{i}]: a rule is an object, e.g. {{\"tags\": \"v.*\", \"latest_pushed\": 5}}"
            ));
        }
        serde_json::from_value::<RuleSpec>(v.clone()).map_err(|e| format!("rules[{i}]: {e}"))
    };
    let rules = items
        .iter()
        .enumerate()
        .map(read)
        .map(|r| r.map_err(|e| err("rules", e)).ok())
        .collect();
    Some(rules)
}

fn flag(b: &Body, key: &str, err: &mut Report) -> Option<bool> {
    b.boolean(key).unwrap_or_else(|_| {
        err(key, fe::NOT_BOOLEAN.into());
        None
    })
}

/// A duration string: `None` absent (or wrong), `Some(None)` null (an error unless the caller
/// handled `null` first).
fn duration(b: &Body, key: &str, err: &mut Report) -> Option<Option<Span>> {
    match b.get(key)? {
        Value::String(s) => match s.parse::<Span>() {
            Ok(span) => Some(Some(span)),
            Err(e) => {
                err(key, e);
                None
            }
        },
        Value::Null => {
            err(key, fe::NULL.into());
            None
        }
        _ => {
            err(key, fe::NOT_STRING.into());
            None
        }
    }
}
