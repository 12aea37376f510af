//! Operations: logs go to stderr (stdout of `berth admin …` stays clean), `--log-format json`
//! writes one JSON object per line, no colour codes reach a non-terminal, and `admin
//! create-user|set-password` read the password from stdin.
use crate::common::cli::Client;

#[tokio::test]
async fn admin_output_stays_on_stdout_and_json_log_lines_go_to_stderr_without_colour() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let out = Client::new()
        .run(&[
            "--log-format",
            "json",
            "--data-dir",
            data,
            "admin",
            "create-user",
            "bob",
            "--password",
            "a-long-enough-password-1",
        ])
        .await
        .ok();
    assert_eq!(out.stdout, "created user 'bob'\n");
    assert!(!out.stderr.contains('\u{1b}'), "{}", out.stderr);
    for line in out.stderr.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(v["level"].is_string() && v["message"].is_string(), "{line}");
    }
    let text = Client::new()
        .run(&["--data-dir", data, "admin", "list-users"])
        .await
        .ok();
    assert_eq!(text.stdout, "bob\tuser\n");
    assert!(!text.stderr.contains('\u{1b}'), "{}", text.stderr);
}

#[tokio::test]
async fn set_password_reads_the_new_password_from_stdin_and_never_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let cli = Client::new();
    cli.run_with_stdin(
        &["--data-dir", data, "admin", "create-user", "carol"],
        "first-password-of-carol\n",
    )
    .await
    .ok();
    let out = cli
        .run_with_stdin(
            &["--data-dir", data, "admin", "set-password", "carol"],
            "second-password-of-carol\n",
        )
        .await
        .ok();
    assert_eq!(out.stdout, "password of 'carol' changed\n");
    assert!(!out.stderr.contains("second-password"), "{}", out.stderr);
    let empty = cli
        .run_with_stdin(&["--data-dir", data, "admin", "set-password", "carol"], "")
        .await;
    assert_eq!(empty.code, 1);
    assert!(
        empty.stderr.contains("no password given"),
        "{}",
        empty.stderr
    );
}
