//! End to end with the real `skopeo`: an OCI layout built here (two images with several layers,
//! one over 5 MiB, and a multi-arch index) is copied in with `--preserve-digests`, pulled back
//! out, and every digest compared. CI installs skopeo; without it these tests fail.
use crate::common::oci::{bytes, sha256};
use crate::common::TestApp;
use serde_json::{json, Value};
use std::path::Path;

const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";

fn write_blob(dir: &Path, body: &[u8]) -> Value {
    let d = sha256(body);
    std::fs::write(dir.join("blobs/sha256").join(&d[7..]), body).unwrap();
    json!({"digest": d, "size": body.len()})
}

/// Writes an image (config + layers) into the layout; returns its manifest descriptor.
fn image(dir: &Path, arch: &str, seed: u64, sizes: &[usize]) -> Value {
    let layers: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, s)| bytes(seed * 100 + i as u64, *s))
        .collect();
    let diff_ids: Vec<String> = layers.iter().map(|l| sha256(l)).collect();
    let config = json!({"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids},
                        "config": {"Labels": {"arch": arch}}})
    .to_string();
    let cfg = write_blob(dir, config.as_bytes());
    let layer_descs: Vec<Value> = layers
        .iter()
        .map(|l| {
            let mut d = write_blob(dir, l);
            d["mediaType"] = json!("application/vnd.oci.image.layer.v1.tar");
            d
        })
        .collect();
    let manifest = json!({"schemaVersion": 2, "mediaType": MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg["digest"], "size": cfg["size"]},
        "layers": layer_descs})
    .to_string();
    let mut desc = write_blob(dir, manifest.as_bytes());
    desc["mediaType"] = json!(MANIFEST);
    desc["platform"] = json!({"architecture": arch, "os": "linux"});
    desc
}

/// An OCI layout with a multi-arch index tagged `multi` and its amd64 image tagged `single`;
/// returns the amd64 and arm64 manifest descriptors and the index bytes.
fn layout(dir: &Path) -> (Value, Value, Vec<u8>) {
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let amd = image(dir, "amd64", 1, &[6 * 1024 * 1024 + 17, 300_000, 4_096]);
    let arm = image(dir, "arm64", 2, &[2 * 1024 * 1024, 50_000]);
    let index = json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": [amd, arm.clone()]})
        .to_string()
        .into_bytes();
    let mut idx = write_blob(dir, &index);
    idx["mediaType"] = json!(INDEX);
    idx["annotations"] = json!({"org.opencontainers.image.ref.name": "multi"});
    let mut single = amd.clone();
    single["annotations"] = json!({"org.opencontainers.image.ref.name": "single"});
    std::fs::write(
        dir.join("index.json"),
        json!({"schemaVersion": 2, "manifests": [idx, single]}).to_string(),
    )
    .unwrap();
    (amd, arm, index)
}

/// Runs skopeo; fails the test when it is missing or exits non-zero. Returns (stdout, stderr).
async fn skopeo_out(args: &[&str]) -> (String, String) {
    let out = tokio::process::Command::new("skopeo")
        .args(args)
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!("skopeo must be installed (apt-get install skopeo; .ci/run installs it): {e}")
        });
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    assert!(out.status.success(), "skopeo {args:?}: {stderr}");
    (stdout, stderr)
}

async fn skopeo(args: &[&str]) -> String {
    skopeo_out(args).await.0
}

/// Every blob file of `a` exists in `b` with the same bytes.
fn same_blobs(a: &Path, b: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(a.join("blobs/sha256")).unwrap() {
        let entry = entry.unwrap();
        let theirs =
            std::fs::read(b.join("blobs/sha256").join(entry.file_name())).unwrap_or_default();
        let name = entry.file_name().to_string_lossy().to_string();
        assert_eq!(
            sha256(&theirs),
            format!("sha256:{name}"),
            "blob {name} came back whole"
        );
        n += 1;
    }
    n
}

