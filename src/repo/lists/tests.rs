//! Unit tests of the list-query translation: the statement each typed query becomes.
use super::super::criteria::{page_sql, Criteria};
use super::*;
use crate::domain::content::ContentKind;
use crate::domain::permissions::ObjectType;
use chrono::{TimeZone, Utc};
use sea_orm::Value;

fn sql(c: &Criteria, from: &str) -> (String, Vec<Value>) {
    page_sql("*", from, c)
}

fn s(v: &str) -> Value {
    v.into()
}

#[test]
fn namespace_filters_order_and_page() {
    let id = Uuid::from_u128(7);
    let q = ListQuery {
        filters: vec![
            NamespaceFilter::Name(Text::IContains("A_b".into())),
            NamespaceFilter::Name(Text::In(vec!["x".into(), "y".into()])),
            NamespaceFilter::IdIn(vec![id]),
            NamespaceFilter::Label(LabelTerm::Is("env".into(), "prod".into())),
        ],
        order: vec![
            Sort {
                key: NamespaceOrder::Updated,
                desc: true,
            },
            Sort::asc(NamespaceOrder::Name),
        ],
        page: Some(Page {
            limit: 10,
            offset: 20,
        }),
    };
    let (text, values) = sql(&namespaces(&q), "namespaces n");
    assert_eq!(
        text,
        "SELECT * FROM namespaces n WHERE LOWER(n.name) LIKE ? ESCAPE '\\' AND n.name IN (?, ?) \
         AND n.id IN (?) AND (n.pulp_labels LIKE ? ESCAPE '\\') \
         ORDER BY n.updated_at DESC, n.name LIMIT ? OFFSET ?"
    );
    assert_eq!(
        values,
        vec![
            s("%a\\_b%"),
            s("x"),
            s("y"),
            id.into(),
            s("%\"env\":\"prod\"%"),
            10i64.into(),
            20i64.into(),
        ]
    );
}

#[test]
fn default_order_and_no_page() {
    let q: ListQuery<TaskFilter, TaskOrder> = ListQuery::default();
    let (text, values) = sql(&tasks(&q), "tasks t");
    assert_eq!(
        text,
        "SELECT * FROM tasks t ORDER BY t.created_at DESC, t.id DESC"
    );
    assert!(values.is_empty());
}

#[test]
fn empty_sets_match_nothing() {
    let q = ListQuery::filtered(vec![
        DistributionFilter::RepositoryIn(vec![]),
        DistributionFilter::Visible(DistScope::default()),
    ]);
    let (text, values) = sql(&distributions(&q), "distributions d");
    assert_eq!(
        text,
        "SELECT * FROM distributions d WHERE 1 = 0 AND ((d.private = ? OR 1 = 0 OR 1 = 0)) \
         ORDER BY d.name"
    );
    assert_eq!(values, vec![false.into()]);
    let q: ListQuery<VersionFilter, VersionOrder> =
        ListQuery::filtered(vec![VersionFilter::ContentIn(vec![])]);
    assert!(sql(&versions(&q), "v").0.contains("WHERE (1 = 0)"));
    let q: ListQuery<TaskFilter, TaskOrder> =
        ListQuery::filtered(vec![TaskFilter::ReservedResourceIn(vec![])]);
    assert!(sql(&tasks(&q), "t").0.contains("WHERE (1 = 0)"));
}

#[test]
fn repository_scope_is_two_subqueries() {
    let (d, n) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let scope = RepoScope {
        served: DistScope {
            distributions: vec![d],
            namespaces: vec![],
            granted_only: false,
        },
        namespaces: vec![n],
        ..Default::default()
    };
    let q = ListQuery::filtered(vec![RepositoryFilter::Visible(scope)]);
    let (text, values) = sql(&repositories(&q), "repositories r");
    assert_eq!(
        text,
        "SELECT * FROM repositories r WHERE ((r.id IN (SELECT COALESCE(vd.repository_id, \
         (SELECT sv.repository_id FROM repository_versions sv WHERE sv.id = vd.repository_version_id)) \
         FROM distributions vd WHERE (vd.private = ? OR vd.id IN (?) OR 1 = 0)) OR r.id IN \
         (SELECT vr.id FROM repositories vr WHERE vr.namespace_id IN (?)))) ORDER BY r.name"
    );
    assert_eq!(values, vec![false.into(), d.into(), n.into()]);
}

