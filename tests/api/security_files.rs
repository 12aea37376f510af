//! Private files (issue 11 §2): the data directory is 0700 and every database or secret file
//! 0600, on a fresh install and after start on an install whose files were readable by others.
use crate::common::TestApp;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The private files that exist in the data directory.
fn private_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n.starts_with("berth.db") || n == "admin-password"
        })
        .collect();
    v.sort();
    v
}

fn sqlite(app: &TestApp) -> bool {
    app.settings.database_url.starts_with("sqlite")
}

#[tokio::test]
async fn a_fresh_data_directory_and_its_database_files_are_private() {
    let app = TestApp::spawn_with(|s| {
        s.data_dir = s.data_dir.join("data");
        if s.database_url.starts_with("sqlite") {
            s.database_url = format!(
                "sqlite://{}?mode=rwc",
                s.data_dir.join("berth.db").display()
            );
        }
        s.admin_password = None;
    })
    .await;
    let res = app.anon(reqwest::Method::GET, "/v2/").send().await.unwrap();
    assert_eq!(res.status(), 401, "the server runs");
    let dir = &app.settings.data_dir;
    assert_eq!(mode(dir), 0o700);
    let files = private_files(dir);
    assert!(files.iter().any(|p| p.ends_with("admin-password")));
    if sqlite(&app) {
        for f in ["berth.db", "berth.db-wal", "berth.db-shm", "berth.db-queue"] {
            assert!(dir.join(f).exists(), "{f} exists");
        }
    }
    for f in files {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}

#[tokio::test]
async fn loose_modes_of_an_existing_install_are_tightened_at_start() {
    let mut app = TestApp::spawn().await;
    app.push_blob("lib/app", b"some bytes").await;
    let dir = app.settings.data_dir.clone();
    std::fs::write(dir.join("admin-password"), "old\n").unwrap();
    let loosen =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    loosen(&dir, 0o755);
    let files = private_files(&dir);
    if sqlite(&app) {
        assert!(files.len() >= 4, "{files:?}");
    }
    for f in &files {
        loosen(f, 0o644);
    }
    app.restart().await;
    assert_eq!(mode(&dir), 0o700);
    for f in private_files(&dir) {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    let res = app.get("/v2/").send().await.unwrap();
    assert_eq!(res.status(), 200, "the server runs on the tightened files");
}
