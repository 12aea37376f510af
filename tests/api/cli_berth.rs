//! The `berth` client against berth itself (`TestApp`): login into docker's config.json,
//! listings from the Pulp API, tag-only and image removal through the repository's tasks,
//! repository removal, prune through a temporary retention policy's preview and run (the
//! policy is gone afterwards), gc's dry run and run with bytes, tasks, and the error exit codes.
use crate::common::cli::{push, tag, Client};
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
async fn login_stores_credentials_in_config_json_and_ls_and_tags_read_the_pulp_api() {
    let app = TestApp::spawn().await;
    let base = app.base.clone();
    let a = push(
        &base,
        Some(ADMIN),
        "team/app",
        "1.0",
        1,
        "2020-01-01T00:00:00Z",
    )
    .await;
    tag(&base, Some(ADMIN), "team/app", &a, "stable").await;
    push(
        &base,
        Some(ADMIN),
        "team/app",
        "2.0",
        2,
        "2020-01-01T00:00:00Z",
    )
    .await;
    push(
        &base,
        Some(ADMIN),
        "solo/db",
        "1",
        3,
        "2020-01-01T00:00:00Z",
    )
    .await;
    let cli = logged_in(&app).await;
    let cfg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cli.config_path()).unwrap()).unwrap();
    assert!(cfg["auths"][host(&app)]["auth"].is_string(), "{cfg}");

    let ls = cli
        .run(&["ls", &host(&app), "-o", "json"])
        .await
        .ok()
        .json();
    let repos = ls["repositories"].as_array().unwrap();
    assert_eq!(repos.len(), 2, "{ls}");
    let app_line = repos.iter().find(|r| r["name"] == "team/app").unwrap();
    assert_eq!(app_line["tags"], 3);
    assert!(app_line["size"].as_i64().unwrap() > 4000, "{app_line}");
    assert!(app_line["last_push"].is_string(), "{app_line}");
    assert_eq!(ls["totals"]["tags"], 4);
    let table = cli
        .run(&["ls", &format!("{}/team", host(&app))])
        .await
        .ok()
        .stdout;
    assert!(
        table.contains("team/app") && !table.contains("solo/db"),
        "{table}"
    );
    assert!(table.contains("TOTAL (1 repository)"), "{table}");

    let repo = format!("{}/team/app", host(&app));
    let tags = cli.run(&["tags", &repo, "-o", "json"]).await.ok().json();
    let images = tags["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "{tags}");
    let first = images.iter().find(|i| i["digest"] == a).unwrap();
    assert_eq!(first["tags"], json!(["1.0", "stable"]));
    assert_eq!(first["platforms"], json!(["linux/amd64"]));
    assert!(first["pushed"].is_string() && first["size"].as_i64().unwrap() > 2000);
    let table = cli
        .run(&["tags", &repo, "--exclude", "stable|1.*"])
        .await
        .ok()
        .stdout;
    assert!(
        table.contains("2.0") && !table.contains("stable"),
        "{table}"
    );
    assert!(table.contains("1 image, 1 tag"), "{table}");
}

