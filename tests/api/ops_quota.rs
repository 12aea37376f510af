//! Usage and quotas: superusers set a namespace's storage quota (`set_quota/`); a push that
//! would go over it is refused with `DENIED` "quota exceeded: used X of Y", keeping nothing of
//! the refused blob; a blob the namespace already holds adds nothing; deleting and cleaning up
//! frees room again.
use crate::common::oci::{bytes, descriptor, sha256, LAYER, OCI_CONFIG, OCI_MANIFEST};
use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const NAMESPACES: &str = "/pulp/api/v3/pulp_container/namespaces/";

async fn namespace(app: &TestApp, name: &str) -> Value {
    app.api_one(&format!("{NAMESPACES}?name={name}")).await
}

async fn set_quota(app: &TestApp, name: &str, quota: Value) -> Value {
    let href = namespace(app, name).await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{href}set_quota/"),
            Some(json!({ "quota_bytes": quota })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// A monolithic blob push; returns the response.
async fn push(app: &TestApp, name: &str, body: &[u8]) -> reqwest::Response {
    app.post(&format!(
        "/v2/{name}/blobs/uploads/?digest={}",
        sha256(body)
    ))
    .body(body.to_vec())
    .send()
    .await
    .unwrap()
}

/// The OCI error `(code, message)` of a refused request.
async fn refused(res: reqwest::Response) -> (String, String) {
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let v: Value = res.json().await.unwrap();
    let e = &v["errors"][0];
    (
        e["code"].as_str().unwrap().to_string(),
        e["message"].as_str().unwrap().to_string(),
    )
}

/// Whether the registry stores the blob `digest`: a row anywhere, or bytes in the blob
/// directory.
async fn stored(app: &TestApp, digest: &str) -> bool {
    let rows = app
        .api_get(&format!(
            "/pulp/api/v3/content/container/blobs/?digest={digest}"
        ))
        .await;
    let hex = digest.trim_start_matches("sha256:");
    let file = app
        .dir
        .path()
        .join("blobs/blobs/sha256")
        .join(&hex[..2])
        .join(hex);
    rows["count"] != 0 || file.exists()
}

fn config(seed: u64) -> Vec<u8> {
    json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
        "seed": seed})
    .to_string()
    .into_bytes()
}

/// Pushes an image (config and one layer) under `tag`; returns its total blob bytes.
async fn image(app: &TestApp, name: &str, tag: &str, cfg: &[u8], layer: &[u8]) -> u64 {
    app.push_blob(name, cfg).await;
    app.push_blob(name, layer).await;
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, cfg), "layers": [descriptor(LAYER, layer)]})
    .to_string()
    .into_bytes();
    let res = app.put_manifest(name, tag, OCI_MANIFEST, &manifest).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    (cfg.len() + layer.len()) as u64
}

