//! Distributions pinned to one version of a plain container repository (`repository_version`):
//! `/v2/` serves that version's tags, manifests, blobs and referrers whatever later versions
//! change; Pulp's refusals (a push repository's version, a missing version, both fields).
//! Switching, pruning, orphan cleanup and deletion: `container_repos_pin_changes.rs`.
use crate::common::oci::{sha256, OCI_MANIFEST};
use crate::common::{error_code, TestApp};
use crate::container_repos::{create, distribute, DISTS};
use crate::container_repos_content::{created, push_href};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Creates distribution `base_path` pinned to `version` (an href or PRN); returns its href.
pub async fn pin(app: &TestApp, base_path: &str, version: &str) -> String {
    let t = app
        .api_task(
            Method::POST,
            DISTS,
            Some(json!({"name": base_path, "base_path": base_path, "repository_version": version})),
        )
        .await;
    t["created_resources"][0].as_str().unwrap().to_string()
}

/// Copies tags `names` from `source` into plain repository `href`; returns the new version.
pub async fn copy_tags(app: &TestApp, href: &str, source: &str, names: &[&str]) -> String {
    let t = app
        .api_task(
            Method::POST,
            &format!("{href}copy_tags/"),
            Some(json!({"source_repository": source, "names": names})),
        )
        .await;
    created(&t)
}

async fn status(app: &TestApp, path: &str) -> StatusCode {
    app.get(path).send().await.unwrap().status()
}

pub async fn body(app: &TestApp, path: &str) -> Vec<u8> {
    let res = app.get(path).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.bytes().await.unwrap().to_vec()
}

pub async fn json_of(app: &TestApp, path: &str) -> Value {
    serde_json::from_slice(&body(app, path).await).unwrap()
}

/// The content href of manifest `digest`.
async fn manifest_href(app: &TestApp, digest: &str) -> String {
    let m = app
        .api_one(&format!(
            "/pulp/api/v3/content/container/manifests/?digest={digest}"
        ))
        .await;
    m["pulp_href"].as_str().unwrap().to_string()
}

/// Pushes a signature artifact whose subject is `subject`, tagged `tag`; returns its digest.
async fn push_referrer(app: &TestApp, name: &str, tag: &str, subject: (&[u8], &str)) -> String {
    let empty = app.push_blob(name, b"{}").await;
    let art = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "artifactType": "application/vnd.example.sig",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2},
        "layers": [],
        "subject": {"mediaType": OCI_MANIFEST, "digest": subject.1, "size": subject.0.len()}})
    .to_string();
    let res = app
        .put_manifest(name, tag, OCI_MANIFEST, art.as_bytes())
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    sha256(art.as_bytes())
}

