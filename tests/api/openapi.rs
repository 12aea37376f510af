//! The committed OpenAPI document matches the code, and the server serves it.
use crate::common::TestApp;

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

#[tokio::test]
async fn the_server_serves_its_openapi_document_and_liveness() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app
        .get("/pulp/api/v3/docs/api.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/pulp/api/v3/livez/"].is_object());
    assert_eq!(
        app.get("/pulp/api/v3/livez/")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
