//! Manifests: push by tag and digest, pull with Accept negotiation, validation errors, indexes,
//! tags, deletes, referrers, and the repository versions pushes create.
use crate::common::oci::{descriptor, sha256, LAYER, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST};
use crate::common::{error_code, TestApp};
use reqwest::StatusCode;
use serde_json::json;

const DOCKER_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";

#[tokio::test]
async fn a_pushed_image_pulls_back_byte_for_byte_by_tag_and_by_digest() {
    let app = TestApp::spawn().await;
    let (manifest, d) = app
        .push_image("team/app", "v1", &[b"l1".to_vec(), b"l2".to_vec()])
        .await;
    for reference in ["v1", d.as_str()] {
        let res = app
            .get(&format!("/v2/team/app/manifests/{reference}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], OCI_MANIFEST);
        assert_eq!(res.headers()["docker-content-digest"].to_str().unwrap(), d);
        assert_eq!(res.bytes().await.unwrap().as_ref(), &manifest[..]);
        let head = app
            .head(&format!("/v2/team/app/manifests/{reference}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            head.headers()["content-length"].to_str().unwrap(),
            manifest.len().to_string()
        );
    }
}

#[tokio::test]
async fn a_tag_whose_type_the_accept_header_excludes_is_not_found() {
    let app = TestApp::spawn().await;
    app.push_image("team/acc", "v1", &[b"l".to_vec()]).await;
    let res = app
        .get("/v2/team/acc/manifests/v1")
        .header("Accept", DOCKER_V2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(res).await, "MANIFEST_UNKNOWN");
    let res = app
        .get("/v2/team/acc/manifests/v1")
        .header("Accept", format!("{DOCKER_V2}, {OCI_MANIFEST}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_manifest_naming_a_missing_blob_is_refused_with_manifest_blob_unknown() {
    let app = TestApp::spawn().await;
    let cfg = app.push_blob("team/miss", b"{}").await;
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": cfg, "size": 2},
        "layers": [descriptor(LAYER, b"never pushed")]})
    .to_string();
    let res = app
        .put_manifest("team/miss", "v1", OCI_MANIFEST, manifest.as_bytes())
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "MANIFEST_BLOB_UNKNOWN");
    let tags: serde_json::Value = app
        .get("/v2/team/miss/tags/list")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tags["tags"], json!([]), "nothing was half-written");
}

#[tokio::test]
async fn malformed_oversized_and_mismatched_manifests_get_clean_errors() {
    let app = TestApp::spawn().await;
    let res = app
        .put_manifest("team/bad", "v1", OCI_MANIFEST, b"{not json")
        .await;
    assert_eq!(error_code(res).await, "MANIFEST_INVALID");
    let res = app
        .put_manifest(
            "team/bad",
            "v1",
            OCI_MANIFEST,
            br#"{"schemaVersion":1,"fsLayers":[]}"#,
        )
        .await;
    assert_eq!(error_code(res).await, "MANIFEST_INVALID");
    let res = app.put_manifest("team/bad", "v1", OCI_MANIFEST, br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#).await;
    assert_eq!(error_code(res).await, "MANIFEST_INVALID");
    let big = vec![b' '; 4 * 1024 * 1024 + 1];
    let res = app.put_manifest("team/bad", "v1", OCI_MANIFEST, &big).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(res).await, "SIZE_INVALID");
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}).to_string();
    let wrong = sha256(b"something else");
    let res = app
        .put_manifest("team/bad", &wrong, OCI_INDEX, index.as_bytes())
        .await;
    assert_eq!(error_code(res).await, "DIGEST_INVALID");
    let res = app
        .put_manifest("team/bad", "bad!tag", OCI_INDEX, index.as_bytes())
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_index_needs_its_children_and_pulls_back_with_them() {
    let app = TestApp::spawn().await;
    let (_, amd_d) = app
        .push_image("team/multi", "amd-tmp", &[b"amd layer".to_vec()])
        .await;
    let (_, arm_d) = app
        .push_image("team/multi", "arm-tmp", &[b"arm layer".to_vec()])
        .await;
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": amd_d, "size": 1, "platform": {"architecture": "amd64", "os": "linux"}},
        {"mediaType": OCI_MANIFEST, "digest": arm_d, "size": 1, "platform": {"architecture": "arm64", "os": "linux"}}]})
    .to_string();
    let res = app
        .put_manifest("team/multi", "latest", OCI_INDEX, index.as_bytes())
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let got = app
        .get("/v2/team/multi/manifests/latest")
        .send()
        .await
        .unwrap();
    assert_eq!(got.headers()["content-type"], OCI_INDEX);
    let missing = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": sha256(b"no such manifest"), "size": 1}]})
    .to_string();
    let res = app
        .put_manifest("team/multi", "broken", OCI_INDEX, missing.as_bytes())
        .await;
    assert_eq!(error_code(res).await, "MANIFEST_BLOB_UNKNOWN");
}

