//! Who may do what: the caller (anonymous, a user or a superuser) with every permission their
//! roles grant, loaded once per request, and the rules of Pulp's access policies for namespaces,
//! distributions, push repositories and the registry (pulp-api.md §11, §14.4). Superusers pass
//! every check. Objects a caller may not see are reported as not found, never as forbidden.
use crate::domain::permissions::{self as perm, ObjectType};
use crate::error::{Error, Result};
use crate::repo::{distributions, namespaces, roles, Db};
use crate::service::auth::Principal;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The caller of one request and what they are granted.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub principal: Option<Principal>,
    global: HashSet<String>,
    objects: HashMap<(ObjectType, Uuid), HashSet<String>>,
}

impl Caller {
    pub fn anonymous() -> Caller {
        Caller::default()
    }

    /// Loads the grants of `principal` (none needed for superusers or anonymous callers).
    pub async fn load(db: &Db, principal: Option<Principal>) -> Result<Caller> {
        let mut c = Caller {
            principal,
            ..Caller::default()
        };
        let Some(p) = c.principal.as_ref().filter(|p| !p.is_superuser) else {
            return Ok(c);
        };
        for (t, id, p) in roles::grants(&db.conn, p.id).await? {
            match (ObjectType::parse(&t), id) {
                (Some(t), Some(id)) => {
                    c.objects.entry((t, id)).or_default().insert(p);
                }
                _ if t.is_empty() => {
                    c.global.insert(p);
                }
                _ => {}
            }
        }
        Ok(c)
    }

    pub fn is_admin(&self) -> bool {
        self.principal.as_ref().is_some_and(|p| p.is_superuser)
    }

    pub fn is_authenticated(&self) -> bool {
        self.principal.is_some()
    }

    pub fn user_id(&self) -> Option<Uuid> {
        self.principal.as_ref().map(|p| p.id)
    }

    pub fn username(&self) -> Option<&str> {
        self.principal.as_ref().map(|p| p.username.as_str())
    }

    /// A model-level (global) permission.
    pub fn global(&self, p: &str) -> bool {
        self.is_admin() || self.global.contains(p)
    }

    /// A permission held globally or on the object.
    pub fn on(&self, t: ObjectType, id: Uuid, p: &str) -> bool {
        self.global(p) || self.objects.get(&(t, id)).is_some_and(|s| s.contains(p))
    }

    /// Ids of objects of type `t` on which the caller holds any of `ps` at object level.
    pub fn objects_with(&self, t: ObjectType, ps: &[&str]) -> Vec<Uuid> {
        self.objects
            .iter()
            .filter(|((ot, _), s)| *ot == t && ps.iter().any(|p| s.contains(*p)))
            .map(|((_, id), _)| *id)
            .collect()
    }

    /// Every permission the caller holds on an object (for `my_permissions/`).
    pub fn permissions_on(&self, t: ObjectType, id: Uuid) -> Vec<String> {
        let mut v: Vec<String> = if self.is_admin() {
            perm::all()
                .into_iter()
                .filter(|p| perm::applies_to(p, t))
                .map(String::from)
                .collect()
        } else {
            self.global
                .iter()
                .chain(self.objects.get(&(t, id)).into_iter().flatten())
                .filter(|p| perm::applies_to(p, t))
                .cloned()
                .collect()
        };
        v.sort();
        v.dedup();
        v
    }
}

/// `has_namespace_or_obj_perms`: the distribution permission `dist_perm` globally or on the
/// distribution, or the namespace-level `ns_perm` on its namespace.
pub fn on_distribution(
    c: &Caller,
    d: &distributions::DistributionRow,
    dist_perm: &str,
    ns_perm: &str,
) -> bool {
    c.on(ObjectType::Distribution, d.id, dist_perm)
        || c.on(ObjectType::Namespace, d.namespace_id, ns_perm)
}

/// Whether the caller sees a namespace.
pub fn sees_namespace(c: &Caller, ns: Uuid) -> bool {
    c.on(ObjectType::Namespace, ns, perm::VIEW_NAMESPACE)
}

