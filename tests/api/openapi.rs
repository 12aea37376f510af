//! The OpenAPI document: committed copy matches the code, the server serves it (JSON, YAML,
//! `pk_path` variant, Swagger UI), and it carries what pulp-glue looks for.
use crate::common::TestApp;
use serde_json::Value;

#[tokio::test]
async fn the_committed_openapi_document_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json is committed");
    assert!(
        committed == berth::api::openapi::document(),
        "openapi/openapi.json is stale: regenerate it with `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn the_document_names_operations_and_href_parameters_as_pulp_does() {
    let doc: Value = serde_json::from_str(berth::api::openapi::document()).unwrap();
    assert_eq!(doc["info"]["x-pulp-app-versions"]["container"], "2.28.1");
    assert!(doc["info"]["x-pulp-app-versions"]["core"].is_string());
    assert_eq!(doc["info"]["x-pulp-domain-enabled"], false);
    let op = |path: &str, method: &str| doc["paths"][path][method]["operationId"].clone();
    let cases = [
        (
            "/pulp/api/v3/pulp_container/namespaces/",
            "get",
            "pulp_container_namespaces_list",
        ),
        (
            "{container_container_namespace_href}",
            "delete",
            "pulp_container_namespaces_delete",
        ),
        (
            "{container_container_distribution_href}",
            "delete",
            "distributions_container_container_delete",
        ),
        (
            "{container_container_push_repository_href}remove_image/",
            "post",
            "repositories_container_container_push_remove_image",
        ),
        (
            "{container_container_push_repository_href}versions/",
            "get",
            "repositories_container_container_push_versions_list",
        ),
        (
            "/pulp/api/v3/orphans/cleanup/",
            "post",
            "orphans_cleanup_cleanup",
        ),
        ("{task_href}", "get", "tasks_read"),
        ("{task_href}", "patch", "tasks_cancel"),
        ("/pulp/api/v3/status/", "get", "status_read"),
        ("{auth_user_href}roles/", "post", "users_roles_create"),
        ("/token/", "get", "token_get"),
    ];
    for (path, method, id) in cases {
        assert_eq!(op(path, method), id, "{method} {path}");
    }
    // Deleting an unfinished task is a 409 with no body, as in Pulp.
    assert!(doc["paths"]["{task_href}"]["delete"]["responses"]["409"].is_object());
    let params = &doc["paths"]["{task_href}"]["get"]["parameters"];
    assert!(params
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "task_href" && p["in"] == "path" && p["required"] == true));
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "operationIds are unique");
}

#[tokio::test]
async fn the_server_serves_the_document_as_json_and_yaml_and_swagger_ui() {
    let app = TestApp::spawn().await;
    let res = app.get("/pulp/api/v3/docs/api.json").send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/json");
    assert!(res.headers().contains_key("correlation-id"));
    assert_eq!(res.text().await.unwrap(), berth::api::openapi::document());

    let pk: Value = app
        .get("/pulp/api/v3/docs/api.json?pk_path=1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let read = &pk["paths"]["/pulp/api/v3/tasks/{pulp_id}/"]["get"];
    assert_eq!(read["operationId"], "tasks_read");
    assert!(pk["paths"]
        .as_object()
        .unwrap()
        .keys()
        .all(|k| k.starts_with('/')));

    let yaml = app.get("/pulp/api/v3/docs/api.yaml").send().await.unwrap();
    assert_eq!(yaml.status(), 200);
    assert!(yaml
        .text()
        .await
        .unwrap()
        .contains("operationId: tasks_read"));

    let ui = app.get("/pulp/api/v3/swagger/").send().await.unwrap();
    assert_eq!(ui.status(), 200);
    let html = ui.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    let init = app
        .get("/pulp/api/v3/swagger/swagger-initializer.js")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("/pulp/api/v3/docs/api.json"), "{init}");

    assert_eq!(
        app.get("/pulp/api/v3/livez/")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn a_percent_encoded_href_path_is_routed_as_the_href_it_names() {
    let app = TestApp::spawn().await;
    let (status, created) = app
        .api(
            reqwest::Method::POST,
            "/pulp/api/v3/pulp_container/namespaces/",
            Some(serde_json::json!({"name": "encoded"})),
        )
        .await;
    assert_eq!(status, 201);
    let href = created["pulp_href"].as_str().unwrap();
    let encoded = format!("/{}", href.replace('/', "%2F"));
    let read = app.api_get(&format!("{encoded}?fields=name")).await;
    assert_eq!(read, serde_json::json!({"name": "encoded"}));
    let outside = app.get("/%2Fv2%2F_catalog").send().await.unwrap();
    assert_eq!(outside.status(), 404);
}
