//! Unlucky timing answered correctly: pushes racing namespace deletes get 404 `NAME_UNKNOWN`
//! (never a 5xx), replicas starting together on one fresh database both start, and a running
//! task that is canceled ends `canceled`.
use crate::common::oci::{descriptor, sha256, LAYER, OCI_CONFIG, OCI_MANIFEST};
use crate::common::TestApp;
use berth::config::Settings;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

/// One push of a small image to `name` with every status the registry answered.
async fn push_statuses(app: &TestApp, name: &str, seed: usize) -> Vec<(String, u16)> {
    let mut seen = vec![];
    let config = json!({"os": "linux", "architecture": "amd64", "seed": seed})
        .to_string()
        .into_bytes();
    let layer = format!("layer-{name}-{seed}").into_bytes();
    for body in [&config, &layer] {
        let d = sha256(body);
        let res = app
            .post(&format!("/v2/{name}/blobs/uploads/?digest={d}"))
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        seen.push(("monolithic".into(), res.status().as_u16()));
    }
    // A chunked upload of a second layer, across three requests.
    let chunked = format!("chunked-{name}-{seed}").into_bytes();
    let res = app
        .post(&format!("/v2/{name}/blobs/uploads/"))
        .send()
        .await
        .unwrap();
    seen.push(("start".into(), res.status().as_u16()));
    if let Some(loc) = res.headers().get("location").and_then(|l| l.to_str().ok()) {
        let loc = loc.to_string();
        let res = app
            .patch(&loc)
            .header("Content-Range", format!("0-{}", chunked.len() - 1))
            .body(chunked.clone())
            .send()
            .await
            .unwrap();
        seen.push(("patch".into(), res.status().as_u16()));
        let res = app
            .put(&format!("{loc}?digest={}", sha256(&chunked)))
            .send()
            .await
            .unwrap();
        seen.push(("finish".into(), res.status().as_u16()));
    }
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, &config),
        "layers": [descriptor(LAYER, &layer), descriptor(LAYER, &chunked)]});
    let res = app
        .put_manifest(
            name,
            "latest",
            OCI_MANIFEST,
            manifest.to_string().as_bytes(),
        )
        .await;
    let status = res.status().as_u16();
    if status == 404 {
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "NAME_UNKNOWN", "{body}");
    }
    seen.push(("manifest".into(), status));
    seen
}

#[tokio::test]
async fn pushing_while_the_namespace_is_deleted_never_answers_5xx() {
    let app = TestApp::spawn().await;
    let mut all = vec![];
    for round in 0..6 {
        app.push_image("race/base", "v1", &[b"base".to_vec()]).await;
        let ns = app
            .api_one("/pulp/api/v3/pulp_container/namespaces/?name=race")
            .await;
        let href = ns["pulp_href"].as_str().unwrap().to_string();
        let pushers = (0..4).map(|i| {
            let app = &app;
            async move {
                let mut seen = vec![];
                for k in 0..3 {
                    seen.extend(push_statuses(app, &format!("race/app{i}"), round * 10 + k).await);
                }
                seen
            }
        });
        let delete = async {
            tokio::time::sleep(Duration::from_millis(5 * round as u64)).await;
            let (s, v) = app.api(Method::DELETE, &href, None).await;
            assert_eq!(s, StatusCode::ACCEPTED, "{v}");
            app.task_done(v["task"].as_str().unwrap()).await
        };
        let (seen, task) = tokio::join!(futures::future::join_all(pushers), delete);
        assert_eq!(task["state"], "completed", "namespace delete: {task}");
        all.extend(seen.into_iter().flatten());
    }
    let failures: Vec<_> = all.iter().filter(|(_, s)| *s >= 500).collect();
    assert!(failures.is_empty(), "5xx answers: {failures:?}");
    // The registry still works for the namespace afterwards.
    app.push_image("race/after", "v1", &[b"after".to_vec()])
        .await;
}

/// Settings on a fresh database of their own (PostgreSQL when `BERTH_TEST_DATABASE_URL` is set).
async fn fresh_settings(dir: &std::path::Path) -> Settings {
    let mut settings = Settings::for_data_dir(dir.to_path_buf()).unwrap();
    settings.admin_password = Some("admin-password".into());
    if let Some(base) = std::env::var("BERTH_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        let name = format!("berth_test_{}", uuid::Uuid::new_v4().simple());
        let (server, _) = base.rsplit_once('/').unwrap();
        let admin = sea_orm::Database::connect(format!("{server}/postgres"))
            .await
            .unwrap();
        use sea_orm::ConnectionTrait;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        settings.database_url = format!("{server}/{name}");
    }
    settings
}

#[tokio::test]
async fn replicas_starting_together_on_a_fresh_database_both_start() {
    // Replicas share PostgreSQL; on SQLite two processes opening a brand-new file together
    // can still meet "database is locked" while one switches it to WAL (in `Db::connect`).
    if std::env::var("BERTH_TEST_DATABASE_URL").is_err() {
        eprintln!("skipped on SQLite: replicas share PostgreSQL");
        return;
    }
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let settings = fresh_settings(dir.path()).await;
        let (a, b) = tokio::join!(
            berth::startup::state(settings.clone()),
            berth::startup::state(settings.clone())
        );
        a.map_err(|e| format!("{e:#}")).unwrap();
        b.map_err(|e| format!("{e:#}")).unwrap();
    }
}

#[tokio::test]
async fn canceling_a_running_task_ends_it_canceled_and_rolls_it_back() {
    // A running task is held inside its body by a row lock another connection takes, which
    // only PostgreSQL allows while the cancel itself still writes (SQLite has one writer).
    if std::env::var("BERTH_TEST_DATABASE_URL").is_err() {
        eprintln!("skipped on SQLite: needs a row lock that does not block other writers");
        return;
    }
    let app = TestApp::spawn().await;
    app.expect_unsettled_tasks();
    app.push_image("held/app", "v1", &[b"held".to_vec()]).await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=held")
        .await;
    let href = ns["pulp_href"].as_str().unwrap().to_string();
    let id = href
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();

    use sea_orm::{ConnectionTrait, TransactionTrait};
    let db = sea_orm::Database::connect(&app.settings.database_url)
        .await
        .unwrap();
    let holder = db.begin().await.unwrap();
    holder
        .execute_unprepared(&format!(
            "SELECT id FROM namespaces WHERE id = '{id}' FOR UPDATE"
        ))
        .await
        .unwrap();

    let (s, v) = app.api(Method::DELETE, &href, None).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let task = v["task"].as_str().unwrap().to_string();
    let mut running = false;
    for _ in 0..500 {
        if app.api_get(&task).await["state"] == "running" {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(running, "the delete task started");
    let (s, t) = app
        .api(Method::PATCH, &task, Some(json!({"state": "canceled"})))
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let done = app.task_done(&task).await;
    assert_eq!(done["state"], "canceled", "{done}");
    holder.rollback().await.unwrap();

    // Rolled back: the namespace and its image are still there.
    let (s, _) = app.api(Method::GET, &href, None).await;
    assert_eq!(s, StatusCode::OK);
    let res = app.get("/v2/held/app/manifests/v1").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
