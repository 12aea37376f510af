//! Retention policies (a berth extension): who may manage which, and what makes a policy valid.
//! Superusers manage every policy, including those for every namespace (`namespace: null`);
//! a user manages the policies of the namespaces on which they hold
//! `container.delete_containernamespace` (the namespace owner role): a policy removes a
//! namespace's images, so it takes the right to remove the namespace itself. A policy the
//! caller does not manage is not found (404) for them, and lists show only what they manage.
//! Validation reports every problem at once, each under its field, in the order DRF would; a
//! valid policy is what `domain::retention::Policy::new` accepts, plus at least one rule.
use crate::domain::permissions::{self as perm, ObjectType};
use crate::domain::query::{ListQuery, RetentionPolicyFilter as F, RetentionPolicyOrder as O};
use crate::domain::retention::{Glob, Policy, Rule, RuleSpec, Span, MAX_RULES};
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::repo::retention_policies::{self as q, PolicyFields, Written};
use crate::repo::Db;
use crate::service::policy::{sees_namespace, Caller};
use uuid::Uuid;

pub use crate::repo::retention_policies::PolicyRow;

/// Longest policy name.
pub const MAX_NAME: usize = 255;
/// Most patterns in `repositories` or `exclude_repositories`.
pub const MAX_PATTERNS: usize = 100;
/// Shortest schedule interval.
pub const MIN_SCHEDULE_SECONDS: i64 = 60;
/// Defaults of the optional fields.
pub const DEFAULT_DELAY_SECONDS: i64 = 86_400;
pub const DEFAULT_UNDO_WINDOW_SECONDS: i64 = 7 * 86_400;

/// What a request gives (`None`: not given). Values that were not even of the right type are
/// in `errors` (field, message), reported with the service's own findings.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    pub name: Option<String>,
    pub namespace: Option<NamespaceChoice>,
    pub repositories: Option<Vec<String>>,
    pub exclude_repositories: Option<Vec<String>>,
    /// The rules; `None` items could not be read (their error is in `errors`).
    pub rules: Option<Vec<Option<RuleSpec>>>,
    pub enabled: Option<bool>,
    pub delay: Option<Span>,
    pub allow_empty: Option<bool>,
    pub undo_window: Option<Span>,
    /// `Some(None)`: no schedule (`null`).
    pub schedule: Option<Option<Span>>,
    pub errors: Vec<(String, String)>,
}

/// The namespace a request names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceChoice {
    /// `null`: every namespace.
    Every,
    Id(Uuid),
    /// A value that names no namespace.
    Unknown,
}

/// Whether the caller manages the policies of `namespace` (`None`: every namespace).
pub fn may_manage(c: &Caller, namespace: Option<Uuid>) -> bool {
    match namespace {
        _ if c.is_admin() => true,
        None => false,
        Some(ns) => c.on(ObjectType::Namespace, ns, perm::DELETE_NAMESPACE),
    }
}

/// The policies the caller manages, as list filters (none: all of them).
fn scope(c: &Caller) -> Vec<F> {
    if c.is_admin() {
        vec![]
    } else if c.global(perm::DELETE_NAMESPACE) {
        vec![F::EveryNamespace(false)]
    } else {
        vec![F::NamespaceIn(c.objects_with(
            ObjectType::Namespace,
            &[perm::DELETE_NAMESPACE],
        ))]
    }
}

/// The policies the caller manages that `q` selects.
pub async fn list(db: &Db, c: &Caller, q: ListQuery<F, O>) -> Result<(u64, Vec<PolicyRow>)> {
    let mut q = q;
    let mut filters = scope(c);
    filters.append(&mut q.filters);
    q.filters = filters;
    Ok(q::list(&db.conn, &q).await?)
}

/// Policy `id`, when the caller manages it (404 otherwise: a policy one may not manage is one
/// one does not see). The check for every action on one policy (read, update, delete,
/// preview, run).
pub async fn get_managed(db: &Db, caller: &Caller, id: Uuid) -> Result<PolicyRow> {
    q::get(&db.conn, id)
        .await?
        .filter(|p| may_manage(caller, p.namespace_id))
        .ok_or_else(|| Error::NotFound("retention policy".into()))
}

