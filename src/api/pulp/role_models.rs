//! The request and view types of `/pulp/api/v3/roles/` and `/pulp/api/v3/users/{id}/roles/`
//! (also their OpenAPI schemas), and the reading of their bodies with Pulp's rules and
//! messages; hrefs of namespaces and distributions become ids here.
use super::body::Body;
use super::errors::PulpResult;
use super::{distributions, namespaces};
use crate::domain::hrefs;
use crate::domain::permissions::{self, ObjectType};
use crate::error::field_errors as fe;
use crate::error::{Error, Result};
use crate::service::roles::{self as svc, AssignmentRow, RoleInput, RoleRow};
use crate::state::AppState;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// A role to create or replace.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    #[schema(min_length = 1, max_length = 128)]
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<String>,
}

/// Fields of a role to change.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchedRole {
    #[schema(min_length = 1, max_length = 128)]
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Vec<String>>,
}

/// Reads a role body over `existing` (`partial` = PATCH), with every problem at once; a
/// locked role is refused first.
pub async fn parse_role(
    st: &AppState,
    bytes: &[u8],
    existing: Option<&RoleRow>,
    partial: bool,
) -> PulpResult<RoleInput> {
    if let Some(r) = existing {
        svc::check_unlocked(r)?;
    }
    let b = match partial {
        true => Body::parse::<PatchedRole>(bytes)?,
        false => Body::parse::<Role>(bytes)?,
    };
    let mut errs = vec![];
    let required = existing.is_none() || !partial;
    let name = match b.get("name") {
        Some(Value::String(s)) if s.is_empty() => {
            errs.push(("name".to_string(), fe::BLANK.to_string()));
            None
        }
        Some(Value::String(s)) if s.chars().count() > 128 => {
            errs.push(("name".into(), fe::max_length(128)));
            None
        }
        Some(Value::String(s)) => {
            if svc::name_taken(&st.db, s, existing.map(|e| e.id)).await? {
                errs.push(("name".into(), fe::UNIQUE.into()));
            }
            Some(s.clone())
        }
        Some(_) => {
            errs.push(("name".into(), fe::NOT_STRING.into()));
            None
        }
        None if required => {
            errs.push(("name".into(), fe::REQUIRED.into()));
            None
        }
        None => None,
    };
    let description = match b.get("description") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) => Some(String::new()),
        Some(_) => {
            errs.push(("description".into(), fe::NOT_STRING.into()));
            None
        }
        None => None,
    };
    let perms = match b.get("permissions") {
        Some(Value::Array(a)) => {
            let mut out = vec![];
            for p in a {
                match p.as_str() {
                    Some(s) if permissions::is_known(s) => out.push(s.to_string()),
                    Some(s) => errs.push((
                        "permissions".into(),
                        format!("Permission '{s}' does not exist."),
                    )),
                    None => errs.push(("permissions".into(), fe::NOT_STRING.into())),
                }
            }
            out.sort();
            out.dedup();
            Some(out)
        }
        Some(_) => {
            errs.push(("permissions".into(), fe::NOT_LIST.into()));
            None
        }
        None if required => {
            errs.push(("permissions".into(), fe::REQUIRED.into()));
            None
        }
        None => None,
    };
    if !errs.is_empty() {
        return Err(Error::Validation(errs).into());
    }
    Ok(RoleInput {
        name,
        description,
        permissions: perms,
    })
}

/// A named set of permissions.
#[derive(ToSchema, serde::Serialize)]
pub struct RoleResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    name: String,
    #[schema(required = true)]
    description: Option<String>,
    permissions: Vec<String>,
    locked: bool,
}

impl From<&RoleRow> for RoleResponse {
    fn from(r: &RoleRow) -> Self {
        RoleResponse {
            pulp_href: format!("/pulp/api/v3/roles/{}/", r.id),
            prn: hrefs::prn("core.role", r.id),
            pulp_created: hrefs::timestamp(r.created_at),
            pulp_last_updated: hrefs::timestamp(r.updated_at),
            name: r.name.clone(),
            description: Some(r.description.clone()),
            permissions: r.permissions.clone(),
            locked: r.locked,
        }
    }
}

/// Give a user a role, globally (`content_object: null`) or on one object.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRole {
    #[schema(min_length = 1)]
    pub role: String,
    pub content_object: Option<String>,
    pub content_object_prn: Option<String>,
    pub domain: Option<String>,
}