#[tokio::test]
async fn a_push_over_the_namespace_quota_is_denied_and_leaves_nothing_until_a_delete_frees_room() {
    let app = TestApp::spawn().await;
    let (c1, l1) = (config(1), bytes(1, 6000));
    let used = image(&app, "quota/app", "v1", &c1, &l1).await;
    let ns = set_quota(&app, "quota", json!(used + 1000)).await;
    assert_eq!(ns["quota_bytes"], used + 1000, "{ns}");
    assert_eq!(ns["quota_used_bytes"], used, "{ns}");
    assert_eq!(ns["stored_bytes"], used, "{ns}");
    let listed = namespace(&app, "quota").await;
    assert_eq!(listed["quota_bytes"], ns["quota_bytes"]);
    assert_eq!(listed["quota_used_bytes"], ns["quota_used_bytes"]);

    // A monolithic push that does not fit: DENIED, with the sizes, and nothing stored.
    let big = bytes(2, 3000);
    let (code, message) = refused(push(&app, "quota/app", &big).await).await;
    assert_eq!(code, "DENIED");
    let expected = format!("quota exceeded: used {} of ", human(used));
    assert!(message.starts_with(&expected), "{message}");
    assert!(
        message.contains(&format!("({used} of {} bytes)", used + 1000)),
        "{message}"
    );
    assert!(!stored(&app, &sha256(&big)).await);

    // The same refused as a chunked upload: the session goes too.
    let start = app
        .post("/v2/quota/app/blobs/uploads/")
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::ACCEPTED);
    let location = start.headers()["location"].to_str().unwrap().to_string();
    let patched = app
        .patch(&location)
        .header("Content-Type", "application/octet-stream")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::ACCEPTED);
    let sep = if location.contains('?') { '&' } else { '?' };
    let put = app
        .put(&format!("{location}{sep}digest={}", sha256(&big)))
        .send()
        .await
        .unwrap();
    let (code, _) = refused(put).await;
    assert_eq!(code, "DENIED");
    assert_eq!(
        app.get(&location).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "the refused session is gone"
    );
    assert!(!stored(&app, &sha256(&big)).await);
    let uploads = app.dir.path().join("blobs/uploads");
    let left = std::fs::read_dir(&uploads).map_or(0, |d| d.count());
    assert_eq!(left, 0, "no staged parts left in {}", uploads.display());

    // What the namespace already holds adds nothing: the same image in a second repository,
    // and a small new blob that fits.
    image(&app, "quota/copy", "v1", &c1, &l1).await;
    let small = bytes(3, 900);
    assert_eq!(push(&app, "quota/app", &small).await.status(), 201);
    assert_eq!(
        namespace(&app, "quota").await["quota_used_bytes"],
        used + 900
    );
    // Now full to within 100 bytes: the next new blob is refused.
    let (code, _) = refused(push(&app, "quota/copy", &bytes(4, 101)).await).await;
    assert_eq!(code, "DENIED");

    // Another namespace is not limited by this one's quota.
    assert_eq!(push(&app, "elsewhere/app", &big).await.status(), 201);

    // Deleting both repositories and cleaning up frees the room: the push works again.
    for name in ["quota/app", "quota/copy"] {
        let d = app
            .api_one(&format!(
                "/pulp/api/v3/distributions/container/container/?name={name}"
            ))
            .await;
        app.api_task(Method::DELETE, d["pulp_href"].as_str().unwrap(), None)
            .await;
    }
    app.api_task(
        Method::POST,
        "/pulp/api/v3/orphans/cleanup/",
        Some(json!({"orphan_protection_time": 0})),
    )
    .await;
    assert_eq!(namespace(&app, "quota").await["quota_used_bytes"], 0);
    assert!(
        !stored(&app, &sha256(&l1)).await,
        "cleanup removed the bytes"
    );
    let again = image(&app, "quota/app", "v2", &config(5), &big).await;
    assert_eq!(
        namespace(&app, "quota").await["quota_used_bytes"],
        again,
        "{again} bytes fit again"
    );
}

#[tokio::test]
async fn a_mount_counts_against_the_quota_and_a_manifest_is_refused_while_over_it() {
    let app = TestApp::spawn().await;
    let (c1, l1) = (config(6), bytes(6, 5000));
    let other = image(&app, "source/app", "v1", &c1, &l1).await;
    app.push_blob("limited/app", &bytes(7, 100)).await;
    set_quota(&app, "limited", json!(1000)).await;
    // Mounting a blob that does not fit is refused like an upload.
    let mount = app
        .post(&format!(
            "/v2/limited/app/blobs/uploads/?mount={}&from=source/app",
            sha256(&l1)
        ))
        .send()
        .await
        .unwrap();
    let (code, message) = refused(mount).await;
    assert_eq!(code, "DENIED");
    assert!(
        message.contains("quota exceeded: used 100 B of"),
        "{message}"
    );
    assert!(other > 5000);

    // Below the quota a manifest goes in; once the quota is lowered under the usage, it is
    // refused, and removing the quota lets it in.
    let cfg = config(8);
    app.push_blob("limited/app", &cfg).await;
    let layer = bytes(7, 100);
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, &cfg), "layers": [descriptor(LAYER, &layer)]})
    .to_string()
    .into_bytes();
    set_quota(&app, "limited", json!(50)).await;
    let res = app
        .put_manifest("limited/app", "v1", OCI_MANIFEST, &manifest)
        .await;
    let (code, message) = refused(res).await;
    assert_eq!(code, "DENIED");
    assert!(message.starts_with("quota exceeded: used"), "{message}");
    let ns = set_quota(&app, "limited", Value::Null).await;
    assert_eq!(ns["quota_bytes"], Value::Null);
    let res = app
        .put_manifest("limited/app", "v1", OCI_MANIFEST, &manifest)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let text = app
        .anon(Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for at in ["blob", "manifest"] {
        let line = format!("berth_quota_refusals_total{{at=\"{at}\"}} ");
        let n: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix(&line))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{line} missing"));
        assert!(n >= 1, "{line}{n}");
    }
}

