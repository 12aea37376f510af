//! Each way a retention policy can be invalid, refused with 400 and a message under the field
//! that names exactly what is wrong (rules and patterns by index); every problem at once; a
//! taken name is Pulp's unique error.
use crate::common::TestApp;
use crate::retention_policies::{create, keep_all, POLICIES};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn each_invalid_field_is_refused_with_a_message_naming_what_is_wrong() {
    let app = TestApp::spawn().await;
    let rule = |r: Value| json!({"name": "p", "rules": [r]});
    let with = |k: &str, v: Value| {
        let mut b = keep_all("p");
        b[k] = v;
        b
    };
    let many: Vec<Value> = (0..51).map(|_| json!({"always": true})).collect();
    let ns_list = "/pulp/api/v3/pulp_container/namespaces/";
    let cases: Vec<(Value, &str, &str)> = vec![
        (rule(json!({"keep": 3})), "rules", "rules[0]: unknown field `keep`"),
        (
            rule(json!({"latest_pushed": 3, "pulled_within": "7d"})),
            "rules",
            "rules[0]: a rule needs exactly one of latest_pushed, latest_pulled, pushed_within, pulled_within, always; it has 2: latest_pushed, pulled_within",
        ),
        (rule(json!({"tags": "v.*"})), "rules", "; it has none"),
        (
            rule(json!({"tags": "v(", "always": true})),
            "rules",
            "rules[0]: 'v(' is not a valid regular expression",
        ),
        (rule(json!({"always": false})), "rules", "always can only be true"),
        (rule(json!({"latest_pushed": 0})), "rules", "latest_pushed must be at least 1"),
        (rule(json!({"latest_pushed": -1})), "rules", "rules[0]: invalid value: integer `-1`"),
        (rule(json!({"pushed_within": "7x"})), "rules", "rules[0]: '7x' is not a duration"),
        (rule(json!("always")), "rules", "rules[0]: a rule is an object"),
        (json!({"name": "p", "rules": []}), "rules", "a policy needs at least one rule"),
        (json!({"name": "p", "rules": many}), "rules", "at most 50 rules"),
        (json!({"name": "p", "rules": {"always": true}}), "rules", "Expected a list of items."),
        (json!({"rules": [{"always": true}]}), "name", "This field is required."),
        (json!({"name": "p"}), "rules", "This field is required."),
        (with("name", json!("")), "name", "This field may not be blank."),
        (with("name", json!("x".repeat(256))), "name", "no more than 255 characters"),
        (with("repositories", json!([""])), "repositories", "repositories[0]: a repository pattern must have 1 to 512 characters"),
        (with("exclude_repositories", json!(["ok", 3])), "exclude_repositories", "exclude_repositories[1]: Not a valid string."),
        (with("repositories", json!(null)), "repositories", "This field may not be null."),
        (with("delay", json!("soon")), "delay", "'soon' is not a duration"),
        (with("undo_window", json!("-1d")), "undo_window", "'-1d' is negative"),
        (with("undo_window", json!(7)), "undo_window", "Not a valid string."),
        (with("schedule", json!("10s")), "schedule", "'10s' is too short"),
        (with("enabled", json!("yes")), "enabled", "Must be a valid boolean."),
        (with("namespace", json!(format!("{ns_list}00000000-0000-0000-0000-000000000000/"))), "namespace", "Invalid hyperlink - Object does not exist."),
        (with("namespace", json!("team")), "namespace", "Invalid hyperlink - Object does not exist."),
        (with("namespace", json!(5)), "namespace", "Incorrect type. Expected URL string."),
        (with("color", json!("red")), "color", "Unexpected field"),
    ];
    for (body, field, message) in cases {
        let (s, v) = app.api(Method::POST, POLICIES, Some(body.clone())).await;
        assert_eq!(s, 400, "{body}: {v}");
        let got = v[field][0].as_str().unwrap_or_default();
        assert!(
            got.contains(message),
            "{body}: {field} should say {message:?}: {v}"
        );
    }
    // Every problem at once, each under its field.
    let (s, v) = app
        .api(
            Method::POST,
            POLICIES,
            Some(json!({"name": "", "rules": [{"tags": "(", "always": true}, {"keep": 1}, {"always": true}, {"latest_pushed": 1, "always": true}], "delay": "x"})),
        )
        .await;
    assert_eq!(s, 400);
    let fields: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["delay", "name", "rules"], "{v}");
    let rules: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().split(':').next().unwrap())
        .collect();
    assert_eq!(rules, ["rules[0]", "rules[1]", "rules[3]"], "{v}");
    assert_eq!(
        app.api_get(POLICIES).await["count"],
        0,
        "nothing was created"
    );

    // A taken name is Pulp's unique error, on create and on update.
    create(&app, keep_all("taken")).await;
    let other = create(&app, keep_all("free")).await;
    let (s, v) = app
        .api(Method::POST, POLICIES, Some(keep_all("taken")))
        .await;
    assert_eq!(
        (s.as_u16(), v),
        (400, json!({"name": ["This field must be unique."]}))
    );
    let href = other["pulp_href"].as_str().unwrap();
    let (s, v) = app
        .api(Method::PATCH, href, Some(json!({"name": "taken"})))
        .await;
    assert_eq!(
        (s.as_u16(), v),
        (400, json!({"name": ["This field must be unique."]}))
    );
    let (s, v) = app
        .api(Method::PUT, href, Some(json!({"name": "free"})))
        .await;
    assert_eq!(
        (s.as_u16(), v),
        (400, json!({"rules": ["This field is required."]}))
    );
    let (s, v) = app
        .api(Method::PATCH, href, Some(json!({"rules": []})))
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = app.api(Method::POST, POLICIES, Some(json!([1]))).await;
    assert_eq!(s, 400, "{v}");
    assert!(v["non_field_errors"][0]
        .as_str()
        .unwrap()
        .contains("Expected a dictionary"));
}
