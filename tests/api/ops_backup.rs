//! Operations: `berth backup` copies a serving embedded berth (while a push is in progress),
//! `berth restore` brings it into a new data directory where every tag pulls, orphan cleanup
//! deletes nothing while a backup holds it, and what backups refuse. Backups are for the
//! embedded default (SQLite + local directory): on PostgreSQL the round trip is skipped with a
//! printed reason, and the refusal of a PostgreSQL configuration is tested instead.
use crate::common::cli::Client;
use crate::common::oci::{bytes, sha256, OCI_MANIFEST};
use crate::common::pulp::ADMIN;
use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::Path;

fn on_postgres() -> bool {
    std::env::var("BERTH_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"))
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Pulls every tag of every repository: each manifest by tag and by digest, and every blob it
/// names by digest, checking each digest over the bytes; returns the `name:tag`s pulled.
async fn pull_everything(app: &TestApp) -> Vec<String> {
    let catalog: Value = app
        .get("/v2/_catalog")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut pulled = vec![];
    for name in catalog["repositories"].as_array().unwrap() {
        let name = name.as_str().unwrap();
        let tags: Value = app
            .get(&format!("/v2/{name}/tags/list"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for tag in tags["tags"].as_array().into_iter().flatten() {
            let tag = tag.as_str().unwrap();
            let res = app
                .get(&format!("/v2/{name}/manifests/{tag}"))
                .header("Accept", OCI_MANIFEST)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{name}:{tag}");
            let body = res.bytes().await.unwrap();
            let digest = sha256(&body);
            let by_digest = app
                .get(&format!("/v2/{name}/manifests/{digest}"))
                .header("Accept", OCI_MANIFEST)
                .send()
                .await
                .unwrap();
            assert_eq!(by_digest.bytes().await.unwrap(), body, "{name}@{digest}");
            let m: Value = serde_json::from_slice(&body).unwrap();
            let mut blobs = vec![m["config"].clone()];
            blobs.extend(m["layers"].as_array().unwrap().iter().cloned());
            for b in blobs {
                let d = b["digest"].as_str().unwrap();
                let res = app
                    .get(&format!("/v2/{name}/blobs/{d}"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK, "{name} blob {d}");
                let bytes = res.bytes().await.unwrap();
                assert_eq!(sha256(&bytes), d, "{name} blob {d}");
                assert_eq!(bytes.len() as u64, b["size"].as_u64().unwrap());
            }
            pulled.push(format!("{name}:{tag}"));
        }
    }
    pulled.sort();
    pulled
}

#[tokio::test]
async fn a_backup_taken_during_a_push_restores_into_a_new_data_dir_where_every_tag_pulls() {
    if on_postgres() {
        eprintln!(
            "skipped on PostgreSQL: berth backup is for the embedded default (SQLite + local \
             directory); PostgreSQL + S3 are backed up with pg_dump and a bucket copy (README)"
        );
        return;
    }
    let app = TestApp::spawn().await;
    let data = app.settings.data_dir.clone();
    std::fs::write(data.join("admin-password"), "generated-secret\n").unwrap();
    let mut before = vec![];
    for (i, (name, tags)) in [
        ("bk/app", &["1.0", "latest"][..]),
        ("bk/web", &["v2"][..]),
        ("bk/deep/tool", &["edge", "stable"][..]),
    ]
    .into_iter()
    .enumerate()
    {
        let layers = [bytes(i as u64, 40_000), bytes(100 + i as u64, 3_000)];
        let (_, digest) = app.push_image(name, tags[0], &layers).await;
        for t in tags {
            app.put(&format!("/v2/{name}/manifests/{t}"))
                .header("Content-Type", OCI_MANIFEST)
                .body(
                    app.get(&format!("/v2/{name}/manifests/{digest}"))
                        .header("Accept", OCI_MANIFEST)
                        .send()
                        .await
                        .unwrap()
                        .bytes()
                        .await
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
            before.push(format!("{name}:{t}"));
        }
    }
    // An open chunked upload (one part staged), to be finished on the restored copy.
    let res = app.post("/v2/bk/big/blobs/uploads/").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let big = bytes(7, 300_000);
    let res = app
        .patch(&location)
        .header("Content-Type", "application/octet-stream")
        .body(big[..200_000].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);

    // The backup runs (the real binary) while pushes go on.
    let dest = tempfile::tempdir().unwrap();
    let dest = dest.path().join("backup");
    let acked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let pusher = {
        let (base, client, acked) = (app.base.clone(), app.client.clone(), acked.clone());
        tokio::spawn(async move { push_while(&base, &client, 40, &acked).await })
    };
    // Start once some pushes are in, so the copy lands in the middle of the stream.
    while acked.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let cli = Client::new();
    let run = cli
        .run(&[
            "--data-dir",
            data.to_str().unwrap(),
            "backup",
            dest.to_str().unwrap(),
        ])
        .await
        .ok();
    let pushed = pusher.await.unwrap();
    eprintln!("{}", run.stdout);
    assert!(run.stdout.contains("backup written to"), "{}", run.stdout);
    assert!(run.stdout.contains("hard-linked"), "{}", run.stdout);
    for f in ["berth.db", "berth.db-queue", "admin-password"] {
        assert_eq!(mode(&dest.join(f)), 0o600, "{f}");
    }
    assert_eq!(mode(&dest), 0o700);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dest.join("backup.json")).unwrap()).unwrap();
    assert_eq!(manifest["orphan_cleanup_held"], true, "{manifest}");
    assert_eq!(manifest["upload_parts"], 1, "{manifest}");
    // Nothing holds orphan cleanup once the backup is done.
    assert!(!held(&app).await);

    // Restore into a new data directory, start berth there, and pull everything.
    let new_dir = tempfile::tempdir().unwrap();
    let new_data = new_dir.path().join("restored");
    let run = cli
        .run(&[
            "--data-dir",
            new_data.to_str().unwrap(),
            "restore",
            dest.to_str().unwrap(),
        ])
        .await
        .ok();
    assert!(
        run.stdout.contains("all present with their sizes"),
        "{}",
        run.stdout
    );
    eprintln!("{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(new_data.join("admin-password")).unwrap(),
        "generated-secret\n"
    );
    assert_eq!(mode(&new_data.join("berth.db")), 0o600);
    let settings = berth::config::Settings::for_data_dir(new_data.clone()).unwrap();
    let restored = TestApp::spawn_with(|s| {
        *s = berth::config::Settings {
            admin_password: s.admin_password.clone(),
            ..settings
        }
    })
    .await;
    let pulled = pull_everything(&restored).await;
    for t in &before {
        assert!(pulled.contains(t), "{t} missing after restore: {pulled:?}");
    }
    // Pushes during the backup: those in the copy pull (checked above), at most all of them.
    let during = pulled
        .iter()
        .filter(|t| t.starts_with("bk/during:"))
        .count();
    assert!(during >= 3 && during <= pushed, "{during} of {pushed}");
    eprintln!("{during} of {pushed} images pushed during the backup are in it");

    // The upload that was open at backup time finishes on the restored copy.
    let res = restored
        .patch(&location)
        .header("Content-Type", "application/octet-stream")
        .body(big[200_000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED, "{:?}", res.text().await);
    let res = restored
        .put(&format!("{location}?digest={}", sha256(&big)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
    let got = restored
        .get(&format!("/v2/bk/big/blobs/{}", sha256(&big)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.len(), big.len());
}

/// Pushes `n` images to `bk/during` one after another, counting each acknowledged one in
/// `acked`; returns how many were acknowledged.
async fn push_while(
    base: &str,
    client: &reqwest::Client,
    n: usize,
    acked: &std::sync::atomic::AtomicUsize,
) -> usize {
    let mut done = 0;
    for i in 0..n {
        let layer = bytes(1000 + i as u64, 50_000);
        let config = json!({"architecture": "amd64", "os": "linux", "n": i}).to_string();
        let mut descs = vec![];
        for body in [config.as_bytes().to_vec(), layer.clone()] {
            let d = sha256(&body);
            let res = client
                .post(format!("{base}/v2/bk/during/blobs/uploads/?digest={d}"))
                .basic_auth(ADMIN.0, Some(ADMIN.1))
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            descs.push(json!({"digest": d, "size": body.len()}));
        }
        let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": descs[0]["digest"], "size": descs[0]["size"]},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                "digest": descs[1]["digest"], "size": descs[1]["size"]}]});
        let res = client
            .put(format!("{base}/v2/bk/during/manifests/t{i}"))
            .basic_auth(ADMIN.0, Some(ADMIN.1))
            .header("Content-Type", OCI_MANIFEST)
            .body(manifest.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        done += 1;
        acked.store(done, std::sync::atomic::Ordering::SeqCst);
    }
    done
}

async fn held(app: &TestApp) -> bool {
    let db = berth::repo::Db::connect(&app.settings.database_url)
        .await
        .unwrap();
    berth::repo::backup::held(&db.conn).await.unwrap()
}

#[tokio::test]
async fn orphan_cleanup_deletes_no_blob_while_a_backup_holds_it() {
    // The hold is a database row, so this runs on SQLite and PostgreSQL alike.
    let app = TestApp::spawn().await;
    let lone = bytes(31, 5_000);
    let digest = app.push_blob("bk/lone", &lone).await;
    let db = berth::repo::Db::connect(&app.settings.database_url)
        .await
        .unwrap();
    let until = chrono::Utc::now() + chrono::Duration::minutes(10);
    berth::repo::backup::hold(&db.conn, "backup-test", until)
        .await
        .unwrap();
    let cleanup = || async {
        app.api_task(
            reqwest::Method::POST,
            "/pulp/api/v3/orphans/cleanup/",
            Some(json!({"orphan_protection_time": 0})),
        )
        .await
    };
    let t = cleanup().await;
    assert_eq!(t["result"]["bytes"], 0, "{t}");
    let app = &app;
    let head = |d: String| async move {
        app.head(&format!("/v2/bk/lone/blobs/{d}"))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(head(digest.clone()).await, StatusCode::OK);
    berth::repo::backup::release(&db.conn, "backup-test")
        .await
        .unwrap();
    let t = cleanup().await;
    assert!(t["result"]["bytes"].as_u64().unwrap() >= 5_000, "{t}");
    assert_eq!(head(digest).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn backup_and_restore_refuse_non_empty_directories_other_databases_and_partial_backups() {
    let app = TestApp::spawn().await;
    let cli = Client::new();
    let data = app.settings.data_dir.to_str().unwrap().to_string();
    let tmp = tempfile::tempdir().unwrap();
    let full = tmp.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("something"), "x").unwrap();
    let run = cli
        .run(&["--data-dir", &data, "backup", full.to_str().unwrap()])
        .await;
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(&full).unwrap().count(), 1);

    for (flag, value) in [
        (
            "--database-url",
            "postgres://berth:s3cr3t@127.0.0.1:1/nothing",
        ),
        ("--storage-url", "s3://bucket/prefix"),
    ] {
        let dest = tmp.path().join("never");
        let run = cli
            .run(&[
                flag,
                value,
                "--data-dir",
                &data,
                "backup",
                dest.to_str().unwrap(),
            ])
            .await;
        assert_ne!(run.code, 0);
        assert!(
            run.stderr.contains("Backups, restores and upgrades"),
            "{flag}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("s3cr3t"), "no password echoed");
        assert!(!dest.exists());
    }

    // A directory without backup.json (an interrupted backup) is not restored.
    let partial = tmp.path().join("partial");
    std::fs::create_dir(&partial).unwrap();
    std::fs::write(partial.join("berth.db"), "").unwrap();
    let target = tmp.path().join("target");
    let run = cli
        .run(&[
            "--data-dir",
            target.to_str().unwrap(),
            "restore",
            partial.to_str().unwrap(),
        ])
        .await;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("not a complete berth backup"),
        "{}",
        run.stderr
    );
    assert!(!target.exists());

    // Restore refuses a data directory in use.
    std::fs::write(partial.join("backup.json"), "{}").unwrap();
    let run = cli
        .run(&["--data-dir", &data, "restore", partial.to_str().unwrap()])
        .await;
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
}