#[tokio::test]
async fn a_manifest_pushed_by_digest_is_pullable_by_digest_but_untagged() {
    let app = TestApp::spawn().await;
    let cfg = app
        .push_blob("team/bydigest", br#"{"architecture":"amd64","os":"linux"}"#)
        .await;
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": cfg, "size": 37}, "layers": []})
    .to_string();
    let d = sha256(manifest.as_bytes());
    let res = app
        .put_manifest("team/bydigest", &d, OCI_MANIFEST, manifest.as_bytes())
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/v2/team/bydigest/manifests/{d}")
    );
    assert_eq!(
        app.get(&format!("/v2/team/bydigest/manifests/{d}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let tags: serde_json::Value = app
        .get("/v2/team/bydigest/tags/list")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tags["tags"], json!([]));
}

#[tokio::test]
async fn tags_are_listed_sorted_with_pagination() {
    let app = TestApp::spawn().await;
    for tag in ["b", "a", "C", "c"] {
        app.push_image("team/tags", tag, &[b"same".to_vec()]).await;
    }
    let res = app.get("/v2/team/tags/tags/list?n=2").send().await.unwrap();
    assert_eq!(
        res.headers()["link"],
        "</v2/team/tags/tags/list?n=2&last=a>; rel=\"next\""
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body, json!({"name": "team/tags", "tags": ["C", "a"]}));
    let body: serde_json::Value = app
        .get("/v2/team/tags/tags/list?last=a")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["tags"], json!(["b", "c"]));
}

#[tokio::test]
async fn deleting_a_tag_keeps_the_manifest_and_deleting_a_digest_removes_it_and_its_tags() {
    let app = TestApp::spawn().await;
    let (_, d) = app.push_image("team/del", "one", &[b"x".to_vec()]).await;
    app.push_image("team/del", "two", &[b"x".to_vec()]).await;
    assert_eq!(
        app.delete("/v2/team/del/manifests/one")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(
        app.get("/v2/team/del/manifests/one")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/v2/team/del/manifests/two")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.delete(&format!("/v2/team/del/manifests/{d}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(
        app.get(&format!("/v2/team/del/manifests/{d}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let res = app.get("/v2/team/del/manifests/two").send().await.unwrap();
    assert_eq!(error_code(res).await, "MANIFEST_UNKNOWN");
    let again = app
        .delete(&format!("/v2/team/del/manifests/{d}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn each_tagged_push_makes_one_version_and_an_identical_push_makes_none() {
    let app = TestApp::spawn().await;
    app.push_image("team/ver", "v1", &[b"a".to_vec()]).await;
    assert_eq!(app.versions("team/ver").await, vec![0, 1]);
    app.push_image("team/ver", "v1", &[b"a".to_vec()]).await;
    assert_eq!(
        app.versions("team/ver").await,
        vec![0, 1],
        "re-pushing identical content makes no version"
    );
    app.push_image("team/ver", "v1", &[b"b".to_vec()]).await;
    assert_eq!(app.versions("team/ver").await, vec![0, 1, 2]);
    let body: serde_json::Value = app
        .get("/v2/team/ver/tags/list")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["tags"], json!(["v1"]), "one tag name per version");
}

#[tokio::test]
async fn referrers_list_artifacts_by_subject_with_artifact_type_filtering() {
    let app = TestApp::spawn().await;
    let (subject_bytes, subject) = app.push_image("team/ref", "v1", &[b"base".to_vec()]).await;
    let empty = app.push_blob("team/ref", b"{}").await;
    let mut pushed = vec![];
    for (i, at) in [
        "application/vnd.example.sbom",
        "application/vnd.example.sig",
    ]
    .iter()
    .enumerate()
    {
        let art = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": at,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2},
            "layers": [], "annotations": {"n": i.to_string()},
            "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": subject_bytes.len()}})
        .to_string();
        let d = sha256(art.as_bytes());
        let res = app
            .put_manifest("team/ref", &d, OCI_MANIFEST, art.as_bytes())
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.headers()["oci-subject"].to_str().unwrap(), subject);
        pushed.push(d);
    }
    let res = app
        .get(&format!("/v2/team/ref/referrers/{subject}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], OCI_INDEX);
    let index: serde_json::Value = res.json().await.unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 2);
    let res = app
        .get(&format!(
            "/v2/team/ref/referrers/{subject}?artifactType=application/vnd.example.sig"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["oci-filters-applied"], "artifactType");
    let index: serde_json::Value = res.json().await.unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
    assert_eq!(
        index["manifests"][0]["artifactType"],
        "application/vnd.example.sig"
    );
    assert_eq!(index["manifests"][0]["annotations"]["n"], "1");
    let none = app
        .get(&format!("/v2/team/ref/referrers/{}", sha256(b"nothing")))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::OK);
    let unknown_repo = app
        .get(&format!("/v2/no/such-repo/referrers/{subject}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unknown_repo.status(),
        StatusCode::OK,
        "the referrers API never answers 404"
    );
    assert_eq!(unknown_repo.headers()["content-type"], OCI_INDEX);
}

#[tokio::test]
async fn a_push_by_digest_with_tag_parameters_tags_it_and_echoes_oci_tag() {
    let app = TestApp::spawn().await;
    let cfg = app.push_blob("team/tagparam", b"{}").await;
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": cfg, "size": 2}, "layers": []})
    .to_string();
    let d = sha256(manifest.as_bytes());
    let res = app
        .put(&format!("/v2/team/tagparam/manifests/{d}?tag=one&tag=two"))
        .header("Content-Type", OCI_MANIFEST)
        .body(manifest.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let echoed: Vec<&str> = res
        .headers()
        .get_all("oci-tag")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(echoed, vec!["one", "two"]);
    let tags: serde_json::Value = app
        .get("/v2/team/tagparam/tags/list")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tags["tags"], json!(["one", "two"]));
    assert_eq!(
        app.versions("team/tagparam").await,
        vec![0, 1],
        "one version for all tags"
    );
    let res = app
        .put(&format!("/v2/team/tagparam/manifests/{d}?tag=bad!"))
        .header("Content-Type", OCI_MANIFEST)
        .body(manifest)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
