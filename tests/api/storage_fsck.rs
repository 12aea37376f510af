//! `berth admin fsck`: storage compared with the database, after pushes, crashes and cleanups.
use crate::common::oci::{bytes, sha256};
use crate::common::TestApp;
use crate::storage_housekeeping::{open, storage_root, write_aged};
use berth::service::fsck;
use berth::service::housekeeping::{orphans, upload_expiry};
use std::time::Duration;

const DAY: Duration = Duration::from_secs(24 * 3600);

#[tokio::test]
async fn after_pushes_a_crash_housekeeping_and_orphan_cleanup_storage_equals_the_database() {
    // The server's own housekeeping keeps a year: the crash's files stay until the calls below.
    let app = TestApp::spawn_with(|s| s.upload_expiry_hours = 24 * 365).await;
    app.push_image("lib/fsck", "v1", &[bytes(1, 40_000), bytes(2, 7000)])
        .await;
    app.push_image("lib/fsck", "v2", &[bytes(3, 12_000)]).await;
    let (db, store) = open(&app).await;
    let report = fsck::check(&db, &store, false, Duration::ZERO)
        .await
        .unwrap();
    assert!(report.clean(), "{report}");
    assert_eq!(report.rows, report.files, "{report}");
    // A simulated crash: a PATCH's staging file, and blob bytes placed whose row never came.
    let root = storage_root(&app);
    let stray = bytes(4, 3000);
    let hex = &sha256(&stray)[7..];
    let old = 4 * DAY;
    write_aged(
        &root,
        &format!("uploads/{}/p#1", uuid::Uuid::now_v7()),
        2048,
        old,
    );
    let stray_path = root.join(format!("blobs/sha256/{}/{hex}", &hex[..2]));
    std::fs::create_dir_all(stray_path.parent().unwrap()).unwrap();
    std::fs::write(&stray_path, &stray).unwrap();
    crate::storage_housekeeping::set_age(&stray_path, old);
    let report = fsck::check(&db, &store, false, Duration::ZERO)
        .await
        .unwrap();
    assert!(!report.clean());
    assert_eq!(report.stray.len(), 1, "{report}");
    assert_eq!(report.staging.len(), 1, "{report}");
    assert!(report.missing.is_empty(), "{report}");
    let text = report.to_string();
    assert!(text.contains("1 stray"), "{text}");
    // Housekeeping and orphan cleanup, as the scheduler runs them.
    upload_expiry::expire_uploads(&db, &store, 3 * DAY)
        .await
        .unwrap();
    orphans::cleanup(&db, &store, 24 * 60, None, &|_| {})
        .await
        .unwrap();
    let report = fsck::check(&db, &store, false, Duration::ZERO)
        .await
        .unwrap();
    assert!(report.clean(), "{report}");
    assert_eq!(report.rows, report.files, "{report}");
    assert!(report.to_string().contains("storage and database agree"));
}

#[tokio::test]
async fn fsck_reports_missing_bytes_and_repairs_only_files_never_rows() {
    let app = TestApp::spawn().await;
    let kept = bytes(5, 9000);
    let lost = bytes(6, 8000);
    app.push_blob("lib/fsck2", &kept).await;
    let lost_d = app.push_blob("lib/fsck2", &lost).await;
    let root = storage_root(&app);
    let hex = &lost_d[7..];
    std::fs::remove_file(root.join(format!("blobs/sha256/{}/{hex}", &hex[..2]))).unwrap();
    let orphan_part = write_aged(
        &root,
        "uploads/0193a0aa-0000-7000-8000-0000000000ff/x",
        100,
        DAY,
    );
    let young = write_aged(
        &root,
        "uploads/0193a0aa-0000-7000-8000-0000000000fe/y#3",
        100,
        Duration::ZERO,
    );
    let (db, store) = open(&app).await;
    let report = fsck::check(&db, &store, true, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(
        report.missing,
        vec![(lost_d.clone(), lost.len() as u64)],
        "{report}"
    );
    assert_eq!(report.orphan_parts.len(), 1, "{report}");
    assert!(!orphan_part.exists(), "an old orphaned part is repaired");
    assert!(
        young.exists(),
        "a file younger than the grace period is kept"
    );
    assert!(!report.clean());
    assert!(report.to_string().contains("MISSING"), "{report}");
    // The row is still there: the registry still lists it (and an operator must act).
    let report = fsck::check(&db, &store, false, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(report.missing.len(), 1);
}

#[tokio::test]
async fn the_fsck_command_exits_non_zero_when_storage_and_database_disagree() {
    let app = TestApp::spawn().await;
    app.push_blob("lib/fsck3", &bytes(7, 1000)).await;
    let run = |repair: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_berth"));
        cmd.args(["admin", "fsck", "--grace-minutes", "0"])
            .env("BERTH_DATA_DIR", app.dir.path())
            .env("BERTH_DATABASE_URL", &app.settings.database_url)
            .env("BERTH_STORAGE_URL", &app.settings.storage_url);
        if repair {
            cmd.arg("--repair");
        }
        cmd.output().unwrap()
    };
    let out = run(false);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("storage and database agree"));
    let root = storage_root(&app);
    write_aged(&root, "blobs/sha256/aa/leftover#1", 10, DAY);
    let out = run(false);
    assert!(!out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 staging"));
    let out = run(true);
    assert!(out.status.success(), "{out:?}");
    let out = run(false);
    assert!(out.status.success(), "{out:?}");
}
