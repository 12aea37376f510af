//! The `berth` client's credentials and errors against berth (`TestApp`): wrong and missing
//! passwords, credential helpers, podman's auth file, anonymous reads with a token,
//! `BERTH_REGISTRY`, a user without rights, an unreachable registry; and multi-arch images.
use crate::common::cli::{push, push_index, Client};
use crate::common::pulp::ADMIN;
use crate::common::TestApp;
use serde_json::json;

fn host(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

async fn logged_in(app: &TestApp) -> Client {
    let cli = Client::new();
    let out = cli
        .run_with_stdin(
            &["login", &host(app), "-u", ADMIN.0, "--password-stdin"],
            ADMIN.1,
        )
        .await
        .ok();
    assert!(out.stdout.contains("Login succeeded"), "{}", out.stdout);
    cli
}

#[tokio::test]
async fn wrong_passwords_missing_credentials_and_unreachable_registries_have_their_exit_codes() {
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
    let bad = cli
        .run_with_stdin(
            &["login", &host(&app), "-u", ADMIN.0, "--password-stdin"],
            "wrong",
        )
        .await;
    assert_eq!(bad.code, 4, "{}", bad.stderr);
    assert!(!cli.config_path().exists(), "nothing stored");
    let none = cli
        .run(&["rm", &format!("{}/app:1", host(&app)), "--yes"])
        .await;
    assert_eq!(none.code, 4, "{}", none.stderr);
    assert!(none.stderr.contains("berth login"), "{}", none.stderr);
    cli.write_auth(&host(&app), ADMIN.0, "wrong");
    let wrong = cli.run(&["ls", &host(&app)]).await;
    assert_eq!(wrong.code, 4, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("refused the credentials of 'admin'"),
        "{}",
        wrong.stderr
    );
    cli.write_auth(&host(&app), ADMIN.0, ADMIN.1);
    cli.run(&["ls", &host(&app)]).await.ok();
    let out = cli.run(&["logout", &host(&app)]).await.ok();
    assert!(out.stdout.contains("Removed"), "{}", out.stdout);
    let down = cli.run(&["tags", "127.0.0.1:1/app"]).await;
    assert_eq!(down.code, 6, "{}", down.stderr);
    let usage = cli.run(&["tags", "app"]).await;
    assert_eq!(
        usage.code, 2,
        "no registry and no BERTH_REGISTRY: {}",
        usage.stderr
    );
}

#[tokio::test]
async fn credentials_come_from_a_credential_helper_podmans_auth_file_or_nowhere_for_public_reads() {
    let app = TestApp::spawn().await;
    push(
        &app.base,
        Some(ADMIN),
        "pub/app",
        "1",
        1,
        "2020-01-01T00:00:00Z",
    )
    .await;
    let cli = Client::new();
    let h = host(&app);

    // A docker credential helper named in credHelpers: `docker-credential-fake get`.
    let bin = cli.home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-fake");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread host\n[ \"$1\" = get ] && [ \"$host\" = \"{h}\" ] && echo '{{\"Username\":\"{}\",\"Secret\":\"{}\"}}' && exit 0\necho 'credentials not found'; exit 1\n",
            ADMIN.0, ADMIN.1
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(cli.home.path().join(".docker")).unwrap();
    std::fs::write(
        cli.config_path(),
        json!({"credHelpers": {h.clone(): "fake"}}).to_string(),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let ls = cli
        .run_env(&["ls", &h, "-o", "json"], "", &[("PATH", path)])
        .await
        .ok()
        .json();
    assert_eq!(ls["totals"]["repositories"], 1, "{ls}");

    // podman's auth.json (REGISTRY_AUTH_FILE), same format as docker's auths.
    std::fs::remove_file(cli.config_path()).unwrap();
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", ADMIN.0, ADMIN.1));
    let file = cli.home.path().join("auth.json");
    std::fs::write(
        &file,
        json!({"auths": {h.clone(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    let env = [("REGISTRY_AUTH_FILE", file.display().to_string())];
    let ls = cli
        .run_env(&["ls", &h, "-o", "json"], "", &env)
        .await
        .ok()
        .json();
    assert_eq!(ls["totals"]["repositories"], 1, "{ls}");

    // No credentials: a public repository is read through /v2/ with an anonymous token.
    let tags = cli
        .run(&["tags", &format!("{h}/pub/app"), "-o", "json"])
        .await
        .ok()
        .json();
    assert_eq!(tags["images"][0]["tags"], json!(["1"]), "{tags}");
    let env = [("BERTH_REGISTRY", h.clone())];
    let tags = cli
        .run_env(&["tags", "pub/app", "-o", "json"], "", &env)
        .await
        .ok()
        .json();
    assert_eq!(
        tags["images"][0]["platforms"],
        json!(["linux/amd64"]),
        "{tags}"
    );
}

#[tokio::test]
async fn a_user_without_rights_is_told_not_allowed_with_exit_code_5() {
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
    app.create_user("bob", "bob-password-1").await;
    let cli = Client::new();
    cli.write_auth(&host(&app), "bob", "bob-password-1");
    let rm = cli
        .run(&["rm", &format!("{}/app:1", host(&app)), "--yes"])
        .await;
    assert_eq!(rm.code, 5, "{}\n{}", rm.stdout, rm.stderr);
    assert!(
        rm.stderr.contains("not allowed for user 'bob'"),
        "{}",
        rm.stderr
    );
    let gc = cli.run(&["gc", &host(&app), "--dry-run"]).await;
    assert_eq!(gc.code, 5, "{}", gc.stderr);
    let tags = cli
        .run(&["tags", &format!("{}/app", host(&app)), "-o", "json"])
        .await
        .ok()
        .json();
    assert_eq!(
        tags["images"][0]["tags"],
        json!(["1"]),
        "reading is allowed: {tags}"
    );
}

#[tokio::test]
async fn tags_show_a_multi_arch_index_as_one_image_with_its_platforms_on_berth_and_distribution() {
    let app = TestApp::spawn().await;
    let d = crate::common::cli::Distribution::start().await;
    let cli = logged_in(&app).await;
    let mut targets = vec![(app.base.clone(), Some(ADMIN), host(&app))];
    if let Some(d) = &d {
        targets.push((d.base.clone(), None, d.host.clone()));
    }
    for (base, auth, h) in targets {
        let index = push_index(&base, auth, "multi", "1.0").await;
        let tags = cli
            .run(&["tags", &format!("{h}/multi"), "-o", "json"])
            .await
            .ok()
            .json();
        let img = tags["images"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["digest"] == index)
            .unwrap()
            .clone();
        assert_eq!(img["tags"], json!(["1.0"]), "{h}: {tags}");
        assert_eq!(
            img["platforms"],
            json!(["linux/amd64", "linux/arm64"]),
            "{h}: {tags}"
        );
        assert!(
            img["size"].as_i64().unwrap() > 4000,
            "{h}: the images' bytes: {img}"
        );
    }
}