/// Whether the caller sees a distribution: public ones, or with a view permission.
pub fn sees_distribution(c: &Caller, d: &distributions::DistributionRow) -> bool {
    !d.private
        || on_distribution(c, d, perm::VIEW_DIST, perm::NS_VIEW_DIST)
        || c.on(ObjectType::Namespace, d.namespace_id, perm::VIEW_NAMESPACE)
}

/// 404 unless `visible`, then 403 unless `allowed`.
pub fn require(visible: bool, allowed: bool, what: &str) -> Result<()> {
    if !visible {
        return Err(Error::NotFound(what.into()));
    }
    if !allowed {
        return Err(Error::Denied);
    }
    Ok(())
}

/// Whether the caller may create namespace `name`.
pub fn may_create_namespace(c: &Caller, name: &str) -> bool {
    c.global(perm::ADD_NAMESPACE) || c.username() == Some(name)
}

/// Whether the caller may create a distribution at `base_path` (whose first segment names the
/// namespace, which may not exist yet). In an existing namespace only who may add
/// distributions to it may (its owners and collaborators, or a global distribution creator):
/// being named like the namespace, or allowed to create namespaces, only lets one create a
/// namespace that does not exist yet.
pub async fn may_create_distribution(db: &Db, c: &Caller, base_path: &str) -> Result<bool> {
    let ns_name = base_path.split('/').next().unwrap_or(base_path);
    Ok(match namespaces::by_name(&db.conn, ns_name).await? {
        Some(ns) => {
            c.global(perm::ADD_DIST) || c.on(ObjectType::Namespace, ns.id, perm::NS_ADD_DIST)
        }
        None => may_create_namespace(c, ns_name),
    })
}

/// What the caller may do on registry repository `name`: `(pull, push)` (pulp-api.md §14.4).
/// A path that does not exist yet may be pulled and pushed by whoever may create it.
pub async fn registry_access(db: &Db, c: &Caller, name: &str) -> Result<(bool, bool)> {
    if let Some(d) = distributions::by_base_path(&db.conn, name).await? {
        let push =
            c.is_authenticated() && on_distribution(c, &d, perm::PUSH_DIST, perm::NS_PUSH_DIST);
        let pull = push
            || !d.private
            || (c.is_authenticated()
                && on_distribution(c, &d, perm::PULL_DIST, perm::NS_PULL_DIST));
        return Ok((pull, push));
    }
    if !c.is_authenticated() {
        return Ok((false, false));
    }
    let create = may_create_distribution(db, c, name).await?;
    Ok((create, create))
}

/// The actions of `requested` (`pull`, `push`, `delete`, `*`) the caller is granted on `name`;
/// `push` implies `pull`, `delete` and `*` follow `push`.
pub async fn registry_actions(
    db: &Db,
    c: &Caller,
    name: &str,
    requested: &[String],
) -> Result<Vec<String>> {
    let (pull, push) = registry_access(db, c, name).await?;
    let mut out: Vec<String> = requested
        .iter()
        .filter(|a| match a.as_str() {
            "pull" => pull,
            "push" | "delete" | "*" => push,
            _ => false,
        })
        .cloned()
        .collect();
    if push && requested.iter().any(|a| a == "push") && !out.iter().any(|a| a == "pull") {
        out.push("pull".into());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Gives the creator of a new object its owner role (Pulp's creation hooks).
pub async fn make_owner(
    c: &impl sea_orm::ConnectionTrait,
    user: Uuid,
    t: ObjectType,
    object: Uuid,
) -> Result<()> {
    let role = match t {
        ObjectType::Namespace => perm::NAMESPACE_OWNER,
        ObjectType::Distribution => perm::DISTRIBUTION_OWNER,
        ObjectType::Repository => perm::REPOSITORY_OWNER,
    };
    let r = roles::by_name(c, role)
        .await?
        .ok_or_else(|| Error::Internal(format!("locked role {role} missing")))?;
    roles::assign(c, user, r.id, Some((t.as_str(), object))).await?;
    Ok(())
}
