//! Helpers of the retention-run tests: images pushed in the test, stored bytes, and the
//! preview and run calls.
use crate::common::oci::{bytes, descriptor, sha256, LAYER, OCI_CONFIG, OCI_MANIFEST};
use crate::common::TestApp;
use crate::reclaim_delete::blob_file;
use reqwest::Method;
use serde_json::{json, Value};

/// Pushes an image under `reference` (a tag, or `None`: by digest); returns (bytes, digest).
pub async fn image(
    app: &TestApp,
    name: &str,
    reference: Option<&str>,
    layers: &[Vec<u8>],
) -> (Vec<u8>, String) {
    if let Some(tag) = reference {
        return app.push_image(name, tag, layers).await;
    }
    let config = json!({"architecture": "arm64", "os": "linux", "seed": sha256(&layers.concat())})
        .to_string()
        .into_bytes();
    app.push_blob(name, &config).await;
    let mut descs = vec![];
    for l in layers {
        app.push_blob(name, l).await;
        descs.push(descriptor(LAYER, l));
    }
    let m = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, &config), "layers": descs})
    .to_string()
    .into_bytes();
    let d = sha256(&m);
    let res = app.put_manifest(name, &d, OCI_MANIFEST, &m).await;
    assert_eq!(res.status(), 201);
    (m, d)
}

/// Config and layer (digest, size) of an image manifest.
pub fn blob_sizes(manifest: &[u8]) -> Vec<(String, i64)> {
    let m: Value = serde_json::from_slice(manifest).unwrap();
    let mut out = vec![];
    for d in std::iter::once(&m["config"]).chain(m["layers"].as_array().unwrap()) {
        out.push((
            d["digest"].as_str().unwrap().to_string(),
            d["size"].as_i64().unwrap(),
        ));
    }
    out
}

/// Bytes of every blob file in the local store.
pub fn stored_bytes(app: &TestApp) -> u64 {
    let any = blob_file(app, &format!("sha256:{}", "0".repeat(64)));
    let sha = any.parent().unwrap().parent().unwrap();
    let mut total = 0;
    for dir in std::fs::read_dir(sha).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            total += f.unwrap().metadata().unwrap().len();
        }
    }
    total
}

pub async fn tags(app: &TestApp, name: &str) -> Vec<String> {
    let res = app
        .get(&format!("/v2/{name}/tags/list"))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    let mut t: Vec<String> = v["tags"]
        .as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    t.sort();
    t
}

pub async fn latest(app: &TestApp, name: &str) -> String {
    app.api_one(&format!(
        "/pulp/api/v3/repositories/container/container-push/?name={name}"
    ))
    .await["latest_version_href"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn preview(app: &TestApp, policy: &str) -> Value {
    let (s, v) = app
        .api(Method::POST, &format!("{policy}preview/"), None)
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

pub async fn run(app: &TestApp, policy: &str, dry_run: bool) -> Value {
    app.api_task(
        Method::POST,
        &format!("{policy}run/"),
        Some(json!({"dry_run": dry_run})),
    )
    .await
}

pub fn report(task: &Value, code: &str) -> i64 {
    task["progress_reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {task}"))["done"]
        .as_i64()
        .unwrap()
}

/// Five images v1..v5 in `name`, each with its own layer over a shared base; returns their
/// manifests.
pub async fn five(app: &TestApp, name: &str) -> Vec<Vec<u8>> {
    let base = bytes(100, 5000);
    let mut out = vec![];
    for i in 1..=5u64 {
        let (m, _) = image(
            app,
            name,
            Some(&format!("v{i}")),
            &[base.clone(), bytes(100 + i, 1000 * i as usize)],
        )
        .await;
        out.push(m);
    }
    out
}

/// Runs one statement written with `?` placeholders on the app's database.
pub async fn sql(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let db = sea_orm::Database::connect(&app.settings.database_url)
        .await
        .unwrap();
    let backend = db.get_database_backend();
    let mut text = String::new();
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' && backend == DbBackend::Postgres {
            n += 1;
            text.push_str(&format!("${n}"));
        } else {
            text.push(c);
        }
    }
    db.execute_raw(Statement::from_sql_and_values(backend, text, values))
        .await
        .unwrap();
}

/// The id an href ends with.
pub fn uuid_of(href: &str) -> uuid::Uuid {
    href.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}
