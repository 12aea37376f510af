//! `berth prune` on berth beyond the basics (`cli_berth`): `--keep-pulled-within` with berth's
//! pull dates, the aliases users of registry-cli and docker try, one size for an image in
//! `tags` and in prune's preview (config + layers) with the config's `created`, the table
//! form, and no temporary retention policy left behind by an interrupted prune (Ctrl-C at the
//! question, through a pseudo-terminal) or by one that was killed (swept by the next prune).
use crate::common::cli::{push, Client, Pty};
use crate::common::pulp::ADMIN;
use crate::common::TestApp;
use serde_json::{json, Value};

fn host(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

/// Pushes `ns/app:v0..v3`, created in 2020, in that order; their digests.
async fn four(app: &TestApp) -> Vec<String> {
    let mut out = vec![];
    for i in 0..4u64 {
        out.push(
            push(
                &app.base,
                Some(ADMIN),
                "ns/app",
                &format!("v{i}"),
                i + 1,
                "2020-01-01T00:00:00Z",
            )
            .await,
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    out
}

fn removed_tags(plan: &Value) -> Vec<String> {
    let mut v: Vec<String> = plan["preview"]["repositories"][0]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["tags"].as_array().unwrap().clone())
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

async fn temporary_policies(app: &TestApp) -> Vec<String> {
    app.api_get("/pulp/api/v3/retention_policies/?name__startswith=berth-prune-")
        .await["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn prune_keeps_what_was_pulled_within_the_span_and_answers_to_registry_cli_aliases() {
    let app = TestApp::spawn().await;
    let digests = four(&app).await;
    let pulled = app
        .get("/v2/ns/app/manifests/v1")
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .await
        .unwrap();
    assert_eq!(pulled.status(), 200);
    app.flush_pulls().await;
    let cli = Client::new();
    cli.write_auth(&host(&app), ADMIN.0, ADMIN.1);
    let repo = format!("{}/ns/app", host(&app));

    let plan = cli
        .run(&[
            "prune",
            &repo,
            "--keep-pulled-within",
            "1d",
            "--dry-run",
            "-o",
            "json",
        ])
        .await
        .ok()
        .json();
    assert_eq!(removed_tags(&plan), vec!["v0", "v2", "v3"], "{plan}");

    // registry-cli's --num and --keep-tags-like, docker's -f: the same plan as the long names.
    let long = cli
        .run(&[
            "prune",
            &repo,
            "--keep-last",
            "1",
            "--keep-tags",
            "v0",
            "--dry-run",
            "-o",
            "json",
        ])
        .await
        .ok()
        .json();
    let alias = cli
        .run(&[
            "prune",
            &repo,
            "--num",
            "1",
            "--keep-tags-like",
            "v0",
            "-f",
            "--dry-run",
            "-o",
            "json",
        ])
        .await
        .ok()
        .json();
    assert_eq!(removed_tags(&alias), vec!["v1", "v2"], "{alias}");
    assert_eq!(alias["preview"], long["preview"]);

    // One size for an image: tags shows what the preview frees for it (config + layers), and
    // the creation date from its config.
    let tags = cli.run(&["tags", &repo, "-o", "json"]).await.ok().json();
    let v1 = tags["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["digest"] == digests[1])
        .unwrap()
        .clone();
    let previewed = long["preview"]["repositories"][0]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["digest"] == digests[1])
        .unwrap()
        .clone();
    assert_eq!(v1["size"], previewed["size"], "{v1} vs {previewed}");
    assert_eq!(v1["created"], "2020-01-01T00:00:00Z", "{v1}");
    let table = cli.run(&["tags", &repo]).await.ok().stdout;
    let head = table.lines().next().unwrap();
    assert!(
        head.contains("PUSHED") && head.contains("CREATED"),
        "{table}"
    );
    assert!(table.contains("2020-01-01 00:00"), "{table}");
    assert!(table.ends_with("4 images, 4 tags\n"), "{table}");

    // The table form: every column starts where its heading does.
    let table = cli
        .run(&["prune", &repo, "--keep-last", "1", "--dry-run"])
        .await
        .ok()
        .stdout;
    let lines: Vec<&str> = table.lines().collect();
    let col = |s: &str| lines[0].find(s).unwrap();
    for row in &lines[1..4] {
        assert!(row.starts_with("ns/app"), "{table}");
        assert_eq!(
            &row[col("ACTION")..col("ACTION") + 12],
            "remove image",
            "{table}"
        );
        assert!(row[col("DIGEST")..].starts_with("sha256:"), "{table}");
        assert!(row[col("PUSHED")..].starts_with("20"), "{table}");
    }
    assert!(
        lines[4].starts_with("would remove 3 tags and 3 images in 1 repository;"),
        "{table}"
    );
    assert!(temporary_policies(&app).await.is_empty());

    // rm and gc in table form.
    let rm = cli
        .run(&["rm", &format!("{repo}:v3"), "--yes"])
        .await
        .ok()
        .stdout;
    assert_eq!(rm, "untagged ns/app:v3\n");
    let gc = cli
        .run(&["gc", &host(&app), "--dry-run", "--grace", "0s"])
        .await
        .ok()
        .stdout;
    assert!(
        gc.starts_with("would remove ") && gc.lines().count() == 1,
        "{gc}"
    );
}

#[tokio::test]
async fn an_interrupted_prune_deletes_its_temporary_policy_and_a_killed_ones_is_swept_later() {
    let app = TestApp::spawn().await;
    four(&app).await;
    let cli = Client::new();
    cli.write_auth(&host(&app), ADMIN.0, ADMIN.1);
    let repo = format!("{}/ns/app", host(&app));

    let command = format!("{} prune {repo} --keep-last 1", env!("CARGO_BIN_EXE_berth"));
    let mut pty = Pty::spawn(&cli, &command, &[]);
    pty.expect("Remove 3 tags and 3 images? [y/N]").await;
    assert_eq!(
        temporary_policies(&app).await.len(),
        1,
        "in use while asking"
    );
    pty.send("\x03").await;
    let (code, screen) = pty.finish().await;
    assert_eq!(code, 130, "{screen}");
    assert!(screen.contains("interrupted"), "{screen}");
    assert!(temporary_policies(&app).await.is_empty(), "{screen}");
    let tags = cli.run(&["tags", &repo, "-o", "json"]).await.ok().json();
    assert_eq!(
        tags["images"].as_array().unwrap().len(),
        4,
        "nothing removed"
    );

    // A prune killed outright leaves its policy; the next prune deletes it once it is stale
    // (an hour old), and leaves a younger one (another prune may be using it).
    for name in ["berth-prune-killed", "berth-prune-running"] {
        let (status, v) = app
            .api(
                reqwest::Method::POST,
                "/pulp/api/v3/retention_policies/",
                Some(
                    json!({"name": name, "repositories": ["ns/app"], "enabled": false,
                            "rules": [{"always": true}]}),
                ),
            )
            .await;
        assert_eq!(status, 201, "{v}");
    }
    let db = berth::repo::Db::connect(&app.settings.database_url)
        .await
        .unwrap();
    let old = chrono::Utc::now() - chrono::Duration::minutes(61);
    berth::repo::exec(
        &db.conn,
        "UPDATE retention_policies SET created_at = ? WHERE name = ?",
        vec![old.into(), "berth-prune-killed".into()],
    )
    .await
    .unwrap();
    cli.run(&["prune", &repo, "--keep-last", "1", "--dry-run"])
        .await
        .ok();
    assert_eq!(
        temporary_policies(&app).await,
        vec!["berth-prune-running".to_string()]
    );
}
