//! Pulp's permission vocabulary for what berth manages: the permission codenames, which object
//! type each one applies to, and the locked built-in roles (pulp_container `LOCKED_ROLES`,
//! pulpcore task roles) with their exact names and permission lists. Pure data, no I/O.

/// An object a role can be assigned on (besides global assignments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectType {
    Namespace,
    Distribution,
    /// A plain container repository.
    Repository,
}

impl ObjectType {
    /// The value stored in `user_roles.object_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::Namespace => "namespace",
            ObjectType::Distribution => "distribution",
            ObjectType::Repository => "repository",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectType> {
        match s {
            "namespace" => Some(ObjectType::Namespace),
            "distribution" => Some(ObjectType::Distribution),
            "repository" => Some(ObjectType::Repository),
            _ => None,
        }
    }
}

pub const ADD_NAMESPACE: &str = "container.add_containernamespace";
pub const VIEW_NAMESPACE: &str = "container.view_containernamespace";
pub const DELETE_NAMESPACE: &str = "container.delete_containernamespace";
pub const MANAGE_ROLES_NAMESPACE: &str = "container.manage_roles_containernamespace";
pub const NS_ADD_DIST: &str = "container.namespace_add_containerdistribution";
pub const NS_DELETE_DIST: &str = "container.namespace_delete_containerdistribution";
pub const NS_VIEW_DIST: &str = "container.namespace_view_containerdistribution";
pub const NS_PULL_DIST: &str = "container.namespace_pull_containerdistribution";
pub const NS_PUSH_DIST: &str = "container.namespace_push_containerdistribution";
pub const NS_CHANGE_DIST: &str = "container.namespace_change_containerdistribution";
pub const NS_VIEW_PUSH_REPO: &str = "container.namespace_view_containerpushrepository";
pub const NS_VIEW_REPO: &str = "container.namespace_view_containerrepository";
pub const NS_MODIFY_PUSH_REPO: &str = "container.namespace_modify_content_containerpushrepository";
pub const NS_MODIFY_REPO: &str = "container.namespace_modify_content_containerrepository";
pub const NS_CHANGE_PUSH_REPO: &str = "container.namespace_change_containerpushrepository";
pub const NS_CHANGE_REPO: &str = "container.namespace_change_containerrepository";

pub const ADD_DIST: &str = "container.add_containerdistribution";
pub const VIEW_DIST: &str = "container.view_containerdistribution";
pub const PULL_DIST: &str = "container.pull_containerdistribution";
pub const PUSH_DIST: &str = "container.push_containerdistribution";
pub const DELETE_DIST: &str = "container.delete_containerdistribution";
pub const CHANGE_DIST: &str = "container.change_containerdistribution";
pub const MANAGE_ROLES_DIST: &str = "container.manage_roles_containerdistribution";

pub const MODIFY_PUSH_REPO: &str = "container.modify_content_containerpushrepository";
pub const CHANGE_PUSH_REPO: &str = "container.change_containerpushrepository";
pub const VIEW_PUSH_REPO: &str = "container.view_containerpushrepository";

/// Permissions that live on the namespace model (assignable on a namespace).
const NAMESPACE_PERMS: &[&str] = &[
    ADD_NAMESPACE,
    VIEW_NAMESPACE,
    DELETE_NAMESPACE,
    "container.change_containernamespace",
    MANAGE_ROLES_NAMESPACE,
    NS_ADD_DIST,
    NS_DELETE_DIST,
    NS_VIEW_DIST,
    NS_PULL_DIST,
    NS_PUSH_DIST,
    NS_CHANGE_DIST,
    NS_VIEW_PUSH_REPO,
    NS_VIEW_REPO,
    NS_MODIFY_PUSH_REPO,
    NS_MODIFY_REPO,
    NS_CHANGE_PUSH_REPO,
    NS_CHANGE_REPO,
];

pub const ADD_REPO: &str = "container.add_containerrepository";
pub const VIEW_REPO: &str = "container.view_containerrepository";
pub const CHANGE_REPO: &str = "container.change_containerrepository";
pub const DELETE_REPO: &str = "container.delete_containerrepository";
pub const DELETE_REPO_VERSIONS: &str = "container.delete_containerrepository_versions";
pub const SYNC_REPO: &str = "container.sync_containerrepository";
pub const MODIFY_REPO: &str = "container.modify_content_containerrepository";
pub const BUILD_IMAGE_REPO: &str = "container.build_image_containerrepository";
pub const MANAGE_ROLES_REPO: &str = "container.manage_roles_containerrepository";
pub const REPOSITORY_OWNER: &str = "container.containerrepository_owner";

/// Permissions that live on the plain container repository model.
const REPOSITORY_PERMS: &[&str] = &[
    ADD_REPO,
    VIEW_REPO,
    CHANGE_REPO,
    DELETE_REPO,
    DELETE_REPO_VERSIONS,
    SYNC_REPO,
    MODIFY_REPO,
    BUILD_IMAGE_REPO,
    MANAGE_ROLES_REPO,
];

/// Permissions that live on the distribution model (assignable on a distribution).
const DISTRIBUTION_PERMS: &[&str] = &[
    ADD_DIST,
    VIEW_DIST,
    PULL_DIST,
    PUSH_DIST,
    DELETE_DIST,
    CHANGE_DIST,
    MANAGE_ROLES_DIST,
];

/// Permissions only meaningful globally (model level).
const GLOBAL_ONLY_PERMS: &[&str] = &[
    MODIFY_PUSH_REPO,
    CHANGE_PUSH_REPO,
    VIEW_PUSH_REPO,
    "container.add_containerpushrepository",
    "container.delete_containerpushrepository",
    "container.manage_roles_containerpushrepository",
    "core.view_task",
    "core.change_task",
    "core.delete_task",
    "core.add_task",
    "core.manage_roles_task",
    "core.view_task_profile_artifacts",
];