#[tokio::test]
async fn a_distribution_pinned_to_version_1_serves_version_1_after_later_versions_change_tags() {
    let app = TestApp::spawn().await;
    let (m1, d1) = app.push_image("dev/app", "1.0", &[b"one".to_vec()]).await;
    let (m11, d11) = app
        .push_image("dev/app", "1.1", &[b"eleven".to_vec()])
        .await;
    let (_, d2) = app.push_image("dev/app", "2.0", &[b"two".to_vec()]).await;
    let sig = push_referrer(&app, "dev/app", "1.0-sig", (&m1, &d1)).await;
    let source = push_href(&app, "dev/app").await;
    let prod = create(&app, "prod-app").await;
    let href = prod["pulp_href"].as_str().unwrap();
    let act = |action: &str| format!("{href}{action}/");

    let t = app
        .api_task(
            Method::POST,
            &act("copy_tags"),
            Some(json!({"source_repository": source, "names": ["1.0", "1.1", "1.0-sig"]})),
        )
        .await;
    let v1 = created(&t);
    assert_eq!(v1, format!("{href}versions/1/"));
    // Version 2 adds 2.0 and moves 1.0 onto it (a tag removed and one added in one version);
    // later versions drop 1.1 and the signature.
    app.api_task(
        Method::POST,
        &act("copy_tags"),
        Some(json!({"source_repository": source, "names": ["2.0"]})),
    )
    .await;
    let t = app
        .api_task(
            Method::POST,
            &act("tag"),
            Some(json!({"tag": "1.0", "digest": d2})),
        )
        .await;
    assert_eq!(created(&t), format!("{href}versions/3/"));
    app.api_task(Method::POST, &act("untag"), Some(json!({"tag": "1.1"})))
        .await;
    let sig_href = manifest_href(&app, &sig).await;
    app.api_task(
        Method::POST,
        &act("remove"),
        Some(json!({"content_units": [sig_href]})),
    )
    .await;

    let pinned = pin(&app, "pinned/app", &v1).await;
    let d = app.api_get(&pinned).await;
    assert_eq!(d["repository"], Value::Null);
    assert_eq!(d["repository_version"], v1);
    assert_eq!(d["no_content_change_since"], d["pulp_last_updated"]);
    distribute(&app, "latest/app", href).await;

    // The pinned distribution: version 1's tags, manifests, blobs and referrers.
    let tags = json_of(&app, "/v2/pinned/app/tags/list").await;
    assert_eq!(tags["tags"], json!(["1.0", "1.0-sig", "1.1"]));
    let tags = json_of(&app, "/v2/pinned/app/tags/list?n=1&last=1.0").await;
    assert_eq!(tags["tags"], json!(["1.0-sig"]), "pages too");
    assert_eq!(body(&app, "/v2/pinned/app/manifests/1.0").await, m1);
    assert_eq!(
        body(&app, "/v2/pinned/app/manifests/1.1").await,
        m11,
        "untagged later, still served"
    );
    assert_eq!(
        body(&app, &format!("/v2/pinned/app/manifests/{d11}")).await,
        m11
    );
    let res = app
        .get("/v2/pinned/app/manifests/2.0")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "added later");
    assert_eq!(error_code(res).await, "MANIFEST_UNKNOWN");
    let res = app
        .get(&format!("/v2/pinned/app/manifests/{d2}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        body(&app, &format!("/v2/pinned/app/blobs/{}", sha256(b"eleven"))).await,
        b"eleven"
    );
    let res = app
        .head(&format!("/v2/pinned/app/blobs/{}", sha256(b"one")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .get(&format!("/v2/pinned/app/blobs/{}", sha256(b"two")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(res).await, "BLOB_UNKNOWN");
    let refs = json_of(&app, &format!("/v2/pinned/app/referrers/{d1}")).await;
    assert_eq!(refs["manifests"][0]["digest"], sig.as_str(), "{refs}");

    // A distribution of the repository itself serves the latest version.
    let tags = json_of(&app, "/v2/latest/app/tags/list").await;
    assert_eq!(tags["tags"], json!(["1.0", "2.0"]));
    assert_eq!(
        json_of(&app, "/v2/latest/app/manifests/1.0").await,
        json_of(&app, &format!("/v2/latest/app/manifests/{d2}")).await
    );
    assert_eq!(status(&app, "/v2/latest/app/manifests/1.1").await, 404);
    let refs = json_of(&app, &format!("/v2/latest/app/referrers/{d1}")).await;
    assert_eq!(refs["manifests"], json!([]));

    let catalog = json_of(&app, "/v2/_catalog").await;
    assert_eq!(
        catalog["repositories"],
        json!(["dev/app", "latest/app", "pinned/app"])
    );
    // Pulp's `repository` filter matches the field only; `with_content` follows the version
    // each distribution serves.
    let by_repo = app.api_get(&format!("{DISTS}?repository={href}")).await;
    assert_eq!(by_repo["count"], 1);
    assert_eq!(by_repo["results"][0]["base_path"], "latest/app");
    let tag_11 = app
        .api_one("/pulp/api/v3/content/container/tags/?name=1.1")
        .await;
    let with = app
        .api_get(&format!(
            "{DISTS}?with_content={}",
            tag_11["pulp_href"].as_str().unwrap()
        ))
        .await;
    let paths: Vec<&str> = with["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["base_path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["dev/app", "pinned/app"], "not latest/app");

    // Read-only, as a distribution of the repository is.
    let res = app
        .put_manifest("pinned/app", "hotfix", OCI_MANIFEST, &m1)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "NAME_INVALID");
    let res = app
        .delete(&format!("/v2/pinned/app/manifests/{d1}"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res).await, "NAME_INVALID");
    assert_eq!(body(&app, "/v2/pinned/app/manifests/1.0").await, m1);
}

#[tokio::test]
async fn a_push_repository_version_a_missing_version_and_both_fields_are_refused_as_in_pulp() {
    let app = TestApp::spawn().await;
    app.push_image("dev/app", "1.0", &[b"one".to_vec()]).await;
    let source = push_href(&app, "dev/app").await;
    let prod = create(&app, "prod-app").await;
    let href = prod["pulp_href"].as_str().unwrap();
    let fresh = |extra: Value| {
        let mut b = json!({"name": "p", "base_path": "p/app"});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let refused = [
        (
            json!({"repository_version": format!("{source}versions/1/")}),
            json!({"non_field_errors": ["A container push repository cannot be distributed by specifying a repository version."]}),
        ),
        (
            json!({"repository_version": format!("{href}versions/7/")}),
            json!({"repository_version": ["Invalid hyperlink - Object does not exist."]}),
        ),
        (
            // The plain repository's id under the push repositories' path names nothing.
            json!({"repository_version": format!(
                "/pulp/api/v3/repositories/container/container-push/{}/versions/0/",
                prod["pulp_href"].as_str().unwrap().trim_end_matches('/').rsplit('/').next().unwrap()
            )}),
            json!({"repository_version": ["Invalid hyperlink - Object does not exist."]}),
        ),
        (
            json!({"repository_version": "/pulp/api/v3/tasks/"}),
            json!({"repository_version": ["Invalid hyperlink - Object does not exist."]}),
        ),
        (
            json!({"repository_version": 1}),
            json!({"repository_version": ["Incorrect type. Expected URL string."]}),
        ),
        (
            json!({"repository": href, "repository_version": format!("{href}versions/0/")}),
            json!({"non_field_errors": ["Only one of the attributes 'repository' and 'repository_version' may be used simultaneously."]}),
        ),
    ];
    for (extra, expected) in refused {
        let (s, v) = app
            .api(Method::POST, DISTS, Some(fresh(extra.clone())))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{extra}: {v}");
        assert_eq!(v, expected, "{extra}");
    }
    let listed = app.api_get(&format!("{DISTS}?base_path=p/app")).await;
    assert_eq!(listed["count"], 0, "nothing was created");
    let (s, v) = app
        .api(
            Method::POST,
            DISTS,
            Some(fresh(
                json!({"repository": null, "repository_version": format!("{href}versions/0/")}),
            )),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::ACCEPTED,
        "a null repository is no repository: {v}"
    );
}
