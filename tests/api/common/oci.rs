//! OCI helpers: digests, blob pushes and image/index manifests built in the test.
use super::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Deterministic pseudo-random bytes.
pub fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub fn descriptor(media_type: &str, body: &[u8]) -> Value {
    json!({"mediaType": media_type, "digest": sha256(body), "size": body.len()})
}

impl TestApp {
    /// Monolithic blob push; returns the digest.
    pub async fn push_blob(&self, name: &str, body: &[u8]) -> String {
        let d = sha256(body);
        let res = self
            .post(&format!("/v2/{name}/blobs/uploads/?digest={d}"))
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "push blob {d}");
        d
    }

    pub async fn put_manifest(
        &self,
        name: &str,
        reference: &str,
        media_type: &str,
        body: &[u8],
    ) -> reqwest::Response {
        self.put(&format!("/v2/{name}/manifests/{reference}"))
            .header("Content-Type", media_type)
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
    }

    /// Pushes config and layers, then an OCI image manifest under `reference`; returns
    /// (manifest bytes, manifest digest).
    pub async fn push_image(
        &self,
        name: &str,
        reference: &str,
        layers: &[Vec<u8>],
    ) -> (Vec<u8>, String) {
        let config = json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
            "config": {"Labels": {"made-by": "berth-tests"}}, "seed": sha256(&layers.concat())})
        .to_string()
        .into_bytes();
        self.push_blob(name, &config).await;
        let mut descs = vec![];
        for l in layers {
            self.push_blob(name, l).await;
            descs.push(descriptor(LAYER, l));
        }
        let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": descriptor(OCI_CONFIG, &config), "layers": descs})
        .to_string()
        .into_bytes();
        let res = self
            .put_manifest(name, reference, OCI_MANIFEST, &manifest)
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
        let d = sha256(&manifest);
        (manifest, d)
    }
}