/// Whether `perm` is a permission berth knows.
pub fn is_known(perm: &str) -> bool {
    NAMESPACE_PERMS.contains(&perm)
        || DISTRIBUTION_PERMS.contains(&perm)
        || GLOBAL_ONLY_PERMS.contains(&perm)
        || REPOSITORY_PERMS.contains(&perm)
}

/// Whether `perm` belongs to objects of type `t` (so a role holding it can be assigned there).
pub fn applies_to(perm: &str, t: ObjectType) -> bool {
    match t {
        ObjectType::Namespace => NAMESPACE_PERMS.contains(&perm),
        ObjectType::Distribution => DISTRIBUTION_PERMS.contains(&perm),
        ObjectType::Repository => REPOSITORY_PERMS.contains(&perm),
    }
}

/// Every permission codename, sorted (for validation messages and docs).
pub fn all() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = NAMESPACE_PERMS
        .iter()
        .chain(DISTRIBUTION_PERMS)
        .chain(GLOBAL_ONLY_PERMS)
        .chain(REPOSITORY_PERMS)
        .copied()
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

pub const NAMESPACE_OWNER: &str = "container.containernamespace_owner";
pub const DISTRIBUTION_OWNER: &str = "container.containerdistribution_owner";

const NS_COLLABORATOR: &[&str] = &[
    VIEW_NAMESPACE,
    NS_ADD_DIST,
    NS_DELETE_DIST,
    NS_VIEW_DIST,
    NS_PULL_DIST,
    NS_PUSH_DIST,
    NS_CHANGE_DIST,
    NS_VIEW_PUSH_REPO,
    NS_VIEW_REPO,
    NS_MODIFY_PUSH_REPO,
    NS_MODIFY_REPO,
    NS_CHANGE_PUSH_REPO,
    NS_CHANGE_REPO,
];

/// The locked roles: (name, description, permissions).
pub fn locked_roles() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let mut owner = NS_COLLABORATOR.to_vec();
    owner.extend([DELETE_NAMESPACE, MANAGE_ROLES_NAMESPACE]);
    vec![
        (
            "container.containernamespace_creator",
            "Allows creating container namespaces.",
            vec![ADD_NAMESPACE],
        ),
        (
            NAMESPACE_OWNER,
            "Allows managing a container namespace, its distributions and their roles.",
            owner,
        ),
        (
            "container.containernamespace_collaborator",
            "Allows pushing to, pulling from and changing the distributions of a namespace.",
            NS_COLLABORATOR.to_vec(),
        ),
        (
            "container.containernamespace_consumer",
            "Allows viewing and pulling the distributions of a namespace.",
            vec![
                VIEW_NAMESPACE,
                NS_VIEW_DIST,
                NS_PULL_DIST,
                NS_VIEW_PUSH_REPO,
                NS_VIEW_REPO,
            ],
        ),
        (
            "container.containerdistribution_creator",
            "Allows creating container distributions.",
            vec![ADD_DIST],
        ),
        (
            DISTRIBUTION_OWNER,
            "Allows managing a container distribution and its roles.",
            vec![
                VIEW_DIST,
                PULL_DIST,
                PUSH_DIST,
                DELETE_DIST,
                CHANGE_DIST,
                MANAGE_ROLES_DIST,
            ],
        ),
        (
            "container.containerdistribution_collaborator",
            "Allows viewing, pulling from and pushing to a container distribution.",
            vec![VIEW_DIST, PULL_DIST, PUSH_DIST],
        ),
        (
            "container.containerdistribution_consumer",
            "Allows viewing and pulling from a container distribution.",
            vec![VIEW_DIST, PULL_DIST],
        ),
        (
            "container.containerrepository_creator",
            "Allows creating container repositories.",
            vec![ADD_REPO],
        ),
        (
            REPOSITORY_OWNER,
            "Allows managing a container repository, its content and its roles.",
            vec![
                VIEW_REPO,
                CHANGE_REPO,
                DELETE_REPO,
                DELETE_REPO_VERSIONS,
                SYNC_REPO,
                MODIFY_REPO,
                BUILD_IMAGE_REPO,
                MANAGE_ROLES_REPO,
            ],
        ),
        (
            "container.containerrepository_content_manager",
            "Allows managing the content of a container repository.",
            vec![
                VIEW_REPO,
                DELETE_REPO_VERSIONS,
                SYNC_REPO,
                MODIFY_REPO,
                BUILD_IMAGE_REPO,
            ],
        ),
        (
            "container.containerrepository_viewer",
            "Allows viewing a container repository.",
            vec![VIEW_REPO],
        ),
        (
            "core.task_owner",
            "Allows viewing, cancelling and deleting a task.",
            vec![
                "core.view_task",
                "core.view_task_profile_artifacts",
                "core.change_task",
                "core.delete_task",
                "core.manage_roles_task",
            ],
        ),
        (
            "core.task_viewer",
            "Allows viewing a task.",
            vec!["core.view_task"],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locked_role_carries_only_known_permissions() {
        for (name, _, perms) in locked_roles() {
            for p in perms {
                assert!(is_known(p), "{name}: {p}");
            }
        }
    }

    #[test]
    fn namespace_permissions_apply_to_namespaces_not_distributions() {
        assert!(applies_to(NS_PUSH_DIST, ObjectType::Namespace));
        assert!(!applies_to(NS_PUSH_DIST, ObjectType::Distribution));
        assert!(applies_to(PUSH_DIST, ObjectType::Distribution));
    }
}
