//! The filters and orderings of each list of the management API.
use super::{Cmp, DistScope, LabelTerm, RepoScope, Text};
use crate::domain::permissions::ObjectType;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub enum NamespaceFilter {
    /// Only these namespaces (the caller's visibility scope).
    Visible(Vec<Uuid>),
    Name(Text),
    IdIn(Vec<Uuid>),
    Label(LabelTerm),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceOrder {
    Name,
    Created,
    Updated,
    Id,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DistributionFilter {
    Visible(DistScope),
    Name(Text),
    BasePath(Text),
    IdIn(Vec<Uuid>),
    Label(LabelTerm),
    /// Serving one of these repositories.
    RepositoryIn(Vec<Uuid>),
    /// In the namespace of this name.
    NamespaceName(String),
    /// Serving a repository whose latest version holds this content.
    WithContent(Uuid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistributionOrder {
    Name,
    BasePath,
    Hidden,
    Private,
    Description,
    Created,
    Updated,
    Id,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RepositoryFilter {
    Visible(RepoScope),
    Name(Text),
    IdIn(Vec<Uuid>),
    Label(LabelTerm),
    RetainRepoVersions(Cmp<i64>),
    /// Holds this content in some version (`latest`: in its latest version).
    WithContent {
        content: Uuid,
        latest: bool,
    },
    /// Matches nothing (a filter on something berth never has, e.g. a remote).
    Nothing,
    /// Plain container repositories (`true`) or push repositories (`false`) only.
    Container(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepositoryOrder {
    Name,
    Created,
    Updated,
    Description,
    RetainRepoVersions,
    Id,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VersionFilter {
    /// Versions of this repository.
    Repository(Uuid),
    /// Versions of repositories in this scope.
    Visible(RepoScope),
    Number(Cmp<i64>),
    IdIn(Vec<Uuid>),
    /// Versions holding any of these content units (none: nothing matches).
    ContentIn(Vec<Uuid>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionOrder {
    Number,
    Created,
    Id,
}

/// A version named by its repository and number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRef {
    pub repository: Uuid,
    pub number: i64,
}

/// Filters of the content lists (blobs, manifests, tags); each list accepts the ones that
/// apply to its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ContentFilter {
    Id(Uuid),
    IdIn(Vec<Uuid>),
    /// Present in this version.
    InVersion(VersionRef),
    /// Added by this version.
    AddedIn(VersionRef),
    /// Removed by this version.
    RemovedIn(VersionRef),
    /// In no repository and untouched since this time.
    OrphanedSince(DateTime<Utc>),
    /// In a repository of this scope (`None`: in any repository).
    Visible(Option<RepoScope>),
    /// Blobs and manifests with one of these digests.
    Digest(Vec<String>),
    /// Manifests of one of these media types.
    MediaType(Vec<String>),
    /// Tags by name.
    Name(Text),
    /// Tags of a manifest with one of these digests.
    TaggedDigest(Vec<String>),
    /// Tags of a manifest of one of these media types.
    TaggedMediaType(Vec<String>),
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentOrder {
    Created,
    Id,
    /// Blobs and manifests.
    Digest,
    /// Tags.
    Name,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TaskFilter {
    Name(Text),
    LoggingCid(Text),
    State(Text),
    IdIn(Vec<Uuid>),
    /// Created this resource (href).
    CreatedResource(String),
    /// Reserved this resource (PRN).
    ReservedResource(String),
    /// Reserved any of these resources (none: nothing matches).
    ReservedResourceIn(Vec<String>),
    Created(Cmp<DateTime<Utc>>),
    Started(Cmp<DateTime<Utc>>),
    Finished(Cmp<DateTime<Utc>>),
    Unblocked(Cmp<DateTime<Utc>>),
    /// Created by this user (the caller's visibility scope).
    CreatedBy(Uuid),
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskOrder {
    Created,
    Started,
    Finished,
    Name,
    State,
    Id,
}

/// The text fields of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    Username,
    FirstName,
    LastName,
    Email,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UserFilter {
    Text(UserField, Text),
    IsActive(bool),
    IsStaff(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserOrder {
    Field(UserField),
    DateJoined,
    IsActive,
    IsStaff,
    /// The integer id.
    Id,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RoleFilter {
    Name(Text),
    Description(Text),
    Locked(bool),
    /// Carries this permission.
    HasPermission(String),
    /// Carries a permission on objects of this type (`None`: an unknown type, nothing matches).
    ForObjectType(Option<ObjectType>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleOrder {
    Name,
    Description,
    Locked,
    Created,
    Updated,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AssignmentFilter {
    Id(Uuid),
    User(Uuid),
    Role(Text),
    /// Global assignments.
    Global,
    /// Assignments on this object.
    Object(ObjectType, Uuid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentOrder {
    Role,
    Username,
    Created,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RetentionPolicyFilter {
    /// Policies of one of these namespaces (none: nothing matches).
    NamespaceIn(Vec<Uuid>),
    /// Policies for every namespace (`true`) or of one namespace (`false`).
    EveryNamespace(bool),
    Name(Text),
    IdIn(Vec<Uuid>),
    Enabled(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionPolicyOrder {
    Name,
    Enabled,
    Created,
    Updated,
    Id,
}
