//! Quotas with the real `skopeo`: a copy into a namespace whose quota its layer does not fit
//! fails with berth's "quota exceeded" message and stores nothing of that layer; once the
//! quota is raised, the same copy goes through.
use crate::common::oci::{bytes, sha256};
use crate::common::TestApp;
use serde_json::json;
use std::path::Path;

/// An OCI layout holding one image (a config and one layer of `size` bytes) tagged `v1`;
/// returns the layer's digest.
fn layout(dir: &Path, size: usize) -> String {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let write = |body: &[u8]| {
        let d = sha256(body);
        std::fs::write(blobs.join(&d[7..]), body).unwrap();
        json!({"digest": d, "size": body.len()})
    };
    let layer = bytes(60, size);
    let l = write(&layer);
    let config = json!({"architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [sha256(&layer)]}})
    .to_string();
    let c = write(config.as_bytes());
    let manifest = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": c["digest"], "size": c["size"]},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": l["digest"], "size": l["size"]}]})
    .to_string();
    let mut m = write(manifest.as_bytes());
    m["mediaType"] = json!("application/vnd.oci.image.manifest.v1+json");
    m["annotations"] = json!({"org.opencontainers.image.ref.name": "v1"});
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    std::fs::write(
        dir.join("index.json"),
        json!({"schemaVersion": 2, "manifests": [m]}).to_string(),
    )
    .unwrap();
    l["digest"].as_str().unwrap().to_string()
}

async fn copy(src: &str, dest: &str) -> std::process::Output {
    tokio::process::Command::new("skopeo")
        .args(["copy", "--dest-tls-verify=false", "--retry-times", "0"])
        .args(["--dest-creds", "admin:admin-password", src, dest])
        .output()
        .await
        .expect("skopeo must be installed (apt-get install skopeo; .ci/run installs it)")
}

#[tokio::test]
async fn a_skopeo_copy_over_the_quota_fails_with_the_quota_message_and_works_once_raised() {
    let app = TestApp::spawn().await;
    let (s, ns) = app
        .api(
            reqwest::Method::POST,
            "/pulp/api/v3/pulp_container/namespaces/",
            Some(json!({"name": "sq"})),
        )
        .await;
    assert_eq!(s, 201, "{ns}");
    let action = format!("{}set_quota/", ns["pulp_href"].as_str().unwrap());
    let (s, _) = app
        .api(
            reqwest::Method::POST,
            &action,
            Some(json!({"quota_bytes": 200_000})),
        )
        .await;
    assert_eq!(s, 200);
    let src = tempfile::tempdir().unwrap();
    let layer = layout(src.path(), 300_000);
    let src_ref = format!("oci:{}:v1", src.path().display());
    let host = app.base.trim_start_matches("http://");
    let dest = format!("docker://{host}/sq/app:v1");

    let out = copy(&src_ref, &dest).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the copy must fail: {stderr}");
    assert!(stderr.contains("quota exceeded: used"), "{stderr}");
    let blobs = app
        .api_get(&format!(
            "/pulp/api/v3/content/container/blobs/?digest={layer}"
        ))
        .await;
    assert_eq!(blobs["count"], 0, "the refused layer is not stored");

    let (s, _) = app
        .api(
            reqwest::Method::POST,
            &action,
            Some(json!({"quota_bytes": 1_000_000})),
        )
        .await;
    assert_eq!(s, 200);
    let out = copy(&src_ref, &dest).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ns = app.api_get(ns["pulp_href"].as_str().unwrap()).await;
    assert!(ns["quota_used_bytes"].as_u64().unwrap() > 300_000, "{ns}");
}
