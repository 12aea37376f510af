//! What generic client generators need from the document (issue 17 §1, §5): the advertised Pulp
//! versions, the committed `pk_path` variant, a doubled leading slash routed like one, typed task
//! errors and progress reports, always-returned nullable fields listed as required, and task
//! state filters typed by `StateEnum`.
use crate::common::TestApp;
use serde_json::Value;

fn doc() -> Value {
    serde_json::from_str(berth::api::openapi::document()).unwrap()
}

#[tokio::test]
async fn the_committed_pk_path_document_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/openapi.pk.json"
    ))
    .expect("openapi/openapi.pk.json is committed");
    assert!(
        committed == berth::api::openapi::document_pk_path(),
        "openapi/openapi.pk.json is stale: regenerate it with \
         `cargo run -- openapi --pk-path > openapi/openapi.pk.json`"
    );
    let app = TestApp::spawn().await;
    let served = app.get("/pulp/api/v3/docs/api.json?pk_path=1").send().await;
    assert_eq!(served.unwrap().text().await.unwrap(), committed);
}

#[tokio::test]
async fn status_and_the_document_advertise_pulp_container_2_28_1_and_its_pulpcore() {
    let d = doc();
    assert_eq!(d["info"]["x-pulp-app-versions"]["container"], "2.28.1");
    assert_eq!(d["info"]["x-pulp-app-versions"]["core"], "3.115.2");
    let app = TestApp::spawn().await;
    let status = app.api_get("/pulp/api/v3/status/").await;
    let version = |component: &str| {
        status["versions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["component"] == component)
            .map(|v| v["version"].clone())
    };
    assert_eq!(version("container"), Some("2.28.1".into()));
    assert_eq!(version("core"), Some("3.115.2".into()));
    assert_eq!(status["online_api_apps"][0]["versions"]["core"], "3.115.2");
}

#[tokio::test]
async fn a_doubled_leading_slash_is_routed_like_a_single_one_under_the_api() {
    let app = TestApp::spawn().await;
    let (status, created) = app
        .api(
            reqwest::Method::POST,
            "//pulp/api/v3/pulp_container/namespaces/",
            Some(serde_json::json!({"name": "doubled"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let href = created["pulp_href"].as_str().unwrap();
    let read = app.api_get(&format!("/{href}?fields=name")).await;
    assert_eq!(read, serde_json::json!({"name": "doubled"}));
    let page = app
        .api_get("//pulp/api/v3/pulp_container/namespaces/?limit=1&offset=0")
        .await;
    assert_eq!(page["count"], 1);
    // Only the management API: the registry and anything else keep their own routes.
    let registry = app.get("//v2/").send().await.unwrap();
    assert_eq!(registry.status(), 404);
}

#[test]
fn task_errors_and_progress_reports_have_real_schemas() {
    let d = doc();
    let schemas = &d["components"]["schemas"];
    let task = &schemas["TaskResponse"]["properties"];
    assert_eq!(
        task["error"]["oneOf"][0]["$ref"],
        "#/components/schemas/TaskError"
    );
    assert_eq!(task["error"]["oneOf"][1]["type"], "null");
    let error = &schemas["TaskError"]["properties"];
    assert!(error["description"].is_object() && error["traceback"].is_object());
    assert_eq!(
        task["progress_reports"]["items"]["$ref"],
        "#/components/schemas/ProgressReportResponse"
    );
    let report = &schemas["ProgressReportResponse"]["properties"];
    for field in ["message", "code", "state", "total", "done", "suffix"] {
        assert!(report[field].is_object(), "progress report {field}");
    }
}

#[test]
fn always_returned_fields_are_required_and_nullable_ones_say_null() {
    let d = doc();
    let schemas = d["components"]["schemas"].as_object().unwrap();
    // Every view type: its fields are always serialized (null when empty), except the error
    // body (one of three shapes) and status's superuser-only `content_storage`.
    let views = schemas
        .iter()
        .filter(|(name, _)| name.ends_with("Response") && *name != "ErrorResponse");
    let mut checked = vec![];
    for (name, schema) in views {
        let Some(properties) = schema["properties"].as_object() else {
            continue;
        };
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        for field in properties.keys() {
            let optional = name == "StatusResponse" && field == "content_storage";
            assert!(
                optional || required.contains(&field.as_str()),
                "{name}.{field} is always returned but not required"
            );
        }
        checked.push(name.as_str());
    }
    for name in [
        "TaskResponse",
        "container.ContainerPushRepositoryResponse",
        "RepositoryVersionResponse",
        "container.ContainerDistributionResponse",
        "ProgressReportResponse",
    ] {
        assert!(checked.contains(&name), "{name}");
    }
    let finished = &d["components"]["schemas"]["TaskResponse"]["properties"]["finished_at"];
    assert_eq!(finished["type"], serde_json::json!(["string", "null"]));
}

#[test]
fn task_state_filters_reference_the_state_enum() {
    let d = doc();
    let params = d["paths"]["/pulp/api/v3/tasks/"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let param = |n: &str| params.iter().find(|p| p["name"] == n).unwrap().clone();
    let state_enum = "#/components/schemas/StateEnum";
    assert_eq!(param("state")["schema"]["$ref"], state_enum);
    assert_eq!(param("state__ne")["schema"]["$ref"], state_enum);
    assert_eq!(param("state__in")["schema"]["items"]["$ref"], state_enum);
    assert_eq!(param("state__in")["explode"], false);
}

#[tokio::test]
async fn a_finished_task_matches_its_schema_field_for_field() {
    let app = TestApp::spawn().await;
    let task = app
        .api_task(
            reqwest::Method::POST,
            "/pulp/api/v3/orphans/cleanup/",
            Some(serde_json::json!({"orphan_protection_time": 0})),
        )
        .await;
    let d = doc();
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let schemas = &d["components"]["schemas"];
    assert_eq!(keys(&task), keys(&schemas["TaskResponse"]["properties"]));
    let reports = task["progress_reports"].as_array().unwrap();
    assert!(!reports.is_empty(), "{task}");
    for r in reports {
        assert_eq!(
            keys(r),
            keys(&schemas["ProgressReportResponse"]["properties"])
        );
    }
}
