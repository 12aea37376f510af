//! The request and view types of `/pulp/api/v3/distributions/container/container/` (also
//! their OpenAPI schemas), and the reading of a create or update body: `repository` and
//! `repository_version` hrefs (or PRNs) become typed choices here, the service decides what
//! they may name.
use super::body::Body;
use super::common;
use super::errors::PulpResult;
use crate::domain::hrefs::{self, VersionOf};
use crate::error::Error;
use crate::service::distributions::{DistributionInput, RepositoryChoice, VersionChoice};
use crate::service::lists::DistributionRow;
use actix_web::HttpRequest;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

/// The repository (push or plain) an href or PRN names.
pub fn repository_id(h: &str) -> Option<Uuid> {
    hrefs::parse_id(h, hrefs::PUSH_REPOSITORIES, hrefs::PUSH_REPOSITORY_MODEL).or_else(|| {
        hrefs::parse_id(
            h,
            hrefs::CONTAINER_REPOSITORIES,
            hrefs::CONTAINER_REPOSITORY_MODEL,
        )
    })
}

/// `repository` as given: absent, `null` (or `""`, which DRF reads as `null` for a related
/// field, and pulp-cli sends to unset one), an href or PRN of either repository type.
fn repository_choice(v: Option<&Value>) -> Option<RepositoryChoice> {
    Some(match v? {
        Value::Null => RepositoryChoice::Nothing,
        Value::String(h) if h.is_empty() => RepositoryChoice::Nothing,
        Value::String(h) => {
            match hrefs::parse_id(h, hrefs::PUSH_REPOSITORIES, hrefs::PUSH_REPOSITORY_MODEL) {
                Some(id) => RepositoryChoice::Push(id),
                None => match repository_id(h) {
                    Some(id) => RepositoryChoice::Container(id),
                    None => RepositoryChoice::Unknown,
                },
            }
        }
        _ => RepositoryChoice::NotUrl,
    })
}

/// `repository_version` as given: absent, `null` (or `""`), a version href of either
/// repository type, or a version PRN.
fn version_choice(v: Option<&Value>) -> Option<VersionChoice> {
    Some(match v? {
        Value::Null => VersionChoice::Nothing,
        Value::String(h) if h.is_empty() => VersionChoice::Nothing,
        Value::String(h) => match hrefs::parse_version(h) {
            Some((VersionOf::Container, repo, n)) => VersionChoice::Container(repo, n),
            Some((VersionOf::Push, repo, n)) => VersionChoice::Push(repo, n),
            None => match hrefs::parse_prn(h, hrefs::VERSION_MODEL) {
                Some(id) => VersionChoice::Id(id),
                None => VersionChoice::Unknown,
            },
        },
        _ => VersionChoice::NotUrl,
    })
}

/// A distribution to create or replace.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = container::ContainerDistribution)]
pub struct Distribution {
    #[schema(min_length = 1)]
    pub base_path: String,
    #[schema(min_length = 1)]
    pub name: String,
    pub content_guard: Option<String>,
    #[schema(nullable = false)]
    pub hidden: Option<bool>,
    pub pulp_labels: Option<BTreeMap<String, String>>,
    pub repository: Option<String>,
    pub repository_version: Option<String>,
    #[schema(nullable = false)]
    pub private: Option<bool>,
    pub description: Option<String>,
}

/// Fields of a distribution to change.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[schema(as = Patchedcontainer::ContainerDistribution)]
pub struct PatchedDistribution {
    #[schema(min_length = 1)]
    pub base_path: Option<String>,
    #[schema(min_length = 1)]
    pub name: Option<String>,
    pub content_guard: Option<String>,
    #[schema(nullable = false)]
    pub hidden: Option<bool>,
    pub pulp_labels: Option<BTreeMap<String, String>>,
    pub repository: Option<String>,
    pub repository_version: Option<String>,
    #[schema(nullable = false)]
    pub private: Option<bool>,
    pub description: Option<String>,
}

/// Reads a create or update body (which fields are required is the service's rule). Type
/// errors of the later fields travel in the input so the service reports them in Pulp's order.
pub fn parse(bytes: &[u8], partial: bool) -> PulpResult<DistributionInput> {
    let b = match partial {
        true => Body::parse::<PatchedDistribution>(bytes)?,
        false => Body::parse::<Distribution>(bytes)?,
    };
    let name = b.string("name")?;
    let base_path = b.string("base_path")?;
    let repository = repository_choice(b.get("repository"));
    let repository_version = version_choice(b.get("repository_version"));
    let mut type_error = None;
    let pulp_labels = match b.given("pulp_labels") {
        true => defer(b.labels("pulp_labels"), &mut type_error).map(Option::unwrap_or_default),
        false => None,
    };
    let description = defer(b.nullable_string("description"), &mut type_error).flatten();
    let private = defer(b.boolean("private"), &mut type_error).flatten();
    let hidden = defer(b.boolean("hidden"), &mut type_error).flatten();
    Ok(DistributionInput {
        name,
        base_path,
        repository,
        repository_version,
        content_guard: b.set("content_guard"),
        pulp_labels,
        description,
        private,
        hidden,
        type_error,
    })
}

/// The value, or `None` with the first error kept in `slot`.
fn defer<T>(r: Result<T, Error>, slot: &mut Option<Error>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            slot.get_or_insert(e);
            None
        }
    }
}

/// A distribution: serves a repository (its latest version) or one fixed version at a base path.
#[derive(ToSchema, serde::Serialize)]
#[schema(as = container::ContainerDistributionResponse)]
pub struct DistributionResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    base_path: String,
    #[schema(required = true)]
    content_guard: Option<String>,
    #[schema(required = true)]
    content_guard_prn: Option<String>,
    #[schema(format = DateTime, required = true)]
    no_content_change_since: Option<String>,
    hidden: bool,
    pulp_labels: HashMap<String, String>,
    name: String,
    #[schema(required = true)]
    repository: Option<String>,
    #[schema(required = true)]
    repository_version: Option<String>,
    registry_path: String,
    #[schema(required = true)]
    remote: Option<String>,
    namespace: String,
    private: bool,
    #[schema(required = true)]
    description: Option<String>,
}

impl DistributionResponse {
    fn new(req: &HttpRequest, d: &DistributionRow) -> Self {
        let host = req.connection_info().host().to_string();
        DistributionResponse {
            pulp_href: hrefs::distribution(d.id),
            prn: hrefs::distribution_prn(d.id),
            pulp_created: hrefs::timestamp(d.created_at),
            pulp_last_updated: hrefs::timestamp(d.updated_at),
            base_path: d.base_path.clone(),
            content_guard: None,
            content_guard_prn: None,
            no_content_change_since: d.repository_version.map(|_| hrefs::timestamp(d.updated_at)),
            hidden: d.hidden,
            pulp_labels: serde_json::from_str(&d.pulp_labels).unwrap_or_default(),
            name: d.name.clone(),
            repository: d.repository_id.map(|id| match d.repository_container {
                true => hrefs::container_repository(id),
                false => hrefs::push_repository(id),
            }),
            repository_version: d
                .repository_version
                .map(|(r, n)| hrefs::any_version(r, n, d.repository_container)),
            registry_path: format!("{host}/{}", d.base_path),
            remote: None,
            namespace: hrefs::namespace(d.namespace_id),
            private: d.private,
            description: d.description.clone(),
        }
    }
}

pub fn render(req: &HttpRequest, d: &DistributionRow) -> Value {
    common::view(&DistributionResponse::new(req, d))
}
