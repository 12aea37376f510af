//! Connections with request bodies the server does not (fully) read: an early answer to a large
//! chunked body closes the connection so a client never waits on it, and a trickling body is
//! cut off by the body read timeout. Driven with a raw socket, as a hung client would be.
use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ADMIN_BASIC: &str = "Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ="; // admin:admin-password

/// What came back on a raw connection, read until the server closed it.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

fn parse(buf: &[u8]) -> Raw {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..end]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Raw {
        status,
        headers,
        body: buf[end + 4..].to_vec(),
    }
}

/// Sends `head` (a request head announcing `Transfer-Encoding: chunked`) and then `chunks`
/// chunks of 64 KiB (`None`: a first small chunk, then nothing more while the socket stays
/// open), reading concurrently until the server closes the connection. Panics if the
/// connection is still open after 20 s: that is the hang.
async fn exchange(app: &TestApp, head: &str, chunks: Option<usize>) -> Raw {
    let addr = app.base.trim_start_matches("http://").to_string();
    let sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut rd, mut wr) = sock.into_split();
    let head = format!("{head}Host: {addr}\r\nTransfer-Encoding: chunked\r\n\r\n");
    wr.write_all(head.as_bytes()).await.unwrap();
    let writer = tokio::spawn(async move {
        match chunks {
            Some(n) => {
                let chunk = vec![b'{'; 64 * 1024];
                for _ in 0..n {
                    let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                    frame.extend_from_slice(&chunk);
                    frame.extend_from_slice(b"\r\n");
                    if wr.write_all(&frame).await.is_err() {
                        return wr; // the server closed: expected after an early answer
                    }
                }
                let _ = wr.write_all(b"0\r\n\r\n").await;
            }
            None => {
                let _ = wr.write_all(b"1\r\n{\r\n").await;
                let _ = wr.flush().await;
            }
        }
        wr // kept open: only the server may end this connection
    });
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let mut tmp = [0u8; 8192];
            match rd.read(&mut tmp).await {
                Ok(0) => break,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
                // A reset after the full response still ends the connection.
                Err(_) => break,
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the connection was left open: {:?}",
        String::from_utf8_lossy(&buf)
    );
    drop(writer.await.unwrap());
    let raw = parse(&buf);
    if let Some(len) = raw.header("content-length") {
        assert_eq!(raw.body.len(), len.parse::<usize>().unwrap(), "full body");
    }
    raw
}

fn assert_closed_early(raw: &Raw, status: u16, code: &str) {
    assert_eq!(raw.status, status, "{:?}", raw.json());
    assert_eq!(raw.json()["errors"][0]["code"], code, "{:?}", raw.json());
    assert_eq!(
        raw.header("connection").map(str::to_ascii_lowercase),
        Some("close".to_string()),
        "an answer before the body was read says Connection: close"
    );
}

#[tokio::test]
async fn early_answers_to_large_chunked_bodies_close_the_connection() {
    let app = TestApp::spawn().await;
    app.push_image("lib/app", "v1", &[b"layer".to_vec()]).await;
    app.create_user("bob", "bob-password-1").await;
    let bob = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "bob:bob-password-1"
        )
    );
    let manifest = |auth: &str, reference: &str| {
        format!(
            "PUT /v2/lib/app/manifests/{reference} HTTP/1.1\r\n{auth}\
             Content-Type: application/vnd.oci.image.manifest.v1+json\r\n"
        )
    };
    // 4 MiB: more than a manifest may be, as in the conformance suite's anonymous run.
    let n = 64;
    let r = exchange(&app, &manifest("", "v2"), Some(n)).await;
    assert_closed_early(&r, 401, "UNAUTHORIZED");
    let auth = format!("Authorization: {bob}\r\n");
    let r = exchange(&app, &manifest(&auth, "v2"), Some(n)).await;
    assert_closed_early(&r, 403, "DENIED");
    let auth = format!("Authorization: {ADMIN_BASIC}\r\n");
    let r = exchange(&app, &manifest(&auth, "bad!tag"), Some(n)).await;
    assert_closed_early(&r, 400, "MANIFEST_INVALID");
    let unknown = format!(
        "PATCH /v2/lib/app/blobs/uploads/{} HTTP/1.1\r\n{auth}",
        uuid::Uuid::new_v4()
    );
    let r = exchange(&app, &unknown, Some(n)).await;
    assert_closed_early(&r, 404, "BLOB_UPLOAD_UNKNOWN");

    // The registry still serves, and a fully read request keeps its connection reusable.
    let res = app.get("/v2/lib/app/manifests/v1").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_request_whose_body_was_read_keeps_its_connection_alive() {
    let app = TestApp::spawn().await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let body = b"abc";
    let d = crate::common::oci::sha256(body);
    for name in ["one", "two"] {
        let req = format!(
            "POST /v2/lib/{name}/blobs/uploads/?digest={d} HTTP/1.1\r\nHost: {addr}\r\n\
             Authorization: {ADMIN_BASIC}\r\nContent-Length: 3\r\n\r\nabc"
        );
        sock.write_all(req.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            let mut tmp = [0u8; 4096];
            let n = tokio::time::timeout(Duration::from_secs(20), sock.read(&mut tmp))
                .await
                .expect("a response")
                .unwrap();
            assert!(n > 0, "the connection was closed after a fully read body");
            buf.extend_from_slice(&tmp[..n]);
        }
        let raw = parse(&buf);
        assert_eq!(raw.status, 201);
        assert_ne!(raw.header("connection"), Some("close"));
    }
}

#[tokio::test]
async fn a_trickling_body_is_cut_off_with_a_timeout_error() {
    let app = TestApp::spawn_with(|s| s.body_read_timeout_seconds = 1).await;
    let res = app
        .post("/v2/lib/slow/blobs/uploads/")
        .send()
        .await
        .unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    let head = format!(
        "PATCH {loc} HTTP/1.1\r\nAuthorization: {ADMIN_BASIC}\r\n\
         Content-Type: application/octet-stream\r\n"
    );
    let r = exchange(&app, &head, None).await;
    assert_closed_early(&r, 408, "BLOB_UPLOAD_INVALID");

    let head = "POST /pulp/api/v3/pulp_container/namespaces/ HTTP/1.1\r\n\
                Authorization: Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ=\r\n\
                Content-Type: application/json\r\n";
    let r = exchange(&app, head, None).await;
    assert_eq!(r.status, 408, "{:?}", r.json());
    assert!(r.json()["detail"].as_str().unwrap().contains("timed out"));
    assert_eq!(r.header("connection"), Some("close"));

    // The session is still usable by a client that sends its bytes.
    let ok = app
        .patch(&loc)
        .header("Content-Range", "0-2")
        .body("abc")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn the_management_api_answers_an_oversized_body_with_json() {
    let app = TestApp::spawn().await;
    let head = "POST /pulp/api/v3/pulp_container/namespaces/ HTTP/1.1\r\n\
                Authorization: Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ=\r\n\
                Content-Type: application/json\r\n";
    let r = exchange(&app, head, Some(64)).await;
    assert_eq!(r.status, 413);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        r.headers
    );
    assert!(r.json()["detail"].is_string(), "{:?}", r.json());
    assert_eq!(r.header("connection"), Some("close"));
}
