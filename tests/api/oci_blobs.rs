//! Blob deletes through a repository.
use crate::common::oci::sha256;
use crate::common::{error_code, TestApp};
use reqwest::StatusCode;

#[tokio::test]
async fn deleting_a_blob_removes_it_from_the_repository_only() {
    let app = TestApp::spawn().await;
    let d = app.push_blob("lib/a", b"blob to delete").await;
    app.push_blob("lib/b", b"blob to delete").await;
    assert_eq!(
        app.delete(&format!("/v2/lib/a/blobs/{d}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::ACCEPTED
    );
    let res = app
        .head(&format!("/v2/lib/a/blobs/{d}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.head(&format!("/v2/lib/b/blobs/{d}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let res = app
        .delete(&format!("/v2/lib/a/blobs/{}", sha256(b"never")))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res).await, "BLOB_UNKNOWN");
}

#[tokio::test]
async fn a_blob_in_a_version_is_removed_by_a_new_version() {
    let app = TestApp::spawn().await;
    app.push_image("lib/v", "t", &[b"layer in a version".to_vec()])
        .await;
    let d = sha256(b"layer in a version");
    assert_eq!(
        app.delete(&format!("/v2/lib/v/blobs/{d}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(app.versions("lib/v").await, vec![0, 1, 2]);
    assert_eq!(
        app.head(&format!("/v2/lib/v/blobs/{d}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}