/// Creates a policy (201 with the row).
pub async fn create(db: &Db, c: &Caller, input: PolicyInput) -> Result<PolicyRow> {
    let fields = checked(db, c, None, input, false).await?;
    let txn = db.begin_write().await?;
    let id = written(q::insert(&*txn, &fields).await?)?;
    txn.commit().await?;
    sync_schedule(db, id).await?;
    get(db, id).await
}

/// Replaces (`partial`: changes) policy `id`, which the caller must manage.
pub async fn update(
    db: &Db,
    c: &Caller,
    id: Uuid,
    input: PolicyInput,
    partial: bool,
) -> Result<PolicyRow> {
    let old = get_managed(db, c, id).await?;
    let fields = checked(db, c, Some(&old), input, partial).await?;
    if fields == PolicyFields::of(&old) {
        return Ok(old);
    }
    let txn = db.begin_write().await?;
    written(q::update(&*txn, id, &fields).await?)?;
    txn.commit().await?;
    sync_schedule(db, id).await?;
    get(db, id).await
}

/// Deletes policy `id`, which the caller must manage (its schedule goes with it).
pub async fn delete(db: &Db, c: &Caller, id: Uuid) -> Result<()> {
    get_managed(db, c, id).await?;
    let txn = db.begin_write().await?;
    let gone = q::delete(&*txn, id).await?;
    txn.commit().await?;
    if !gone {
        return Err(Error::NotFound("retention policy".into()));
    }
    Ok(())
}

async fn get(db: &Db, id: Uuid) -> Result<PolicyRow> {
    q::get(&db.conn, id)
        .await?
        .ok_or_else(|| Error::NotFound("retention policy".into()))
}

fn written(w: Written) -> Result<Uuid> {
    match w {
        Written::Done(id) => Ok(id),
        Written::NameTaken => Err(fe::field("name", fe::UNIQUE)),
        Written::Gone => Err(Error::NotFound("retention policy".into())),
    }
}

/// Keeps the policy's task schedule in step with its `schedule` and `enabled` (a schedule row
/// goes with its policy when the policy is deleted). The task schedules live in
/// `service::task_schedules`, built beside this module: its `sync_policy(db, id)` is called
/// here once both are merged.
async fn sync_schedule(_db: &Db, _id: Uuid) -> Result<()> {
    Ok(())
}

/// The namespace the policy will have: whether the caller may put it there comes first (403
/// for a namespace they see but do not manage, and for every namespace unless they are a
/// superuser); a namespace that does not exist or that they do not see is a field error.
async fn namespace_of(
    db: &Db,
    c: &Caller,
    old: Option<&PolicyRow>,
    choice: Option<NamespaceChoice>,
    errors: &mut Vec<(String, String)>,
) -> Result<Option<Uuid>> {
    let wanted = match (choice, old) {
        (None, Some(o)) => return Ok(o.namespace_id),
        (None, None) | (Some(NamespaceChoice::Every), _) => None,
        (Some(NamespaceChoice::Id(id)), _) => Some(id),
        (Some(NamespaceChoice::Unknown), _) => {
            errors.push(("namespace".into(), fe::NO_OBJECT.into()));
            return Ok(None);
        }
    };
    let Some(ns) = wanted else {
        if !may_manage(c, None) {
            return Err(Error::Forbidden(
                "Only superusers may manage policies for every namespace (namespace: null); \
                 name a namespace you own."
                    .into(),
            ));
        }
        return Ok(None);
    };
    let exists = crate::repo::namespaces::get(&db.conn, ns).await?.is_some();
    if !exists || !sees_namespace(c, ns) {
        errors.push(("namespace".into(), fe::NO_OBJECT.into()));
        return Ok(None);
    }
    if !may_manage(c, Some(ns)) {
        return Err(Error::Denied);
    }
    Ok(Some(ns))
}

/// The columns to write: `input` over `old` (an update) or over the defaults (a create), every
/// problem reported at once.
async fn checked(
    db: &Db,
    c: &Caller,
    old: Option<&PolicyRow>,
    input: PolicyInput,
    partial: bool,
) -> Result<PolicyFields> {
    let mut errors = vec![];
    let namespace_id = namespace_of(db, c, old, input.namespace, &mut errors).await?;
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
