//! Concurrent pushes: creating the same repository, sharing layers and tagging at once all
//! succeed, and every version number is used once.
use crate::common::TestApp;
use std::sync::Arc;

#[tokio::test]
async fn concurrent_pushes_of_images_sharing_layers_all_succeed() {
    let app = Arc::new(TestApp::spawn().await);
    let mut tasks = vec![];
    for i in 0..8 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let repo = if i % 2 == 0 {
                "race/shared"
            } else {
                "race/other"
            };
            let layers = vec![
                b"shared base layer".to_vec(),
                format!("own layer {i}").into_bytes(),
            ];
            app.push_image(repo, &format!("t{i}"), &layers).await;
        }));
    }
    for t in tasks {
        // A push's own panic message, not only "task panicked", ends the test's output.
        if let Err(e) = t.await {
            std::panic::resume_unwind(e.into_panic());
        }
    }
    for (repo, expected) in [
        ("race/shared", ["t0", "t2", "t4", "t6"]),
        ("race/other", ["t1", "t3", "t5", "t7"]),
    ] {
        let body: serde_json::Value = app
            .get(&format!("/v2/{repo}/tags/list"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["tags"], serde_json::json!(expected));
        assert_eq!(app.versions(repo).await, vec![0, 1, 2, 3, 4]);
    }
}

/// A first push's parallel blob uploads all create the repository at once (skopeo mounts three
/// layers in parallel): none may be refused. The pushability check read "no push repository"
/// and "the name is taken" in two queries, and a concurrent creation between them answered
/// NAME_INVALID (seen on PostgreSQL in CI).
#[tokio::test]
async fn parallel_first_uploads_into_a_new_repository_all_succeed() {
    let app = Arc::new(TestApp::spawn().await);
    for round in 0..15 {
        let mut tasks = vec![];
        for i in 0..10 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let body = format!("round {round} blob {i}").into_bytes();
                app.push_blob(&format!("fresh/r{round}"), &body).await;
            }));
        }
        for t in tasks {
            if let Err(e) = t.await {
                std::panic::resume_unwind(e.into_panic());
            }
        }
    }
}
