//! Retention policies (a berth extension): who may manage which, and what makes a policy valid.
//! Superusers manage every policy, including those for every namespace (`namespace: null`);
//! a user manages the policies of the namespaces on which they hold
//! `container.delete_containernamespace` (the namespace owner role): a policy removes a
//! namespace's images, so it takes the right to remove the namespace itself. A policy the
//! caller does not manage is not found (404) for them, and lists show only what they manage.
//! Whether the caller may put a policy where it asks is checked before what is wrong with the
//! rest of the body (as Pulp checks permissions before validation); `validate` then reports
//! every problem at once.
mod validate;

use crate::domain::permissions::{self as perm, ObjectType};
use crate::domain::query::{ListQuery, RetentionPolicyFilter as F, RetentionPolicyOrder as O};
use crate::domain::retention::{RuleSpec, Span};
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::repo::retention_policies::{self as q, PolicyFields, Written};
use crate::repo::Db;
use crate::service::policy::{sees_namespace, Caller};
use uuid::Uuid;

pub use crate::repo::retention_policies::PolicyRow;
pub use validate::{
    policy_of, DEFAULT_DELAY_SECONDS, DEFAULT_UNDO_WINDOW_SECONDS, MAX_NAME, MAX_PATTERNS,
    MIN_SCHEDULE_SECONDS,
};

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

/// What `input` would make of policy `old` (`None`: a new policy), checked as
/// [`create`]/[`update`] check it but not stored: what a form previews before Save. A new
/// policy has the nil id.
pub async fn draft(
    db: &Db,
    c: &Caller,
    old: Option<Uuid>,
    input: PolicyInput,
) -> Result<PolicyRow> {
    let old = match old {
        Some(id) => Some(get_managed(db, c, id).await?),
        None => None,
    };
    let f = checked(db, c, old.as_ref(), input, false).await?;
    let now = chrono::Utc::now();
    Ok(PolicyRow {
        id: old.as_ref().map_or(Uuid::nil(), |o| o.id),
        name: f.name,
        namespace_id: f.namespace_id,
        repositories: f.repositories,
        exclude_repositories: f.exclude_repositories,
        rules: f.rules,
        enabled: f.enabled,
        delay_seconds: f.delay_seconds,
        allow_empty: f.allow_empty,
        undo_window_seconds: f.undo_window_seconds,
        schedule_seconds: f.schedule_seconds,
        created_at: old.as_ref().map_or(now, |o| o.created_at),
        updated_at: now,
    })
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
/// goes with its policy when the policy is deleted).
async fn sync_schedule(db: &Db, id: Uuid) -> Result<()> {
    crate::service::task_schedules::sync_policy(db, id).await
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
/// The columns to write, the namespace first (see [`namespace_of`]), then every other field.
async fn checked(
    db: &Db,
    c: &Caller,
    old: Option<&PolicyRow>,
    input: PolicyInput,
    partial: bool,
) -> Result<PolicyFields> {
    let mut errors = vec![];
    let namespace_id = namespace_of(db, c, old, input.namespace, &mut errors).await?;
    validate::fields(old, input, partial, namespace_id, errors)
}
