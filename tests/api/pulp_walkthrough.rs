//! The content-removal walkthrough over the management API, end to end.
use crate::common::oci::sha256;
use crate::common::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_content_removal_walkthrough_works_end_to_end() {
    let app = TestApp::spawn().await;
    let shared = b"shared base layer".to_vec();
    let only_v1 = b"layer only in v1".to_vec();
    let (_, d1) = app
        .push_image("walk/app", "v1", &[shared.clone(), only_v1.clone()])
        .await;
    let (_, d2) = app
        .push_image("walk/app", "v2", &[shared.clone(), b"layer of v2".to_vec()])
        .await;
    app.push_image("walk/other", "latest", &[b"other layer".to_vec()])
        .await;

    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=walk")
        .await;
    assert_eq!(ns["name"], "walk");
    assert!(ns["prn"]
        .as_str()
        .unwrap()
        .starts_with("prn:container.containernamespace:"));
    let dists = app
        .api_get("/pulp/api/v3/distributions/container/container/?namespace__name=walk")
        .await;
    assert_eq!(dists["count"], 2);
    let dist = app
        .api_one("/pulp/api/v3/distributions/container/container/?base_path=walk/app")
        .await;
    assert!(dist["registry_path"]
        .as_str()
        .unwrap()
        .ends_with("/walk/app"));
    assert_eq!(dist["namespace"], ns["pulp_href"]);
    let repo = app
        .api_one("/pulp/api/v3/repositories/container/container-push/?name=walk/app")
        .await;
    assert_eq!(dist["repository"], repo["pulp_href"]);
    let repo_href = repo["pulp_href"].as_str().unwrap().to_string();
    assert_eq!(
        repo["latest_version_href"],
        format!("{repo_href}versions/2/")
    );

    let versions = app.api_get(&format!("{repo_href}versions/")).await;
    let numbers: Vec<i64> = versions["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 1, 0], "newest first");
    let v2 = &versions["results"][0];
    assert_eq!(
        v2["content_summary"]["present"]["container.manifest"]["count"],
        2
    );
    assert_eq!(
        v2["content_summary"]["present"]["container.tag"]["count"],
        2
    );
    assert_eq!(v2["content_summary"]["added"]["container.tag"]["count"], 1);
    let v2_href = v2["pulp_href"].as_str().unwrap();
    let manifests = app
        .api_get(&format!(
            "/pulp/api/v3/content/container/manifests/?repository_version={v2_href}"
        ))
        .await;
    assert_eq!(manifests["count"], 2);
    let m1 = app
        .api_one(&format!(
            "/pulp/api/v3/content/container/manifests/?digest={d1}"
        ))
        .await;
    assert_eq!(m1["blobs"].as_array().unwrap().len(), 2);
    assert!(m1["config_blob"].is_string());
    assert_eq!(m1["type"], "image");
    assert_eq!(m1["architecture"], "amd64");

    // remove_image: a new version without v1's manifest, tag and own layer; shared content stays.
    let t = app
        .api_task(
            Method::POST,
            &format!("{repo_href}remove_image/"),
            Some(json!({"digest": d1})),
        )
        .await;
    assert_eq!(
        t["name"],
        "pulp_container.app.tasks.recursive_remove.recursive_remove_content"
    );
    assert_eq!(
        t["created_resources"],
        json!([format!("{repo_href}versions/3/")])
    );
    let tags: serde_json::Value = app
        .get("/v2/walk/app/tags/list")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tags["tags"], json!(["v2"]));
    assert_eq!(
        app.head(&format!("/v2/walk/app/blobs/{}", sha256(&only_v1)))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.head(&format!("/v2/walk/app/blobs/{}", sha256(&shared)))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.get(&format!("/v2/walk/app/manifests/{d2}"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Removed content is still referenced by old versions until retention prunes them.
    let orphans = app
        .api_get("/pulp/api/v3/content/container/blobs/?orphaned_for=0")
        .await;
    assert_eq!(orphans["count"], 0);
    let (s, _) = app
        .api(
            Method::PATCH,
            &repo_href,
            Some(json!({"retain_repo_versions": 1})),
        )
        .await;
    assert_eq!(s, 202);
    let mut tries = 0;
    while app.api_get(&format!("{repo_href}versions/")).await["count"] != 1 {
        tries += 1;
        assert!(tries < 200, "retention did not prune");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // Orphan cleanup removes the stored bytes of v1's own layer, keeps the shared ones.
    let orphans = app
        .api_get("/pulp/api/v3/content/container/blobs/?orphaned_for=0")
        .await;
    assert_eq!(orphans["count"], 2, "v1's own layer and config: {orphans}");
    let only_v1_key = app
        .dir
        .path()
        .join("blobs/blobs/sha256")
        .join(&sha256(&only_v1)[7..9])
        .join(&sha256(&only_v1)[7..]);
    assert!(only_v1_key.exists());
    let t = app
        .api_task(
            Method::POST,
            "/pulp/api/v3/orphans/cleanup/",
            Some(json!({"orphan_protection_time": 0})),
        )
        .await;
    let codes: Vec<&str> = t["progress_reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["clean-up.content", "clean-up.artifacts", "clean-up.bytes"]
    );
    assert!(!only_v1_key.exists(), "orphaned bytes are purged");
    let shared_body = app
        .get(&format!("/v2/walk/app/blobs/{}", sha256(&shared)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(shared_body.as_ref(), &shared[..]);

    // Deleting a distribution deletes its push repository; the namespace stays.
    let other = app
        .api_one("/pulp/api/v3/distributions/container/container/?name=walk/other")
        .await;
    app.api_task(Method::DELETE, other["pulp_href"].as_str().unwrap(), None)
        .await;
    let repos = app
        .api_get("/pulp/api/v3/repositories/container/container-push/?name=walk/other")
        .await;
    assert_eq!(repos["count"], 0);
    assert_eq!(
        app.get("/v2/walk/other/tags/list")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    app.api_one("/pulp/api/v3/pulp_container/namespaces/?name=walk")
        .await;

    // Deleting the namespace removes everything under it.
    app.api_task(Method::DELETE, ns["pulp_href"].as_str().unwrap(), None)
        .await;
    assert_eq!(
        app.api_get("/pulp/api/v3/distributions/container/container/?namespace__name=walk")
            .await["count"],
        0
    );
    assert_eq!(
        app.get("/v2/walk/app/tags/list")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn tag_and_untag_make_new_versions_and_identical_tagging_makes_none() {
    let app = TestApp::spawn().await;
    let (_, d) = app.push_image("tagging/app", "v1", &[b"l".to_vec()]).await;
    let repo = app
        .api_one("/pulp/api/v3/repositories/container/container-push/?name=tagging/app")
        .await;
    let href = repo["pulp_href"].as_str().unwrap();
    let t = app
        .api_task(
            Method::POST,
            &format!("{href}tag/"),
            Some(json!({"tag": "stable", "digest": d})),
        )
        .await;
    assert_eq!(
        t["created_resources"],
        json!([format!("{href}versions/2/")])
    );
    let t = app
        .api_task(
            Method::POST,
            &format!("{href}tag/"),
            Some(json!({"tag": "stable", "digest": d})),
        )
        .await;
    assert_eq!(
        t["created_resources"],
        json!([]),
        "already tagged: no version"
    );
    app.api_task(
        Method::POST,
        &format!("{href}untag/"),
        Some(json!({"tag": "v1"})),
    )
    .await;
    let tags: serde_json::Value = app
        .get("/v2/tagging/app/tags/list")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tags["tags"], json!(["stable"]));
    assert_eq!(
        app.get(&format!("/v2/tagging/app/manifests/{d}"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "untag keeps the manifest"
    );
}
