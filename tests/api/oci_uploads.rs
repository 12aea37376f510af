//! Blob uploads: sessions, chunks, monolithic pushes, mounts, digest checks and restarts.
use crate::common::oci::{bytes, sha256};
use crate::common::{error_code, TestApp};
use reqwest::StatusCode;

async fn open_session(app: &TestApp, name: &str) -> String {
    let res = app
        .post(&format!("/v2/{name}/blobs/uploads/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.headers()["range"], "0-0");
    assert!(res.headers().contains_key("docker-upload-uuid"));
    res.headers()["location"].to_str().unwrap().to_string()
}

async fn patch(app: &TestApp, loc: &str, start: usize, chunk: &[u8]) -> reqwest::Response {
    app.patch(loc)
        .header(
            "Content-Range",
            format!("{}-{}", start, start + chunk.len() - 1),
        )
        .header("Content-Type", "application/octet-stream")
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_chunked_upload_completes_and_the_blob_reads_back_whole_and_by_range() {
    let app = TestApp::spawn().await;
    let data = bytes(1, 300_000);
    let loc = open_session(&app, "lib/chunked").await;
    let mut offset = 0;
    for chunk in data.chunks(100_000) {
        let res = patch(&app, &loc, offset, chunk).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        offset += chunk.len();
        assert_eq!(
            res.headers()["range"].to_str().unwrap(),
            format!("0-{}", offset - 1)
        );
    }
    let status = app.get(&loc).send().await.unwrap();
    assert_eq!(status.status(), StatusCode::NO_CONTENT);
    assert_eq!(status.headers()["range"], "0-299999");
    let d = sha256(&data);
    let res = app.put(&format!("{loc}?digest={d}")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["docker-content-digest"].to_str().unwrap(), d);
    let got = app
        .get(&format!("/v2/lib/chunked/blobs/{d}"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.headers()["content-length"], "300000");
    assert_eq!(got.bytes().await.unwrap().as_ref(), &data[..]);
    let part = app
        .get(&format!("/v2/lib/chunked/blobs/{d}"))
        .header("Range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/300000");
    assert_eq!(part.bytes().await.unwrap().as_ref(), &data[10..20]);
    let bad = app
        .get(&format!("/v2/lib/chunked/blobs/{d}"))
        .header("Range", "bytes=300000-")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(bad.headers()["content-range"], "bytes */300000");
}

#[tokio::test]
async fn an_out_of_order_chunk_gets_416_with_the_current_range_and_the_session_survives() {
    let app = TestApp::spawn().await;
    let loc = open_session(&app, "lib/order").await;
    assert_eq!(
        patch(&app, &loc, 0, b"abc").await.status(),
        StatusCode::ACCEPTED
    );
    let res = patch(&app, &loc, 10, b"xyz").await;
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(res.headers()["range"], "0-2");
    assert_eq!(error_code(res).await, "BLOB_UPLOAD_INVALID");
    assert_eq!(
        patch(&app, &loc, 3, b"def").await.status(),
        StatusCode::ACCEPTED
    );
    let d = sha256(b"abcdef");
    assert_eq!(
        app.put(&format!("{loc}?digest={d}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_put_with_the_last_chunk_and_a_monolithic_post_both_store_the_blob() {
    let app = TestApp::spawn().await;
    let loc = open_session(&app, "lib/mono").await;
    let d = sha256(b"whole body");
    let res = app
        .put(&format!("{loc}?digest={d}"))
        .body("whole body")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/v2/lib/mono/blobs/{d}")
    );
    let d2 = app.push_blob("lib/mono", b"posted at once").await;
    let head = app
        .head(&format!("/v2/lib/mono/blobs/{d2}"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], "14");
    assert_eq!(
        head.headers()["docker-content-digest"].to_str().unwrap(),
        d2
    );
}

#[tokio::test]
async fn a_wrong_digest_fails_with_digest_invalid_and_removes_the_session() {
    let app = TestApp::spawn().await;
    let loc = open_session(&app, "lib/wrong").await;
    assert_eq!(
        patch(&app, &loc, 0, b"some bytes").await.status(),
        StatusCode::ACCEPTED
    );
    let wrong = sha256(b"other bytes");
    let res = app
        .put(&format!("{loc}?digest={wrong}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "DIGEST_INVALID");
    let gone = app.get(&loc).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(gone).await, "BLOB_UPLOAD_UNKNOWN");
    let blob = app
        .head(&format!("/v2/lib/wrong/blobs/{wrong}"))
        .send()
        .await
        .unwrap();
    assert_eq!(blob.status(), StatusCode::NOT_FOUND);
    let mono = app
        .post(&format!("/v2/lib/wrong/blobs/uploads/?digest={wrong}"))
        .body("not it")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(mono).await, "DIGEST_INVALID");
    let staged = std::fs::read_dir(app.dir.path().join("blobs/uploads"))
        .map(|d| {
            d.flat_map(|e| std::fs::read_dir(e.unwrap().path()).unwrap())
                .count()
        })
        .unwrap_or(0);
    assert_eq!(staged, 0, "no staged bytes are left behind");
}

#[tokio::test]
async fn malformed_upload_requests_get_clean_4xx_answers() {
    let app = TestApp::spawn().await;
    let res = app
        .patch("/v2/lib/x/blobs/uploads/not-a-uuid")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.push_blob("lib/x", b"make the repo").await;
    let unknown = format!("/v2/lib/x/blobs/uploads/{}", uuid::Uuid::now_v7());
    let res = app.patch(&unknown).body("x").send().await.unwrap();
    assert_eq!(error_code(res).await, "BLOB_UPLOAD_UNKNOWN");
    let loc = open_session(&app, "lib/x").await;
    let res = app.put(&loc).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "DIGEST_INVALID");
    let res = app
        .put(&format!("{loc}?digest=sha256:nothex"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res).await, "DIGEST_INVALID");
    let res = app
        .patch(&loc)
        .header("Content-Range", "garbage")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    let res = app
        .patch(&loc)
        .header("Content-Range", "0-9")
        .body("short")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        app.get(&loc).send().await.unwrap().headers()["range"],
        "0-0"
    );
    let res = app.delete(&loc).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&loc).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_chunked_upload_continues_after_a_server_restart() {
    let mut app = TestApp::spawn().await;
    let data = bytes(7, 200_000);
    let loc = open_session(&app, "lib/restart").await;
    assert_eq!(
        patch(&app, &loc, 0, &data[..120_000]).await.status(),
        StatusCode::ACCEPTED
    );
    app.restart().await;
    let status = app.get(&loc).send().await.unwrap();
    assert_eq!(status.headers()["range"], "0-119999");
    assert_eq!(
        patch(&app, &loc, 120_000, &data[120_000..]).await.status(),
        StatusCode::ACCEPTED
    );
    let d = sha256(&data);
    assert_eq!(
        app.put(&format!("{loc}?digest={d}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    let got = app
        .get(&format!("/v2/lib/restart/blobs/{d}"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), &data[..]);
}

#[tokio::test]
async fn sha512_digests_work_for_uploads() {
    let app = TestApp::spawn().await;
    use sha2::{Digest, Sha512};
    let body = b"sha512 content";
    let d = format!("sha512:{}", hex::encode(Sha512::digest(body)));
    let loc = open_session(&app, "lib/sha512").await;
    let res = app
        .put(&format!("{loc}?digest={d}"))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(&format!("/v2/lib/sha512/blobs/uploads/?digest={d}"))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let got = app
        .get(&format!("/v2/lib/sha512/blobs/{d}"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), body);
}

#[tokio::test]
async fn a_blob_mounts_from_a_repository_that_has_it_and_falls_back_to_a_session_otherwise() {
    let app = TestApp::spawn().await;
    let d = app.push_blob("src/repo", b"shared layer").await;
    let res = app
        .post(&format!(
            "/v2/dst/repo/blobs/uploads/?mount={d}&from=src/repo"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/v2/dst/repo/blobs/{d}")
    );
    assert_eq!(
        app.head(&format!("/v2/dst/repo/blobs/{d}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let missing = sha256(b"nobody has this");
    let res = app
        .post(&format!(
            "/v2/dst/repo/blobs/uploads/?mount={missing}&from=src/repo"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/v2/dst/repo/blobs/uploads/"));
    let other = app
        .head(&format!("/v2/other/repo/blobs/{d}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        StatusCode::NOT_FOUND,
        "blobs are only served through repositories holding them"
    );
}

#[tokio::test]
async fn an_out_of_order_final_chunk_on_put_gets_416_and_the_session_survives() {
    let app = TestApp::spawn().await;
    let loc = open_session(&app, "lib/putorder").await;
    assert_eq!(
        patch(&app, &loc, 0, b"abc").await.status(),
        StatusCode::ACCEPTED
    );
    let d = sha256(b"abcdef");
    let res = app
        .put(&format!("{loc}?digest={d}"))
        .header("Content-Range", "6-8")
        .body("ghi")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(res.headers()["range"], "0-2");
    let res = app
        .put(&format!("{loc}?digest={d}"))
        .header("Content-Range", "3-5")
        .body("def")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}
