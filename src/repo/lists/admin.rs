//! The queries of the administrative lists: tasks (`t`), users (`u`), roles (`r`) and role
//! assignments (`ur` joined with `r` and `u`).
use super::super::criteria::{Criteria, Op};
use crate::domain::permissions::ObjectType;
use crate::domain::query::*;

/// `col` (JSON text) contains `s` as a JSON string.
fn holds_json_string(col: &str, s: &str) -> (String, Vec<sea_orm::Value>) {
    let needle = serde_json::to_string(s)
        .unwrap_or_default()
        .replace('%', "\\%")
        .replace('_', "\\_");
    (
        format!("{col} LIKE ? ESCAPE '\\'"),
        vec![format!("%{needle}%").into()],
    )
}

pub fn tasks(q: &ListQuery<TaskFilter, TaskOrder>) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            TaskFilter::Name(t) => c.text("t.name", t),
            TaskFilter::LoggingCid(t) => c.text("t.logging_cid", t),
            TaskFilter::State(t) => c.text("t.state", t),
            TaskFilter::IdIn(ids) => c.any_of("t.id", ids),
            TaskFilter::CreatedResource(h) => {
                let (sql, v) = holds_json_string("t.created_resources", h);
                c.sql(sql, v);
            }
            TaskFilter::ReservedResource(r) => {
                let (sql, v) = holds_json_string("t.reserved_resources", r);
                c.sql(sql, v);
            }
            TaskFilter::ReservedResourceIn(rs) if rs.is_empty() => c.nothing(),
            TaskFilter::ReservedResourceIn(rs) => {
                let (mut sqls, mut values) = (vec![], vec![]);
                for r in rs {
                    let (sql, v) = holds_json_string("t.reserved_resources", r);
                    sqls.push(format!("({sql})"));
                    values.extend(v);
                }
                c.sql(sqls.join(" OR "), values);
            }
            TaskFilter::Created(t) => c.cmp("t.created_at", t),
            TaskFilter::Started(t) => c.cmp("t.started_at", t),
            TaskFilter::Finished(t) => c.cmp("t.finished_at", t),
            TaskFilter::Unblocked(t) => c.cmp("t.unblocked_at", t),
            TaskFilter::CreatedBy(u) => c.push("t.created_by", Op::Eq((*u).into())),
            TaskFilter::Nothing => c.nothing(),
        }
    }
    c.order(
        &q.order,
        |o| match o {
            TaskOrder::Created => "t.created_at",
            TaskOrder::Started => "t.started_at",
            TaskOrder::Finished => "t.finished_at",
            TaskOrder::Name => "t.name",
            TaskOrder::State => "t.state",
            TaskOrder::Id => "t.id",
        },
        &["t.created_at DESC", "t.id DESC"],
    );
    c.page(q.page);
    c
}

fn user_column(f: UserField) -> &'static str {
    match f {
        UserField::Username => "u.username",
        UserField::FirstName => "u.first_name",
        UserField::LastName => "u.last_name",
        UserField::Email => "u.email",
    }
}

pub fn users(q: &ListQuery<UserFilter, UserOrder>) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            UserFilter::Text(field, t) => c.text(user_column(*field), t),
            UserFilter::IsActive(b) => c.push("u.is_active", Op::Eq((*b).into())),
            UserFilter::IsStaff(b) => c.push("u.is_staff", Op::Eq((*b).into())),
        }
    }
    c.order(
        &q.order,
        |o| match o {
            UserOrder::Field(f) => user_column(f),
            UserOrder::DateJoined => "u.created_at",
            UserOrder::IsActive => "u.is_active",
            UserOrder::IsStaff => "u.is_staff",
            UserOrder::Id => "u.number",
        },
        &["u.created_at DESC", "u.number DESC"],
    );
    c.page(q.page);
    c
}

pub fn roles(q: &ListQuery<RoleFilter, RoleOrder>) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            RoleFilter::Name(t) => c.text("r.name", t),
            RoleFilter::Description(t) => c.text("r.description", t),
            RoleFilter::Locked(b) => c.push("r.locked", Op::Eq((*b).into())),
            RoleFilter::HasPermission(p) => c.sql(
                "r.id IN (SELECT role_id FROM role_permissions WHERE permission = ?)",
                vec![p.clone().into()],
            ),
            RoleFilter::ForObjectType(t) => {
                let model = match t {
                    Some(ObjectType::Namespace) => "%containernamespace",
                    Some(ObjectType::Distribution) => "%containerdistribution",
                    Some(ObjectType::Repository) => "container.%_containerrepository",
                    None => "-nothing-",
                };
                c.sql(
                    "r.id IN (SELECT role_id FROM role_permissions WHERE permission LIKE ?)",
                    vec![model.into()],
                );
            }
        }
    }
    c.order(
        &q.order,
        |o| match o {
            RoleOrder::Name => "r.name",
            RoleOrder::Description => "r.description",
            RoleOrder::Locked => "r.locked",
            RoleOrder::Created => "r.created_at",
            RoleOrder::Updated => "r.updated_at",
        },
        &["r.name"],
    );
    c.page(q.page);
    c
}

pub fn assignments(q: &ListQuery<AssignmentFilter, AssignmentOrder>) -> Criteria {
    let mut c = Criteria::default();
    for f in &q.filters {
        match f {
            AssignmentFilter::Id(id) => c.push("ur.id", Op::Eq((*id).into())),
            AssignmentFilter::User(id) => c.push("ur.user_id", Op::Eq((*id).into())),
            AssignmentFilter::Role(t) => c.text("r.name", t),
            AssignmentFilter::Global => c.push("ur.object_type", Op::Eq("".into())),
            AssignmentFilter::Object(t, id) => {
                c.push("ur.object_type", Op::Eq(t.as_str().into()));
                c.push("ur.object_id", Op::Eq((*id).into()));
            }
        }
    }
    c.order(
        &q.order,
        |o| match o {
            AssignmentOrder::Role => "r.name",
            AssignmentOrder::Username => "u.username",
            AssignmentOrder::Created => "ur.created_at",
        },
        &["ur.created_at"],
    );
    c.page(q.page);
    c
}
