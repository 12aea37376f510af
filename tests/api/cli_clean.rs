//! `berth clean`, the interactive flow, driven through a pseudo-terminal (util-linux `script`,
//! which feeds our input to the terminal): pick the repository, filter, pick an image,
//! confirm, then decline garbage collection; the image and only it is gone. Without a
//! terminal the command refuses with exit code 2.
use crate::common::cli::{push, tag, Client};
use crate::common::pulp::ADMIN;
use crate::common::TestApp;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

async fn in_terminal(cli: &Client, command: &str, input: &str) -> (i32, String) {
    let mut child = tokio::process::Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .env("HOME", cli.home.path())
        .env("DOCKER_CONFIG", cli.home.path().join(".docker"))
        .env_remove("BERTH_REGISTRY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux script");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
    )
}

#[tokio::test]
async fn clean_picks_a_repository_then_images_by_number_and_removes_only_those() {
    let app = TestApp::spawn().await;
    let base = app.base.clone();
    let a = push(
        &base,
        Some(ADMIN),
        "big/app",
        "1.0",
        50,
        "2020-01-01T00:00:00Z",
    )
    .await;
    tag(&base, Some(ADMIN), "big/app", &a, "old").await;
    push(
        &base,
        Some(ADMIN),
        "big/app",
        "2.0",
        51,
        "2020-01-01T00:00:00Z",
    )
    .await;
    push(&base, Some(ADMIN), "small", "1", 1, "2020-01-01T00:00:00Z").await;
    let host = app.base.trim_start_matches("http://").to_string();
    let cli = Client::new();
    cli.write_auth(&host, ADMIN.0, ADMIN.1);

    let no_tty = cli.run(&["clean", &host]).await;
    assert_eq!(no_tty.code, 2, "{}", no_tty.stderr);

    let command = format!("{} clean {host}", env!("CARGO_BIN_EXE_berth"));
    // Repository 1 (the biggest), filter on "old", image 1, yes, no dry run of gc.
    let (code, screen) = in_terminal(&cli, &command, "1\n/old\n1\ny\nn\n").await;
    assert_eq!(code, 0, "{screen}");
    let biggest = screen
        .lines()
        .find(|l| l.starts_with("1 "))
        .unwrap_or_default();
    assert!(biggest.contains("big/app"), "sorted by size: {screen}");
    assert!(screen.contains("TOTAL"), "{screen}");
    assert!(screen.contains("1 image, 2 tags"), "{screen}");
    assert!(
        screen.contains(&format!("removed big/app@{a} and its tags 1.0, old")),
        "{screen}"
    );

    let tags = cli
        .run(&["tags", &format!("{host}/big/app"), "-o", "json"])
        .await
        .ok()
        .json();
    let left: Vec<_> = tags["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["tags"].clone())
        .collect();
    assert_eq!(left, vec![serde_json::json!(["2.0"])], "{tags}");

    // `berth` alone on a terminal is `berth clean` on BERTH_REGISTRY; quitting changes nothing.
    let bare = format!("env BERTH_REGISTRY={host} {}", env!("CARGO_BIN_EXE_berth"));
    let (code, screen) = in_terminal(&cli, &bare, "q\n").await;
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("REPOSITORY") && screen.contains("big/app"),
        "{screen}"
    );
}