#[test]
fn numeric_and_time_comparisons() {
    let q = ListQuery::filtered(vec![
        RepositoryFilter::RetainRepoVersions(Cmp::Gte(3)),
        RepositoryFilter::RetainRepoVersions(Cmp::IsNull(false)),
    ]);
    let (text, values) = sql(&repositories(&q), "repositories r");
    assert!(text.contains(
        "WHERE r.retain_repo_versions >= ? AND r.retain_repo_versions IS NOT NULL ORDER"
    ));
    assert_eq!(values, vec![3i64.into()]);
    let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    let q = ListQuery::filtered(vec![TaskFilter::Finished(Cmp::Lt(t))]);
    let (text, values) = sql(&tasks(&q), "tasks t");
    assert!(text.contains("WHERE t.finished_at < ? ORDER"));
    assert_eq!(values, vec![t.into()]);
}

#[test]
fn versions_holding_content() {
    let (a, b) = (Uuid::from_u128(10), Uuid::from_u128(11));
    let q = ListQuery::filtered(vec![
        VersionFilter::Repository(a),
        VersionFilter::ContentIn(vec![a, b]),
    ]);
    let (text, values) = sql(&versions(&q), "repository_versions v");
    assert_eq!(
        text.matches("EXISTS (SELECT 1 FROM repository_content rc")
            .count(),
        2
    );
    assert!(text
        .starts_with("SELECT * FROM repository_versions v WHERE v.repository_id = ? AND (EXISTS"));
    assert!(text.ends_with(") ORDER BY v.number DESC, v.created_at DESC"));
    assert_eq!(values, vec![a.into(), a.into(), b.into()]);
}

#[test]
fn content_version_membership_and_tags() {
    let repo = Uuid::from_u128(3);
    let v = VersionRef {
        repository: repo,
        number: 4,
    };
    let q = ListQuery {
        filters: vec![
            ContentFilter::InVersion(v),
            ContentFilter::RemovedIn(v),
            ContentFilter::TaggedDigest(vec!["sha256:a".into()]),
            ContentFilter::TaggedMediaType(vec![]),
        ],
        order: vec![Sort::asc(ContentOrder::Name)],
        page: None,
    };
    let (text, values) = sql(&content(&q, ContentKind::Tag), "tags x");
    assert_eq!(
        text,
        "SELECT * FROM tags x WHERE (x.id IN (SELECT rc.content_id FROM repository_content rc \
         WHERE rc.repository_id = ? AND rc.version_added <= ? AND (rc.version_removed IS NULL \
         OR rc.version_removed > ?))) AND (x.id IN (SELECT rc.content_id FROM repository_content rc \
         WHERE rc.repository_id = ? AND rc.version_removed = ?)) AND (x.manifest_id IN \
         (SELECT id FROM manifests WHERE digest IN (?))) AND (1 = 0) ORDER BY x.name"
    );
    assert_eq!(
        values,
        vec![
            repo.into(),
            4i64.into(),
            4i64.into(),
            repo.into(),
            4i64.into(),
            s("sha256:a"),
        ]
    );
}

#[test]
fn content_visible_anywhere_or_in_scope() {
    let q = ListQuery::filtered(vec![ContentFilter::Visible(None)]);
    let (text, _) = sql(&content(&q, ContentKind::Blob), "blobs x");
    assert!(text.contains(
        "WHERE (x.id IN (SELECT rc.content_id FROM repository_content rc WHERE 1 = 1)) ORDER BY \
         x.created_at DESC, x.id"
    ));
}

#[test]
fn label_terms_match_the_stored_json() {
    let cases = [
        (LabelTerm::Has("a".into()), "LIKE", "%\"a\":%"),
        (LabelTerm::Lacks("a".into()), "NOT LIKE", "%\"a\":%"),
        (
            LabelTerm::IsNot("a".into(), "b".into()),
            "NOT LIKE",
            "%\"a\":\"b\"%",
        ),
        (
            LabelTerm::Contains("a".into(), "5%".into()),
            "LIKE",
            "%\"a\":\"%5\\%%",
        ),
    ];
    for (term, op, pattern) in cases {
        let q = ListQuery::filtered(vec![NamespaceFilter::Label(term)]);
        let (text, values) = sql(&namespaces(&q), "namespaces n");
        assert!(
            text.contains(&format!("(n.pulp_labels {op} ? ESCAPE '\\')")),
            "{text}"
        );
        assert_eq!(values, vec![s(pattern)]);
    }
}

