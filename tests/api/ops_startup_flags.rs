//! The command line a newcomer types: `--listen localhost:PORT` and `--listen :PORT` work, a
//! bare path as storage URL is answered with the `file://` URL it meant, boolean flags are
//! switches, `--help` shows defaults and variables on the commands that use them; the first
//! start prints where everything is (and no colour without a terminal); Swagger UI reads the
//! `?pk_path=1` document and `swagger` redirects to `swagger/`.
use crate::common::TestApp;
use crate::ops_startup::{berth, closed_port, refused};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// A `berth serve` whose stderr has been read up to its banner's last line.
struct Served {
    child: tokio::process::Child,
    log: Vec<String>,
}

async fn serve(args: &[&str], env: &[(&str, &str)]) -> Served {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = vec![];
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let last = line.contains("docker login");
            log.push(line);
            if last {
                return;
            }
        }
        panic!("berth stopped before its banner: {log:#?}");
    };
    tokio::time::timeout(Duration::from_secs(120), read)
        .await
        .expect("no banner within 120 s");
    Served { child, log }
}

impl Served {
    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

async fn livez(port: u16) -> reqwest::StatusCode {
    reqwest::get(format!("http://127.0.0.1:{port}/livez"))
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn first_start_prints_the_urls_the_password_file_and_a_login_line_without_colour() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = closed_port();
    let listen = format!("127.0.0.1:{port}");
    let served = serve(
        &[
            "serve",
            "--data-dir",
            data.to_str().unwrap(),
            "--listen",
            &listen,
        ],
        &[("NO_COLOR", "")],
    )
    .await;
    let text = served.log.join("\n");
    assert!(
        !text.contains('\u{1b}'),
        "colour codes without a terminal:\n{text}"
    );
    let at = format!("localhost:{port}");
    let password_file = data.join("admin-password");
    for expected in [
        format!("http://{at}/v2/"),
        format!("http://{at}/pulp/api/v3/"),
        format!("http://{at}/pulp/api/v3/swagger/"),
        format!("http://{at}/ui/"),
        password_file.display().to_string(),
        format!("docker login {at} -u admin"),
    ] {
        assert!(text.contains(&expected), "{expected:?} not in:\n{text}");
    }
    let ready = served
        .log
        .iter()
        .position(|l| l.contains("berth is ready"))
        .unwrap_or_else(|| panic!("no 'berth is ready' in:\n{text}"));
    let migration_lines = served.log[..ready]
        .iter()
        .filter(|l| l.to_lowercase().contains("migrat"))
        .count();
    assert!(
        migration_lines <= 2,
        "{migration_lines} migration lines:\n{text}"
    );
    assert!(ready <= 6, "{ready} lines before the banner:\n{text}");
    assert!(password_file.exists());
    served.stop().await;
}

#[tokio::test]
async fn listen_accepts_localhost_and_a_bare_port() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let port = closed_port();
    let named = serve(
        &[
            "serve",
            "--data-dir",
            data,
            "--listen",
            &format!("localhost:{port}"),
        ],
        &[],
    )
    .await;
    assert_eq!(livez(port).await, 200);
    named.stop().await;

    let port = closed_port();
    let bare = serve(
        &["serve", "--data-dir", data, "--listen", &format!(":{port}")],
        &[],
    )
    .await;
    assert_eq!(livez(port).await, 200);
    bare.stop().await;

    for bad in [
        "24817",
        "localhost:",
        "localhost:99999",
        "no-such-host.invalid:1",
    ] {
        let run = berth(&["serve", "--data-dir", data, "--listen", bad], &[]).await;
        refused(&run, &[&format!("listen address '{bad}'")]);
    }
}

#[tokio::test]
async fn a_storage_url_without_a_scheme_is_answered_with_the_file_url_it_meant() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let blobs = dir.path().join("blobs");
    let run = berth(
        &[
            "serve",
            "--data-dir",
            data.to_str().unwrap(),
            "--storage-url",
            blobs.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    refused(
        &run,
        &[
            &format!("storage URL '{}' has no scheme", blobs.display()),
            &format!("file://{}", blobs.display()),
        ],
    );
    assert!(!data.exists() && !blobs.exists());
}

#[tokio::test]
async fn boolean_flags_are_plain_switches() {
    // The switch parses alone, before or after the subcommand, and with an explicit value;
    // `health` then fails only because nothing answers (1), never as a usage error (2).
    let url = format!("http://127.0.0.1:{}", closed_port());
    for args in [
        vec!["--s3-allow-http", "health", "--url", &url],
        vec!["health", "--s3-allow-http", "--url", &url],
        vec!["health", "--s3-allow-http=false", "--url", &url],
    ] {
        let run = berth(&args, &[]).await;
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("/readyz"), "{}", run.stderr);
    }
    let run = berth(
        &["health", "--url", &url],
        &[("BERTH_S3_ALLOW_HTTP", "true")],
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[tokio::test]
async fn help_shows_defaults_and_variables_on_the_server_commands() {
    for command in ["serve", "worker", "migrate", "admin"] {
        let run = berth(&[command, "--help"], &[]).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        for expected in [
            "--listen",
            "[default: 127.0.0.1:24817]",
            "BERTH_LISTEN",
            "--data-dir",
            "[default: ./berth-data]",
            "--storage-url",
            "BERTH_STORAGE_URL",
            "--workers",
            "[default: 2]",
        ] {
            assert!(
                run.stdout.contains(expected),
                "`berth {command} --help` lacks {expected:?}:\n{}",
                run.stdout
            );
        }
    }
    // Grouped apart from a command's own options.
    let run = berth(&["serve", "--help"], &[]).await;
    assert!(run.stdout.contains("Server settings:"), "{}", run.stdout);
}

#[tokio::test]
async fn the_clients_commands_do_not_list_the_server_settings_yet_accept_them_anywhere() {
    for command in ["ls", "tags", "rm", "prune", "gc", "tasks", "login", "clean"] {
        let run = berth(&[command, "--help"], &[]).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        for absent in [
            "--data-dir",
            "--storage-url",
            "--workers",
            "Server settings",
            "--config",
        ] {
            assert!(
                !run.stdout.contains(absent),
                "`berth {command} --help` lists {absent:?}:\n{}",
                run.stdout
            );
        }
    }
    // Global flags still parse before and after a server command.
    for args in [
        &["--data-dir", "/nonexistent/x", "migrate", "--help"][..],
        &["migrate", "--data-dir", "/nonexistent/x", "--help"][..],
    ] {
        let run = berth(args, &[]).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
}

#[tokio::test]
async fn swagger_ui_reads_the_pk_path_document_and_the_bare_path_redirects_to_the_slash_form() {
    let app = TestApp::spawn().await;
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/pulp/api/v3/swagger"))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 308);
    assert_eq!(bare.headers()["location"], "/pulp/api/v3/swagger/");
    let followed = app.get("/pulp/api/v3/swagger").send().await.unwrap();
    assert_eq!(followed.status(), 200);
    assert!(followed.text().await.unwrap().contains("swagger-ui"));

    let init = app
        .get("/pulp/api/v3/swagger/swagger-initializer.js")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        init.contains("\"/pulp/api/v3/docs/api.json?pk_path=1\""),
        "{init}"
    );
    // That document's detail operations take a plain id, which a browser can put in a URL.
    let doc: serde_json::Value = app
        .get("/pulp/api/v3/docs/api.json?pk_path=1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/pulp/api/v3/tasks/{pulp_id}/"]["get"].is_object());
    assert!(doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .all(|k| !k.contains("_href}")));
}