#[tokio::test]
async fn only_superusers_set_quotas_and_malformed_quotas_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    app.push_blob("owned/app", &bytes(9, 10)).await;
    let href = namespace(&app, "owned").await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    let action = format!("{href}set_quota/");
    app.create_user("owner", "pw-owner").await;
    app.grant_role("owner", "container.containernamespace_owner", Some(&href))
        .await;
    let (s, v) = app
        .call_as(
            "owner",
            Method::POST,
            &action,
            Some(json!({"quota_bytes": 5})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("superusers"), "{v}");
    let (s, _) = app
        .call_as("", Method::POST, &action, Some(json!({"quota_bytes": 5})))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(namespace(&app, "owned").await["quota_bytes"], Value::Null);

    for bad in [
        json!({"quota_bytes": -1}),
        json!({"quota_bytes": "10"}),
        json!({"quota_bytes": 1.5}),
        json!({}),
    ] {
        let (s, v) = app.api(Method::POST, &action, Some(bad.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v}");
        assert!(v["quota_bytes"].is_array(), "{bad}: {v}");
    }
    let (s, v) = app
        .api(
            Method::POST,
            &action,
            Some(json!({"quota_bytes": 5, "x": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _) = app
        .api(
            Method::POST,
            &format!("{NAMESPACES}{}/set_quota/", uuid::Uuid::new_v4()),
            Some(json!({"quota_bytes": 5})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn of_parallel_pushes_that_fit_only_one_at_a_time_exactly_one_is_refused() {
    let app = TestApp::spawn().await;
    app.push_blob("race/app", &bytes(40, 10)).await;
    set_quota(&app, "race", json!(10 + 3000)).await;
    for round in 0..4u64 {
        // Two new 2,000-byte blobs, to two repositories of the namespace, at once.
        let (a, b) = (bytes(41 + 2 * round, 2000), bytes(42 + 2 * round, 2000));
        let (ra, rb) = tokio::join!(push(&app, "race/one", &a), push(&app, "race/two", &b));
        let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [201, 403], "round {round}");
        let used = namespace(&app, "race").await["quota_used_bytes"]
            .as_u64()
            .unwrap();
        assert_eq!(used, 10 + 2000, "round {round}: never over the quota");
        let refused = if ra.status() == 403 { &a } else { &b };
        assert!(!stored(&app, &sha256(refused)).await);
        // Free the room again for the next round.
        let winner = if ra.status() == 201 {
            "race/one"
        } else {
            "race/two"
        };
        let d = app
            .api_one(&format!(
                "/pulp/api/v3/distributions/container/container/?name={winner}"
            ))
            .await;
        app.api_task(Method::DELETE, d["pulp_href"].as_str().unwrap(), None)
            .await;
    }
}

/// As berth words sizes: `1536` → `1.5 KiB`.
fn human(n: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB"];
    let (mut v, mut u) = (n as f64, 0);
    while v >= 1024.0 && u < units.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}
