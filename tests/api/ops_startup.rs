//! Start-up checks: the real binary started with bad settings stops at once with one readable
//! message (printed once) and a non-zero exit, and has created nothing: a taken port, an
//! unwritable blob or data directory, a database that cannot be opened, an unreachable
//! PostgreSQL, S3 without credentials or without an answer, a weak bootstrap admin password.
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

pub struct Exit {
    pub code: i32,
    pub stderr: String,
    pub stdout: String,
    pub took: Duration,
}

/// Runs `berth args…` with only `env` (and PATH) set, for at most 60 s.
pub async fn berth(args: &[&str], env: &[(&str, &str)]) -> Exit {
    let started = Instant::now();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("berth did not stop within 60 s")
        .unwrap();
    Exit {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
        took: started.elapsed(),
    }
}

/// The run failed with exit code 1 and one message containing every one of `parts`, once.
pub fn refused(run: &Exit, parts: &[&str]) {
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    for part in parts {
        assert!(run.stderr.contains(part), "{part:?} not in: {}", run.stderr);
    }
    assert_eq!(
        run.stderr.matches(parts[0]).count(),
        1,
        "printed more than once: {}",
        run.stderr
    );
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_taken_port_stops_serve_naming_the_address_and_suggesting_listen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = taken.local_addr().unwrap().to_string();
    let run = berth(&["serve", "--data-dir", s(&data), "--listen", &listen], &[]).await;
    refused(
        &run,
        &[
            &format!("cannot listen on {listen}"),
            "already in use",
            "--listen",
        ],
    );
    assert!(!data.exists(), "the data directory was created");
}

#[tokio::test]
async fn a_blob_directory_that_cannot_be_written_stops_serve_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let blobs = format!("file://{}/blobs", s(&file));
    let run = berth(
        &[
            "serve",
            "--data-dir",
            s(&data),
            "--storage-url",
            &blobs,
            "--listen",
            "127.0.0.1:0",
        ],
        &[],
    )
    .await;
    refused(
        &run,
        &[
            "cannot use blob directory",
            &format!("{} is not a directory", s(&file)),
            "--storage-url",
        ],
    );
    assert!(!data.exists(), "the data directory was created");
}

#[tokio::test]
async fn a_data_directory_inside_a_file_is_named_with_data_dir_suggested() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let data = file.join("data");
    for command in [&["serve", "--listen", "127.0.0.1:0"][..], &["worker"][..]] {
        let mut args = command.to_vec();
        args.extend(["--data-dir", s(&data)]);
        let run = berth(&args, &[]).await;
        refused(
            &run,
            &[
                &format!("cannot use data directory {}", s(&data)),
                "--data-dir",
            ],
        );
    }
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_is_named_with_data_dir_suggested() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The database "file" is a directory.
    let db = dir.path().join("berth.db");
    std::fs::create_dir(&db).unwrap();
    let url = format!("sqlite://{}", s(&db));
    for command in [
        &["serve", "--listen", "127.0.0.1:0"][..],
        &["migrate"][..],
        &["admin", "list-users"][..],
    ] {
        let mut args = command.to_vec();
        args.extend(["--data-dir", s(&data), "--database-url", &url]);
        let run = berth(&args, &[]).await;
        refused(
            &run,
            &[
                &format!("cannot open database {}", s(&db)),
                "it is a directory",
                "--data-dir",
            ],
        );
        assert!(!data.exists(), "{command:?} created the data directory");
    }
    // A file that is not a SQLite database: named, with the same suggestion.
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("berth.db"), vec![b'x'; 4096]).unwrap();
    let run = berth(&["--data-dir", s(&data), "admin", "list-users"], &[]).await;
    let path = data.join("berth.db");
    refused(
        &run,
        &[&format!("cannot open database {}", s(&path)), "--data-dir"],
    );
}

#[tokio::test]
async fn an_unreachable_postgresql_is_reported_as_connection_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let at = format!("127.0.0.1:{}", closed_port());
    let url = format!("postgres://postgres:secret-pw@{at}/berth");
    for command in [
        &["serve", "--listen", "127.0.0.1:0"][..],
        &["worker"][..],
        &["migrate"][..],
        &["admin", "list-users"][..],
    ] {
        let mut args = command.to_vec();
        args.extend(["--data-dir", s(&data), "--database-url", &url]);
        let run = berth(&args, &[]).await;
        refused(
            &run,
            &[
                &format!("cannot reach PostgreSQL at {at}"),
                "connection refused",
            ],
        );
        assert!(!run.stderr.contains("secret-pw"), "{}", run.stderr);
        // Not the pool's 30 s of retries.
        assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
        assert!(!data.exists(), "{command:?} created the data directory");
    }
}

#[tokio::test]
async fn s3_without_credentials_stops_serve_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let run = berth(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            s(&data),
            "--storage-url",
            "s3://some-bucket/berth",
            "--s3-endpoint",
            &endpoint,
            "--s3-allow-http",
        ],
        &[],
    )
    .await;
    refused(&run, &["has no credentials", "AWS_ACCESS_KEY_ID"]);
    assert!(!data.exists(), "the data directory was created");
    let half = berth(
        &["serve", "--data-dir", s(&data)],
        &[
            ("BERTH_STORAGE_URL", "s3://some-bucket"),
            ("AWS_ACCESS_KEY_ID", "only-the-id"),
        ],
    )
    .await;
    refused(&half, &["AWS_SECRET_ACCESS_KEY", "one is missing"]);
}

#[tokio::test]
async fn an_s3_endpoint_that_does_not_answer_or_a_missing_bucket_stops_serve() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let keys = [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
    ];
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let args = |endpoint: &str, bucket: &str| -> Vec<String> {
        [
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            s(&data),
            "--storage-url",
            &format!("s3://{bucket}/berth"),
            "--s3-endpoint",
            endpoint,
            "--s3-allow-http",
        ]
        .map(String::from)
        .to_vec()
    };
    let down = args(&endpoint, "some-bucket");
    let run = berth(&down.iter().map(String::as_str).collect::<Vec<_>>(), &keys).await;
    refused(
        &run,
        &["S3 storage s3://some-bucket/berth", &endpoint, "no answer"],
    );
    // One request, no retries.
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
    assert!(!data.exists(), "the data directory was created");

    let Some(moto) = crate::storage_contract::s3_endpoint() else {
        return;
    };
    let missing = format!("no-such-bucket-{}", uuid::Uuid::new_v4().simple());
    let run = berth(
        &args(&moto, &missing)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &keys,
    )
    .await;
    refused(
        &run,
        &[
            &format!("S3 storage s3://{missing}/berth"),
            &format!("bucket '{missing}' does not exist"),
        ],
    );
    assert!(!data.exists(), "the data directory was created");
}

#[tokio::test]
async fn a_weak_bootstrap_admin_password_stops_serve_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for (password, why) in [
        ("shrt7", "too short"),
        ("1234567890", "entirely numeric"),
        ("password1", "too common"),
    ] {
        let run = berth(
            &["serve", "--listen", "127.0.0.1:0", "--data-dir", s(&data)],
            &[("BERTH_ADMIN_PASSWORD", password)],
        )
        .await;
        refused(&run, &["the admin password", why]);
        assert!(!run.stderr.contains(password), "{}", run.stderr);
        assert!(!data.exists(), "the data directory was created");
    }
}