/// Reads `POST /users/{id}/roles/`: the role and the object (`None`: global).
pub async fn parse_user_role(
    st: &AppState,
    bytes: &[u8],
) -> PulpResult<(RoleRow, Option<(ObjectType, Uuid)>)> {
    let b = Body::parse::<UserRole>(bytes)?;
    let role = match b.get("role") {
        Some(Value::String(r)) => svc::named(&st.db, "role", r).await?,
        Some(_) => return Err(fe::field("role", fe::NOT_STRING).into()),
        None => return Err(fe::field("role", fe::REQUIRED).into()),
    };
    if b.set("domain") {
        return Err(fe::field("domain", "Domains are not enabled on this server.").into());
    }
    let obj = match (b.get("content_object"), b.get("content_object_prn")) {
        (None, None) => {
            return Err(fe::non_field(
                "Either 'content_object' or 'content_object_prn' needs to be specified. Use 'null' for global or domain level access.",
            ).into())
        }
        (Some(v), _) | (None, Some(v)) if v.is_null() => None,
        (Some(Value::String(s)), _) | (None, Some(Value::String(s))) => {
            content_object(st, Some(s)).await?
        }
        _ => return Err(fe::field("content_object", fe::NOT_URL).into()),
    };
    Ok((role, obj))
}

/// The namespace or distribution an href or PRN names (`None` for global); 400 when it names
/// nothing that exists.
pub async fn content_object(st: &AppState, v: Option<&str>) -> Result<Option<(ObjectType, Uuid)>> {
    let Some(v) = v.filter(|v| !v.is_empty() && *v != "null") else {
        return Ok(None);
    };
    let found = if let Some(id) = hrefs::parse_id(v, namespaces::PREFIX, namespaces::PRN) {
        Some((ObjectType::Namespace, id))
    } else {
        hrefs::parse_id(v, distributions::PREFIX, distributions::PRN)
            .map(|id| (ObjectType::Distribution, id))
            .or_else(|| {
                hrefs::parse_id(
                    v,
                    hrefs::CONTAINER_REPOSITORIES,
                    hrefs::CONTAINER_REPOSITORY_MODEL,
                )
                .map(|id| (ObjectType::Repository, id))
            })
    };
    match found {
        Some((t, id)) if svc::object_exists(&st.db, t, id).await? => Ok(Some((t, id))),
        _ => Err(fe::field("content_object", fe::NO_OBJECT)),
    }
}

/// A role a user holds.
#[derive(ToSchema, serde::Serialize)]
pub struct UserRoleResponse {
    pulp_href: String,
    prn: String,
    #[schema(format = DateTime)]
    pulp_created: String,
    #[schema(format = DateTime)]
    pulp_last_updated: String,
    role: String,
    #[schema(required = true)]
    content_object: Option<String>,
    #[schema(required = true)]
    content_object_prn: Option<String>,
    #[schema(required = true)]
    description: Option<String>,
    permissions: Vec<String>,
    #[schema(required = true)]
    domain: Option<String>,
}

impl UserRoleResponse {
    /// Assignment `a` of user number `user`, with its role's permissions and description.
    pub fn new(user: i64, a: &AssignmentRow, perms: &[String], desc: &str) -> Self {
        let (content_object, content_object_prn) =
            match (ObjectType::parse(&a.object_type), a.object_id) {
                (Some(ObjectType::Namespace), Some(id)) => (
                    Some(hrefs::namespace(id)),
                    Some(hrefs::prn(namespaces::PRN, id)),
                ),
                (Some(ObjectType::Distribution), Some(id)) => (
                    Some(hrefs::distribution(id)),
                    Some(hrefs::prn(distributions::PRN, id)),
                ),
                (Some(ObjectType::Repository), Some(id)) => (
                    Some(hrefs::container_repository(id)),
                    Some(hrefs::prn(hrefs::CONTAINER_REPOSITORY_MODEL, id)),
                ),
                _ => (None, None),
            };
        UserRoleResponse {
            pulp_href: format!("/pulp/api/v3/users/{user}/roles/{}/", a.id),
            prn: format!("prn:core.userrole:{}", a.id),
            pulp_created: hrefs::timestamp(a.created_at),
            pulp_last_updated: hrefs::timestamp(a.created_at),
            role: a.role.clone(),
            content_object,
            content_object_prn,
            description: Some(desc.to_string()),
            permissions: perms.to_vec(),
            domain: None,
        }
    }
}
