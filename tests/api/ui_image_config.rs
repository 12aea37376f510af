//! The web UI's Image page reads the image config (created, platform, what it runs, history
//! beside the layers) and links a manifest list's platforms to their images; Delete image
//! names the manifest lists that would lose the image; a consumer sees no Delete.
use crate::common::oci::{bytes, descriptor, sha256, LAYER, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST};
use crate::common::pulp::ADMIN;
use crate::common::ui::Browser;
use crate::common::TestApp;
use crate::ui_pages::repo_id;
use serde_json::json;

/// Pushes an image whose config has a history of three steps (one without a layer); returns
/// the manifest's digest and size.
async fn push_built(app: &TestApp, name: &str, tag: &str) -> (String, usize) {
    let layers = [bytes(11, 1500), bytes(12, 700)];
    let config = json!({
        "architecture": "arm64", "os": "linux", "variant": "v8",
        "created": "2024-05-06T07:08:09Z",
        "config": {"Entrypoint": ["/bin/app", "--listen :80"], "Cmd": ["serve"],
                   "Env": ["PATH=/usr/bin", "MODE=<prod>"], "WorkingDir": "/srv",
                   "ExposedPorts": {"80/tcp": {}}},
        "rootfs": {"type": "layers", "diff_ids": []},
        "history": [
            {"created": "2024-05-01T00:00:00Z", "created_by": "ADD rootfs.tar /"},
            {"created": "2024-05-02T00:00:00Z",
             "created_by": "/bin/sh -c #(nop)  ENV MODE=<prod>", "empty_layer": true},
            {"created": "2024-05-06T07:08:09Z", "created_by": "RUN make install",
             "comment": "buildkit.dockerfile.v0"}
        ]
    })
    .to_string()
    .into_bytes();
    app.push_blob(name, &config).await;
    let mut descs = vec![];
    for l in &layers {
        app.push_blob(name, l).await;
        descs.push(descriptor(LAYER, l));
    }
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, &config), "layers": descs})
    .to_string()
    .into_bytes();
    let res = app.put_manifest(name, tag, OCI_MANIFEST, &manifest).await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    (sha256(&manifest), manifest.len())
}

#[tokio::test]
async fn the_image_page_shows_the_config_and_its_history_beside_the_layers() {
    let app = TestApp::spawn().await;
    let (d, _) = push_built(&app, "team/app", "v1").await;
    let id = repo_id(&app, "team/app").await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let p = b
        .get(&format!("/ui/repositories/{id}/image?digest={d}"))
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let body = &p.body;
    assert!(body.contains("<dt>Created</dt><dd><time datetime=\"2024-05-06T07:08:09+00:00\">2024-05-06 07:08</time>"), "{body}");
    assert!(
        body.contains("<dt>Platform</dt><dd>linux/arm64/v8</dd>"),
        "{body}"
    );
    assert!(
        body.contains("<code>/bin/app &quot;--listen :80&quot;</code>"),
        "{body}"
    );
    assert!(
        body.contains("<dt>Command</dt><dd><code>serve</code>"),
        "{body}"
    );
    assert!(body.contains("<code>MODE=&lt;prod&gt;</code>"), "{body}");
    assert!(!body.contains("MODE=<prod>"));
    assert!(body.contains("80/tcp") && body.contains("<code>/srv</code>"));
    let history = &body[body.find("<h2>History</h2>").expect("a history")..];
    let rows: Vec<&str> = history.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 3, "{history}");
    let l1 = &sha256(&bytes(11, 1500))["sha256:".len()..][..12];
    let l2 = &sha256(&bytes(12, 700))["sha256:".len()..][..12];
    assert!(
        rows[0].contains("ADD rootfs.tar /") && rows[0].contains(l1) && rows[0].contains("1.5 KiB")
    );
    assert!(rows[1].contains("ENV MODE=&lt;prod&gt;") && rows[1].contains("no layer"));
    assert!(
        rows[2].contains("RUN make install") && rows[2].contains(l2) && rows[2].contains("700 B")
    );
    assert!(rows[2].contains("buildkit.dockerfile.v0"));
}

#[tokio::test]
async fn a_manifest_lists_platforms_link_to_their_images_and_delete_image_names_the_list() {
    let app = TestApp::spawn().await;
    let (d, size) = push_built(&app, "team/app", "arm").await;
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": d, "size": size,
         "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}]})
    .to_string()
    .into_bytes();
    let res = app
        .put_manifest("team/app", "multi", OCI_INDEX, &index)
        .await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    let list = sha256(&index);
    let id = repo_id(&app, "team/app").await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;

    let p = b
        .get(&format!("/ui/repositories/{id}/image?digest={list}"))
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let child = format!(
        "/ui/repositories/{id}/image?digest={}",
        d.replace(':', "%3A")
    );
    assert!(p.body.contains(&child), "{}", p.body);
    assert!(p.body.contains("linux/arm64/v8"));
    assert_eq!(b.get(&child).await.status, 200);

    let confirm = b
        .get(&format!("/ui/repositories/{id}/delete-image?digest={d}"))
        .await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    let hex = &list["sha256:".len()..][..12];
    assert!(
        confirm
            .body
            .contains("1 manifest list of this repository names it"),
        "{}",
        confirm.body
    );
    assert!(confirm.body.contains(hex) && confirm.body.contains("<code>multi</code>"));
    assert!(confirm.body.contains("<code>arm</code>"));
    let lone = b
        .get(&format!("/ui/repositories/{id}/delete-image?digest={list}"))
        .await;
    assert!(lone
        .body
        .contains("No manifest list of this repository names it."));
}