#[tokio::test]
async fn rm_on_berth_untags_only_the_tag_removes_images_with_their_tags_and_whole_repositories() {
    let app = TestApp::spawn().await;
    let base = app.base.clone();
    let a = push(&base, Some(ADMIN), "app", "1.0", 1, "2020-01-01T00:00:00Z").await;
    tag(&base, Some(ADMIN), "app", &a, "stable").await;
    let b = push(&base, Some(ADMIN), "app", "2.0", 2, "2020-01-01T00:00:00Z").await;
    tag(&base, Some(ADMIN), "app", &b, "latest").await;
    push(&base, Some(ADMIN), "gone", "1", 3, "2020-01-01T00:00:00Z").await;
    let cli = logged_in(&app).await;
    let repo = format!("{}/app", host(&app));

    let refused = cli.run(&["rm", &format!("{repo}:1.0")]).await;
    assert_eq!(refused.code, 8, "{}", refused.stderr);
    cli.run(&["rm", &format!("{repo}:1.0"), "--yes"]).await.ok();
    let tags = cli
        .run(&["tags", &repo, "--sort", "name", "-o", "json"])
        .await
        .ok()
        .json();
    let names: Vec<_> = tags["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["tags"].clone())
        .collect();
    assert_eq!(
        names,
        vec![json!(["2.0", "latest"]), json!(["stable"])],
        "{tags}"
    );

    let out = cli
        .run(&["rm", &format!("{repo}@{b}"), "--yes", "-o", "json"])
        .await
        .ok()
        .json();
    assert_eq!(out["removed"][0]["tags"], json!(["2.0", "latest"]), "{out}");
    let tags = cli.run(&["tags", &repo, "-o", "json"]).await.ok().json();
    assert_eq!(tags["images"].as_array().unwrap().len(), 1, "{tags}");
    let missing = cli.run(&["rm", &format!("{repo}:nope"), "--yes"]).await;
    assert_eq!(missing.code, 3, "{}", missing.stderr);

    cli.run(&[
        "rm",
        "--repository",
        &format!("{}/gone", host(&app)),
        "--yes",
    ])
    .await
    .ok();
    let ls = cli
        .run(&["ls", &host(&app), "-o", "json"])
        .await
        .ok()
        .json();
    let names: Vec<_> = ls["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("app")]);
}

#[tokio::test]
async fn prune_on_berth_previews_through_the_server_and_removes_exactly_what_the_dry_run_listed() {
    let app = TestApp::spawn().await;
    let base = app.base.clone();
    for i in 0..4u64 {
        push(
            &base,
            Some(ADMIN),
            "ns/app",
            &format!("v{i}"),
            i + 1,
            "2020-01-01T00:00:00Z",
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let cli = logged_in(&app).await;
    let repo = format!("{}/ns/app", host(&app));
    let args = [
        "prune",
        &repo,
        "--keep-last",
        "1",
        "--keep-tags",
        "v0",
        "--undo-window",
        "0s",
    ];
    let mut dry = args.to_vec();
    dry.extend(["--dry-run", "-o", "json"]);
    let plan = cli.run(&dry).await.ok().json();
    let mut removed: Vec<String> = plan["preview"]["repositories"][0]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tags"][0].as_str().unwrap().to_string())
        .collect();
    removed.sort();
    assert_eq!(removed, vec!["v1", "v2"], "{plan}");
    assert!(
        plan["preview"]["totals"]["bytes_freed"].as_i64().unwrap() > 4000,
        "{plan}"
    );
    let tags = cli.run(&["tags", &repo, "-o", "json"]).await.ok().json();
    assert_eq!(
        tags["images"].as_array().unwrap().len(),
        4,
        "the dry run changed nothing"
    );

    let mut real = args.to_vec();
    real.extend(["--yes", "-o", "json"]);
    let done = cli.run(&real).await.ok().json();
    assert_eq!(done["run"]["state"], "completed", "{done}");
    let tags = cli
        .run(&["tags", &repo, "--sort", "name", "-o", "json"])
        .await
        .ok()
        .json();
    let left: Vec<_> = tags["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["tags"][0].clone())
        .collect();
    assert_eq!(left, vec![json!("v0"), json!("v3")]);
    let policies = app.api_get("/pulp/api/v3/retention_policies/").await;
    assert_eq!(
        policies["count"], 0,
        "the temporary policy is gone: {policies}"
    );

    // gc: the dry run reports the bytes and removes nothing; the run removes them.
    let host = host(&app);
    let dry = cli
        .run(&["gc", &host, "--dry-run", "--grace", "0s", "-o", "json"])
        .await
        .ok()
        .json();
    let bytes = dry["result"]["bytes"].as_i64().unwrap();
    assert!(bytes > 4000, "{dry}");
    let again = cli
        .run(&["gc", &host, "--dry-run", "--grace", "0s", "-o", "json"])
        .await
        .ok()
        .json();
    assert_eq!(again["result"]["bytes"], bytes, "a dry run removes nothing");
    let refused = cli.run(&["gc", &host, "--grace", "0s"]).await;
    assert_eq!(refused.code, 8, "{}", refused.stderr);
    let run = cli
        .run(&[
            "gc", &host, "--grace", "0s", "--wait", "--yes", "-o", "json",
        ])
        .await
        .ok()
        .json();
    assert_eq!(run["result"]["bytes"], bytes, "{run}");
    let after = cli
        .run(&["gc", &host, "--dry-run", "--grace", "0s", "-o", "json"])
        .await
        .ok()
        .json();
    assert_eq!(after["result"]["bytes"], 0, "{after}");
    let tasks = cli.run(&["tasks", &host]).await.ok().stdout;
    assert!(
        tasks.starts_with("STATE") && tasks.contains("completed"),
        "{tasks}"
    );
}
