//! The client's errors, each one line with its own exit code (README "Cleaning up"): an
//! unknown repository (3) on berth and on distribution, https spoken to a plain-http registry
//! and plain http spoken to an https one or an untrusted certificate (9), pull dates asked of
//! a registry without them (7). Also the ways in: `berth login` on a terminal asks for the
//! password without echo, and a credential stored by the real `podman login` is used.
use crate::common::cli::{push, Client, Distribution, Pty, Run};
use crate::common::pulp::ADMIN;
use crate::common::TestApp;

fn host(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

/// The run failed with `code` and said so in one line naming `words`.
fn one_line(r: &Run, code: i32, words: &str) {
    assert_eq!(r.code, code, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    assert!(r.stderr.starts_with("berth: "), "{}", r.stderr);
    assert!(r.stderr.contains(words), "'{words}' in: {}", r.stderr);
}

#[tokio::test]
async fn unknown_repositories_and_scheme_mismatches_have_one_line_and_their_exit_codes() {
    let app = TestApp::spawn().await;
    push(
        &app.base,
        Some(ADMIN),
        "app",
        "1",
        1,
        "2020-01-01T00:00:00Z",
    )
    .await;
    let cli = Client::new();
    cli.write_auth(&host(&app), ADMIN.0, ADMIN.1);
    let h = host(&app);

    one_line(
        &cli.run(&["tags", &format!("{h}/nope")]).await,
        3,
        "no repository 'nope'",
    );
    one_line(
        &cli.run(&["rm", &format!("{h}/app:nope"), "--yes"]).await,
        3,
        "no tag 'nope'",
    );
    // berth serves plain http here: https to it fails the TLS handshake.
    one_line(
        &cli.run(&["ls", &format!("https://{h}")]).await,
        9,
        &format!("does the registry serve plain http? Then write http://{h}"),
    );
    // The scheme written is kept for the registry, and the credentials still found.
    let ls = cli
        .run(&["ls", &format!("http://{h}/"), "-o", "json"])
        .await
        .ok()
        .json();
    assert_eq!(ls["totals"]["repositories"], 1, "{ls}");

    // An https server (openssl's, self-signed): untrusted over https, refused over http.
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(made.status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept", &port.to_string()])
        .arg("-key")
        .arg(&key)
        .arg("-cert")
        .arg(&cert)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl s_server");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let tls = format!("127.0.0.1:{port}");
    one_line(
        &cli.run(&["ls", &format!("https://{tls}")]).await,
        9,
        "certificate is not trusted",
    );
    one_line(
        &cli.run(&["ls", &tls]).await,
        9,
        &format!("does it serve https? Then write https://{tls}"),
    );
    let _ = server.kill();
    let _ = server.wait();

    // Nothing listens: unreachable (6).
    one_line(&cli.run(&["ls", &tls]).await, 6, "cannot reach");
}

#[tokio::test]
async fn an_unknown_repository_on_distribution_and_pull_dates_it_lacks_are_clear_errors() {
    let Some(d) = Distribution::start().await else {
        return;
    };
    push(&d.base, None, "app", "1", 1, "2020-01-01T00:00:00Z").await;
    let cli = Client::new();
    one_line(
        &cli.run(&["tags", &format!("{}/nope", d.host)]).await,
        3,
        "no repository 'nope'",
    );
    one_line(
        &cli.run(&[
            "prune",
            &format!("{}/app", d.host),
            "--keep-pulled-within",
            "30d",
            "--dry-run",
        ])
        .await,
        7,
        "--keep-pulled-within works on berth only",
    );
}

#[tokio::test]
async fn login_on_a_terminal_asks_for_the_password_without_echo_and_podman_logins_are_used() {
    let app = TestApp::spawn().await;
    push(
        &app.base,
        Some(ADMIN),
        "app",
        "1",
        1,
        "2020-01-01T00:00:00Z",
    )
    .await;
    let h = host(&app);
    let cli = Client::new();
    let command = format!("{} login {h} -u {}", env!("CARGO_BIN_EXE_berth"), ADMIN.0);
    let mut pty = Pty::spawn(&cli, &command, &[]);
    pty.expect("Password: ").await;
    pty.send(&format!("{}\n", ADMIN.1)).await;
    let (code, screen) = pty.finish().await;
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Login succeeded"), "{screen}");
    assert!(
        !screen.contains(ADMIN.1),
        "the password was echoed: {screen}"
    );
    cli.run(&["ls", &h]).await.ok();

    // The real podman: `podman login` writes its auth file; berth reads it.
    let other = Client::new();
    let auth = other.home.path().join("auth.json");
    let store = other.home.path().join("podman");
    let out = tokio::process::Command::new("podman")
        .arg("--root")
        .arg(store.join("root"))
        .arg("--runroot")
        .arg(store.join("run"))
        .args(["--storage-driver", "vfs", "login", "--tls-verify=false"])
        .arg("--authfile")
        .arg(&auth)
        .args(["-u", ADMIN.0, "--password-stdin", &h])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("podman must be installed (apt-get install podman; .ci/run installs it)");
    let mut out = out;
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = out.stdin.take().unwrap();
        stdin.write_all(ADMIN.1.as_bytes()).await.unwrap();
    }
    let out = out.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "podman login: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = [("REGISTRY_AUTH_FILE", auth.display().to_string())];
    let ls = other
        .run_env(&["ls", &h, "-o", "json"], "", &env)
        .await
        .ok()
        .json();
    assert_eq!(ls["totals"]["repositories"], 1, "{ls}");
    assert!(
        !other.config_path().exists(),
        "read from podman's file only"
    );
}