#[tokio::test]
async fn skopeo_copies_a_multi_arch_image_in_and_out_with_identical_digests() {
    let app = TestApp::spawn().await;
    let host = app.base.trim_start_matches("http://").to_string();
    let src = tempfile::tempdir().unwrap();
    let (_, arm, index) = layout(src.path());
    let dest = format!("docker://{host}/e2e/multi:v1");
    let src_ref = format!("oci:{}:multi", src.path().display());
    // Anonymous pushes are refused: skopeo answers the Bearer challenge by fetching a token
    // from /token/ with these credentials.
    skopeo(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--dest-tls-verify=false",
        "--dest-creds",
        "admin:admin-password",
        &src_ref,
        &dest,
    ])
    .await;

    let raw = skopeo(&["inspect", "--raw", "--tls-verify=false", &dest]).await;
    assert_eq!(
        sha256(raw.as_bytes()),
        sha256(&index),
        "the index is served byte for byte"
    );
    let tags: Value = serde_json::from_str(
        &skopeo(&[
            "list-tags",
            "--tls-verify=false",
            &format!("docker://{host}/e2e/multi"),
        ])
        .await,
    )
    .unwrap();
    assert_eq!(tags["Tags"], json!(["v1"]));

    let back = tempfile::tempdir().unwrap();
    let back_ref = format!("oci:{}:v1", back.path().display());
    skopeo(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        &dest,
        &back_ref,
    ])
    .await;
    let copied = same_blobs(src.path(), back.path());
    assert_eq!(
        copied,
        2 + 3 + 2 + 2 + 1,
        "configs, layers, manifests and the index"
    );
    let index_json: Value =
        serde_json::from_slice(&std::fs::read(back.path().join("index.json")).unwrap()).unwrap();
    assert_eq!(index_json["manifests"][0]["digest"], json!(sha256(&index)));

    // A single-platform pull picks the arm64 image out of the index.
    let arm_dir = tempfile::tempdir().unwrap();
    skopeo(&[
        "--override-os",
        "linux",
        "--override-arch",
        "arm64",
        "copy",
        "--preserve-digests",
        "--src-tls-verify=false",
        &dest,
        &format!("oci:{}:arm", arm_dir.path().display()),
    ])
    .await;
    let arm_index: Value =
        serde_json::from_slice(&std::fs::read(arm_dir.path().join("index.json")).unwrap()).unwrap();
    assert_eq!(arm_index["manifests"][0]["digest"], arm["digest"]);
    assert_eq!(
        same_blobs(arm_dir.path(), src.path()),
        1 + 2 + 1,
        "arm64 manifest, layers and config"
    );
}

#[tokio::test]
async fn skopeo_copies_between_repositories_of_the_registry_reusing_blobs() {
    let app = TestApp::spawn().await;
    let host = app.base.trim_start_matches("http://").to_string();
    let src = tempfile::tempdir().unwrap();
    let (amd, _, _) = layout(src.path());
    let one = format!("docker://{host}/e2e/one:v1");
    let two = format!("docker://{host}/e2e/two:v1");
    skopeo(&[
        "copy",
        "--preserve-digests",
        "--dest-tls-verify=false",
        "--dest-creds",
        "admin:admin-password",
        &format!("oci:{}:single", src.path().display()),
        &one,
    ])
    .await;
    let (_, log) = skopeo_out(&[
        "--debug",
        "copy",
        "--preserve-digests",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        "--src-creds",
        "admin:admin-password",
        "--dest-creds",
        "admin:admin-password",
        &one,
        &two,
    ])
    .await;
    // No layer is uploaded again: each is mounted from e2e/one (or found present) and skipped.
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(
            src.path()
                .join("blobs/sha256")
                .join(&amd["digest"].as_str().unwrap()[7..]),
        )
        .unwrap(),
    )
    .unwrap();
    for layer in manifest["layers"].as_array().unwrap() {
        let d = layer["digest"].as_str().unwrap();
        assert!(
            log.contains(&format!("Skipping blob {d}")),
            "layer {d} was reused, not uploaded again; skopeo log:\n{log}"
        );
    }
    for (r, repo) in [(&one, "one"), (&two, "two")] {
        let inspect: Value =
            serde_json::from_str(&skopeo(&["inspect", "--tls-verify=false", r]).await).unwrap();
        assert_eq!(inspect["Digest"], amd["digest"]);
        assert_eq!(inspect["Layers"].as_array().unwrap().len(), 3);
        // Pull the whole image back out of each repository.
        let out = tempfile::tempdir().unwrap();
        skopeo(&[
            "copy",
            "--preserve-digests",
            "--src-tls-verify=false",
            r,
            &format!("oci:{}:v1", out.path().display()),
        ])
        .await;
        assert_eq!(
            same_blobs(out.path(), src.path()),
            1 + 3 + 1,
            "manifest, layers and config pulled from e2e/{repo}"
        );
        let index: Value =
            serde_json::from_slice(&std::fs::read(out.path().join("index.json")).unwrap()).unwrap();
        assert_eq!(index["manifests"][0]["digest"], amd["digest"]);
    }
}
