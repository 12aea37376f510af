//! A client that disconnects in the middle of a PATCH leaves the session consistent and resumable.
use crate::common::oci::sha256;
use crate::common::TestApp;
use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn a_client_that_disconnects_mid_patch_leaves_a_resumable_session() {
    let app = TestApp::spawn().await;
    let res = app.post("/v2/lib/cut/blobs/uploads/").send().await.unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    let ok = app
        .patch(&loc)
        .header("Content-Range", "0-3")
        .body("abcd")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::ACCEPTED);

    let addr = app.base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "PATCH {loc} HTTP/1.1\r\nHost: {addr}\r\nContent-Range: 4-1003\r\nContent-Length: 1000\r\n\
         Content-Type: application/octet-stream\r\nAuthorization: Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ=\r\n\r\n"
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    sock.write_all(&[b'x'; 400]).await.unwrap();
    sock.flush().await.unwrap();
    drop(sock);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let status = app.get(&loc).send().await.unwrap();
    assert_eq!(status.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        status.headers()["range"],
        "0-3",
        "the cut chunk was not counted"
    );
    let rest = app
        .patch(&loc)
        .header("Content-Range", "4-6")
        .body("efg")
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), StatusCode::ACCEPTED);
    let d = sha256(b"abcdefg");
    let done = app.put(&format!("{loc}?digest={d}")).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::CREATED);
    let body = app
        .get(&format!("/v2/lib/cut/blobs/{d}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(body.as_ref(), b"abcdefg");
}
