//! Typed list queries: what a list asks for (filters, ordering, one page), with no SQL in it.
//! The api builds a [`ListQuery`] from the query string, services add the caller's visibility
//! scope, and only `repo::lists` turns it into SQL. Each resource has a filter enum and an
//! ordering enum in [`resources`]; the lookups they share are here. Pure data, no I/O.
pub mod resources;

pub use resources::*;
use uuid::Uuid;

/// A list request: every filter must hold; `order` empty means the resource's default order;
/// `page` absent means every row.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery<F, O> {
    pub filters: Vec<F>,
    pub order: Vec<Sort<O>>,
    pub page: Option<Page>,
}

impl<F, O> Default for ListQuery<F, O> {
    fn default() -> Self {
        ListQuery {
            filters: vec![],
            order: vec![],
            page: None,
        }
    }
}

impl<F, O> ListQuery<F, O> {
    /// A query with these filters, the default order and no paging.
    pub fn filtered(filters: Vec<F>) -> Self {
        ListQuery {
            filters,
            ..ListQuery::default()
        }
    }

    pub fn push(&mut self, f: F) {
        self.filters.push(f);
    }
}

/// One ordering term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<O> {
    pub key: O,
    pub desc: bool,
}

impl<O> Sort<O> {
    pub fn asc(key: O) -> Self {
        Sort { key, desc: false }
    }
}

/// Limit/offset pagination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: u64,
    pub offset: u64,
}

/// A lookup on a text field. Case-insensitive lookups compare lower-cased text; pattern
/// lookups match their argument literally (no wildcards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Eq(String),
    Ne(String),
    /// Any of these (none: nothing matches).
    In(Vec<String>),
    Contains(String),
    IContains(String),
    StartsWith(String),
    IStartsWith(String),
    IExact(String),
}

/// A comparison on an ordered field (numbers, timestamps), or a null test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmp<T> {
    Eq(T),
    Ne(T),
    Lt(T),
    Lte(T),
    Gt(T),
    Gte(T),
    IsNull(bool),
}

/// One term of a label selector over a resource's `pulp_labels`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelTerm {
    /// The label is set.
    Has(String),
    /// The label is not set.
    Lacks(String),
    /// The label has this value.
    Is(String, String),
    /// The label does not have this value.
    IsNot(String, String),
    /// The label's value contains this text.
    Contains(String, String),
}

/// The distributions a caller sees: the public ones (unless `granted_only`), these, and those
/// in these namespaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistScope {
    pub distributions: Vec<Uuid>,
    pub namespaces: Vec<Uuid>,
    /// Leave out public distributions the caller holds no grant for (what a caller may read,
    /// as opposed to what they see in a list).
    pub granted_only: bool,
}

/// The repositories a caller sees: those served by a distribution in `served`, those of these
/// namespaces, and the plain container repositories of `plain`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoScope {
    pub served: DistScope,
    pub namespaces: Vec<Uuid>,
    pub plain: PlainScope,
}

/// The plain container repositories a caller sees through a role on them (Pulp's
/// `view_containerrepository`); the default is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlainScope {
    /// These, by a role on each.
    Granted(Vec<Uuid>),
    /// Every one (the permission is held globally).
    All,
}

impl Default for PlainScope {
    fn default() -> Self {
        PlainScope::Granted(vec![])
    }
}
