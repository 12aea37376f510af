//! Retention policies (`/pulp/api/v3/retention_policies/`): the CRUD round trip with every
//! field, defaults, pagination and filters, and that a namespace's policies go with it. Each
//! validation error: `retention_policies_validation`; who may do what: `retention_policies_rbac`.
use crate::common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

pub const POLICIES: &str = "/pulp/api/v3/retention_policies/";

/// Creates namespace `name` as the admin and returns its href.
pub async fn namespace(app: &TestApp, name: &str) -> String {
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/pulp_container/namespaces/",
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    v["pulp_href"].as_str().unwrap().to_string()
}

/// Creates a policy as the admin (asserting 201) and returns its view.
pub async fn create(app: &TestApp, body: Value) -> Value {
    let (s, v) = app.api(Method::POST, POLICIES, Some(body)).await;
    assert_eq!(s, 201, "{v}");
    v
}

pub fn keep_all(name: &str) -> Value {
    json!({"name": name, "rules": [{"always": true}]})
}

#[tokio::test]
async fn a_policy_round_trips_every_field_through_create_read_update_and_delete() {
    let app = TestApp::spawn().await;
    let ns = namespace(&app, "team").await;
    let body = json!({
        "name": "team-cleanup",
        "namespace": ns,
        "repositories": ["app*", "tools/**"],
        "exclude_repositories": ["tools/keep-*"],
        "rules": [
            {"tags": "v.*", "exclude_tags": "v0\\..*", "latest_pushed": 5},
            {"untagged": true, "pulled_within": "7d"},
            {"tags": "release-.*", "always": true},
            {"latest_pulled": 3},
            {"pushed_within": "90m"}
        ],
        "enabled": false,
        "delay": "36h",
        "allow_empty": true,
        "undo_window": "0s",
        "schedule": "1d"
    });
    let v = create(&app, body.clone()).await;
    let href = v["pulp_href"].as_str().unwrap().to_string();
    let id = href.trim_end_matches('/').rsplit('/').next().unwrap();
    assert_eq!(href, format!("{POLICIES}{id}/"));
    assert_eq!(v["prn"], format!("prn:berth.retentionpolicy:{id}"));
    for key in [
        "name",
        "namespace",
        "repositories",
        "exclude_repositories",
        "enabled",
        "delay",
        "allow_empty",
        "undo_window",
    ] {
        assert_eq!(v[key], body[key], "{key}");
    }
    assert_eq!(v["schedule"], "1d");
    // Rules come back as written, durations in their largest unit, defaults shown.
    assert_eq!(
        v["rules"],
        json!([
            {"tags": "v.*", "exclude_tags": "v0\\..*", "untagged": false, "latest_pushed": 5},
            {"untagged": true, "pulled_within": "7d"},
            {"tags": "release-.*", "untagged": false, "always": true},
            {"untagged": false, "latest_pulled": 3},
            {"untagged": false, "pushed_within": "90m"}
        ])
    );
    assert!(v["pulp_created"].as_str().unwrap().ends_with('Z'));
    assert_eq!(app.api_get(&href).await, v);
    let fields = app.api_get(&format!("{href}?fields=name,enabled")).await;
    assert_eq!(fields, json!({"name": "team-cleanup", "enabled": false}));

    // PUT replaces what it gives and keeps what it leaves out (DRF's update).
    let (s, put) = app
        .api(
            Method::PUT,
            &href,
            Some(json!({"name": "renamed", "rules": [{"latest_pushed": 1}], "schedule": null})),
        )
        .await;
    assert_eq!(s, 200, "{put}");
    assert_eq!(put["name"], "renamed");
    assert_eq!(
        put["rules"],
        json!([{"untagged": false, "latest_pushed": 1}])
    );
    assert_eq!(put["schedule"], Value::Null);
    assert_eq!(put["namespace"], ns);
    assert_eq!(put["delay"], "36h");
    assert_eq!(put["pulp_created"], v["pulp_created"]);
    assert_ne!(put["pulp_last_updated"], v["pulp_last_updated"]);

    let (s, patched) = app
        .api(
            Method::PATCH,
            &href,
            Some(json!({"enabled": true, "namespace": null, "delay": "0s", "repositories": []})),
        )
        .await;
    assert_eq!(s, 200, "{patched}");
    assert_eq!(patched["enabled"], true);
    assert_eq!(patched["namespace"], Value::Null);
    assert_eq!(patched["delay"], "0s");
    assert_eq!(patched["repositories"], json!([]));
    assert_eq!(patched["exclude_repositories"], json!(["tools/keep-*"]));
    assert_eq!(patched["name"], "renamed");
    // A PATCH that changes nothing answers the policy as it is.
    let (s, same) = app.api(Method::PATCH, &href, Some(json!({}))).await;
    assert_eq!((s.as_u16(), &same), (200, &patched));

    let (s, body) = app.api(Method::DELETE, &href, None).await;
    assert_eq!(s, 204, "{body}");
    let (s, body) = app.api(Method::GET, &href, None).await;
    assert_eq!((s.as_u16(), body), (404, json!({"detail": "Not found."})));
    let (s, _) = app.api(Method::DELETE, &href, None).await;
    assert_eq!(s, 404);
    let (s, body) = app
        .api(Method::GET, &format!("{POLICIES}nope/"), None)
        .await;
    assert_eq!((s.as_u16(), body), (404, json!({"detail": "Not found."})));
    let res = app
        .request(Method::POST, &href)
        .basic_auth("admin", Some("admin-password"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "DELETE, GET, PATCH, PUT");
}

#[tokio::test]
async fn a_policy_given_only_a_name_and_rules_gets_the_defaults() {
    let app = TestApp::spawn().await;
    let v = create(&app, keep_all("defaults")).await;
    assert_eq!(v["namespace"], Value::Null);
    assert_eq!(v["repositories"], json!([]));
    assert_eq!(v["exclude_repositories"], json!([]));
    assert_eq!(v["enabled"], true);
    assert_eq!(v["delay"], "1d", "24 hours");
    assert_eq!(v["allow_empty"], false);
    assert_eq!(v["undo_window"], "7d");
    assert_eq!(v["schedule"], Value::Null);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 14, "{keys:?}");
}