#[test]
fn task_resources_are_json_strings() {
    let q = ListQuery::filtered(vec![
        TaskFilter::ReservedResourceIn(vec!["prn:a_b".into(), "prn:c".into()]),
        TaskFilter::State(Text::Ne("failed".into())),
        TaskFilter::CreatedBy(Uuid::nil()),
    ]);
    let (text, values) = sql(&tasks(&q), "tasks t");
    assert!(text.contains(
        "WHERE ((t.reserved_resources LIKE ? ESCAPE '\\') OR (t.reserved_resources LIKE ? ESCAPE '\\')) \
         AND t.state <> ? AND t.created_by = ? ORDER"
    ));
    assert_eq!(
        values,
        vec![
            s("%\"prn:a\\_b\"%"),
            s("%\"prn:c\"%"),
            s("failed"),
            Uuid::nil().into()
        ]
    );
}

#[test]
fn roles_and_assignments() {
    let q = ListQuery::filtered(vec![
        RoleFilter::ForObjectType(Some(ObjectType::Distribution)),
        RoleFilter::Locked(true),
    ]);
    let (text, values) = sql(&roles(&q), "roles r");
    assert!(text.contains("permission LIKE ?)) AND r.locked = ? ORDER BY r.name"));
    assert_eq!(values, vec![s("%containerdistribution"), true.into()]);
    let id = Uuid::from_u128(5);
    let q = ListQuery {
        filters: vec![AssignmentFilter::Object(ObjectType::Namespace, id)],
        order: vec![
            Sort::asc(AssignmentOrder::Role),
            Sort::asc(AssignmentOrder::Username),
        ],
        page: None,
    };
    let (text, values) = sql(&assignments(&q), "user_roles ur");
    assert!(
        text.ends_with("WHERE ur.object_type = ? AND ur.object_id = ? ORDER BY r.name, u.username")
    );
    assert_eq!(values, vec![s("namespace"), id.into()]);
}

#[test]
fn users_order_by_field() {
    let q = ListQuery {
        filters: vec![UserFilter::Text(
            UserField::Email,
            Text::IExact("A@B".into()),
        )],
        order: vec![Sort {
            key: UserOrder::Id,
            desc: true,
        }],
        page: None,
    };
    let (text, values) = sql(&users(&q), "users u");
    assert!(text.ends_with("WHERE LOWER(u.email) = ? ORDER BY u.number DESC"));
    assert_eq!(values, vec![s("a@b")]);
}

#[test]
fn a_granted_only_scope_leaves_public_distributions_out() {
    let (d, n) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let scope = RepoScope {
        served: DistScope {
            distributions: vec![d],
            namespaces: vec![n],
            granted_only: true,
        },
        namespaces: vec![n],
        ..Default::default()
    };
    let q = ListQuery::filtered(vec![VersionFilter::Visible(scope)]);
    let (text, values) = sql(&versions(&q), "v");
    assert!(
        text.contains("WHERE (vd.id IN (?) OR vd.namespace_id IN (?))"),
        "{text}"
    );
    assert!(!text.contains("private"), "{text}");
    assert_eq!(values, vec![d.into(), n.into(), n.into()]);
}

#[test]
fn pullable_repositories() {
    let scope = DistScope {
        distributions: vec![],
        namespaces: vec![Uuid::from_u128(9)],
        granted_only: false,
    };
    let (text, values) = pullable(&scope);
    assert_eq!(
        text,
        "r.id IN (SELECT COALESCE(pd.repository_id, (SELECT sv.repository_id FROM repository_versions sv \
         WHERE sv.id = pd.repository_version_id)) FROM distributions pd WHERE (pd.private = ? OR 1 = 0 OR \
         pd.namespace_id IN (?)))"
    );
    assert_eq!(values, vec![false.into(), Uuid::from_u128(9).into()]);
}