#[tokio::test]
async fn lists_page_and_filter_policies_as_every_pulp_list_does() {
    let app = TestApp::spawn().await;
    let a = namespace(&app, "alpha").await;
    let b = namespace(&app, "beta").await;
    let mut hrefs = vec![];
    for (name, ns, enabled) in [
        ("a-nightly", Some(&a), true),
        ("a-weekly", Some(&a), false),
        ("b-nightly", Some(&b), true),
        ("global-nightly", None, true),
        ("Global-Weekly", None, false),
    ] {
        let mut body = keep_all(name);
        body["namespace"] = ns.map_or(Value::Null, |h| json!(h));
        body["enabled"] = json!(enabled);
        hrefs.push(
            create(&app, body).await["pulp_href"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let names = |v: &Value| -> Vec<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = app.api_get(POLICIES).await;
    assert_eq!(all["count"], 5);
    assert_eq!(
        names(&all),
        [
            "Global-Weekly",
            "a-nightly",
            "a-weekly",
            "b-nightly",
            "global-nightly"
        ],
        "by name"
    );
    let page = app.api_get(&format!("{POLICIES}?limit=2&offset=2")).await;
    assert_eq!(page["count"], 5);
    assert_eq!(names(&page), ["a-weekly", "b-nightly"]);
    assert!(page["next"]
        .as_str()
        .unwrap()
        .ends_with("retention_policies/?limit=2&offset=4"));
    assert!(page["previous"]
        .as_str()
        .unwrap()
        .ends_with("retention_policies/?limit=2"));
    let cases = [
        ("name=a-weekly", vec!["a-weekly"]),
        ("name__in=a-weekly,b-nightly,nope", vec!["a-weekly", "b-nightly"]),
        ("name__contains=nightly", vec!["a-nightly", "b-nightly", "global-nightly"]),
        ("name__icontains=GLOBAL", vec!["Global-Weekly", "global-nightly"]),
        ("name__startswith=a-", vec!["a-nightly", "a-weekly"]),
        ("namespace__isnull=true", vec!["Global-Weekly", "global-nightly"]),
        ("enabled=false", vec!["Global-Weekly", "a-weekly"]),
        ("enabled=true&name__contains=a-", vec!["a-nightly"]),
        ("ordering=-name&limit=2", vec!["global-nightly", "b-nightly"]),
        ("ordering=-pulp_created&limit=1", vec!["Global-Weekly"]),
        ("namespace=/pulp/api/v3/pulp_container/namespaces/00000000-0000-0000-0000-000000000000/", vec![]),
    ];
    for (query, want) in cases {
        let v = app.api_get(&format!("{POLICIES}?{query}")).await;
        assert_eq!(names(&v), want, "{query}");
    }
    let v = app.api_get(&format!("{POLICIES}?namespace={a}")).await;
    assert_eq!(names(&v), ["a-nightly", "a-weekly"]);
    let v = app
        .api_get(&format!(
            "{POLICIES}?pulp_href__in={},{}",
            hrefs[0], hrefs[2]
        ))
        .await;
    assert_eq!(names(&v), ["a-nightly", "b-nightly"]);
    let (s, v) = app
        .api(Method::GET, &format!("{POLICIES}?colour=red"), None)
        .await;
    assert_eq!(
        (s.as_u16(), v),
        (400, json!({"errors": ["Invalid Filter: 'colour'"]}))
    );
    let (s, v) = app
        .api(Method::GET, &format!("{POLICIES}?ordering=size"), None)
        .await;
    assert_eq!(s, 400, "{v}");
    assert!(v["ordering"][0]
        .as_str()
        .unwrap()
        .contains("size is not one of"));
    let (s, v) = app
        .api(Method::GET, &format!("{POLICIES}?enabled=maybe"), None)
        .await;
    assert_eq!(s, 400, "{v}");
}

#[tokio::test]
async fn deleting_a_namespace_deletes_its_policies() {
    let app = TestApp::spawn().await;
    let doomed = namespace(&app, "doomed").await;
    let kept = namespace(&app, "kept").await;
    let mut p = keep_all("doomed-policy");
    p["namespace"] = json!(doomed);
    let gone = create(&app, p).await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    let mut p = keep_all("kept-policy");
    p["namespace"] = json!(kept);
    create(&app, p).await;
    create(&app, keep_all("global-policy")).await;
    app.api_task(Method::DELETE, &doomed, None).await;
    let (s, _) = app.api(Method::GET, &gone, None).await;
    assert_eq!(s, 404);
    let v = app.api_get(POLICIES).await;
    assert_eq!(v["count"], 2, "{v}");
    // Its name is free again.
    create(&app, keep_all("doomed-policy")).await;
}

#[test]
fn the_document_describes_the_policy_operations_under_their_own_tag() {
    let doc: Value = serde_json::from_str(berth::api::openapi::document()).unwrap();
    let cases = [
        (POLICIES, "get", "retention_policies_list"),
        (POLICIES, "post", "retention_policies_create"),
        ("{retention_policy_href}", "get", "retention_policies_read"),
        (
            "{retention_policy_href}",
            "put",
            "retention_policies_update",
        ),
        (
            "{retention_policy_href}",
            "patch",
            "retention_policies_partial_update",
        ),
        (
            "{retention_policy_href}",
            "delete",
            "retention_policies_delete",
        ),
    ];
    for (path, method, id) in cases {
        let op = &doc["paths"][path][method];
        assert_eq!(op["operationId"], id, "{method} {path}");
        assert_eq!(op["tags"], json!(["Retention: Policies"]), "{id}");
    }
    let list = &doc["paths"][POLICIES]["get"];
    let params: Vec<&str> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "limit",
        "offset",
        "ordering",
        "name",
        "name__in",
        "name__contains",
        "name__icontains",
        "name__startswith",
        "namespace",
        "enabled",
    ] {
        assert!(params.contains(&p), "{p} in {params:?}");
    }
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["berth.RetentionPolicyResponse"]["properties"]["rules"].is_object());
    assert!(schemas["berth.RetentionPolicy"]["required"]
        .as_array()
        .unwrap()
        .contains(&json!("rules")));
}
