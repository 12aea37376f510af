//! The `berth` client against a real CNCF distribution 2.8 (`docker-registry`): listings with
//! dates from the image config, tag-only removal by the placeholder workaround, digest
//! removal, prune (dry run, then the same removals), and what only berth can do refused with
//! exit code 7. Skipped with a message when `docker-registry` is absent (CI installs it).
use crate::common::cli::{push, tag, Client, Distribution};

const OLD: &str = "2020-01-01T00:00:00Z";
const NEW: &str = "2030-01-01T00:00:00Z";

#[tokio::test]
async fn ls_and_tags_show_a_distribution_registry_with_dates_from_the_image_config() {
    let Some(d) = Distribution::start().await else {
        return;
    };
    let a = push(&d.base, None, "team/app", "1.0", 1, OLD).await;
    tag(&d.base, None, "team/app", &a, "stable").await;
    push(&d.base, None, "team/app", "2.0", 2, NEW).await;
    push(&d.base, None, "other", "latest", 3, OLD).await;
    let cli = Client::new();

    let ls = cli.run(&["ls", &d.host, "-o", "json"]).await.ok().json();
    let repos = ls["repositories"].as_array().unwrap();
    assert_eq!(repos.len(), 2, "{ls}");
    let app = repos.iter().find(|r| r["name"] == "team/app").unwrap();
    assert_eq!(app["tags"], 3);
    assert!(app["size"].as_i64().unwrap() > 4000, "{app}");
    assert_eq!(ls["totals"]["tags"], 4);
    let table = cli
        .run(&["ls", &format!("{}/team", d.host)])
        .await
        .ok()
        .stdout;
    assert!(table.starts_with("REPOSITORY"), "{table}");
    assert!(
        table.contains("team/app") && !table.contains("other"),
        "{table}"
    );
    assert!(table.contains("TOTAL (1 repository)"), "{table}");

    let tags = cli
        .run(&["tags", &format!("{}/team/app", d.host), "-o", "json"])
        .await
        .ok()
        .json();
    let images = tags["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "{tags}");
    assert_eq!(
        images[0]["tags"],
        serde_json::json!(["2.0"]),
        "newest first"
    );
    assert_eq!(images[1]["tags"], serde_json::json!(["1.0", "stable"]));
    assert_eq!(images[1]["digest"], a);
    assert_eq!(images[1]["created"], "2020-01-01T00:00:00Z");
    assert_eq!(images[1]["platforms"], serde_json::json!(["linux/amd64"]));
    let table = cli
        .run(&[
            "tags",
            &format!("{}/team/app", d.host),
            "--include",
            "1.*|stable",
        ])
        .await
        .ok()
        .stdout;
    assert!(
        table.contains("1.0, stable") && !table.contains("2.0"),
        "{table}"
    );
    assert!(table.contains("2020-01-01 00:00"), "{table}");
}

#[tokio::test]
async fn rm_of_a_tag_on_distribution_leaves_its_siblings_and_rm_of_a_digest_names_them() {
    let Some(d) = Distribution::start().await else {
        return;
    };
    let a = push(&d.base, None, "app", "1.0", 1, OLD).await;
    tag(&d.base, None, "app", &a, "stable").await;
    let b = push(&d.base, None, "app", "2.0", 2, NEW).await;
    tag(&d.base, None, "app", &b, "latest").await;
    let cli = Client::new();
    let repo = format!("{}/app", d.host);

    let no = cli.run(&["rm", &format!("{repo}:1.0")]).await;
    assert_eq!(no.code, 8, "no terminal, no --yes: {}", no.stderr);
    let out = cli.run(&["rm", &format!("{repo}:1.0"), "--yes"]).await.ok();
    assert!(out.stdout.contains("untagged app:1.0"), "{}", out.stdout);
    let tags = cli.run(&["tags", &repo, "-o", "json"]).await.ok().json();
    let names: Vec<_> = tags["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["tags"].clone())
        .collect();
    assert_eq!(
        names,
        vec![
            serde_json::json!(["2.0", "latest"]),
            serde_json::json!(["stable"])
        ]
    );

    let out = cli
        .run(&["rm", &format!("{repo}@{b}"), "--yes", "-o", "json"])
        .await
        .ok()
        .json();
    assert_eq!(
        out["removed"][0]["tags"],
        serde_json::json!(["2.0", "latest"])
    );
    let tags = cli.run(&["tags", &repo, "-o", "json"]).await.ok().json();
    assert_eq!(tags["images"].as_array().unwrap().len(), 1, "{tags}");
    let gone = cli.run(&["rm", &format!("{repo}:nope"), "--yes"]).await;
    assert_eq!(gone.code, 3, "{}", gone.stderr);
}

#[tokio::test]
async fn prune_on_distribution_removes_exactly_what_its_dry_run_listed() {
    let Some(d) = Distribution::start().await else {
        return;
    };
    for (i, created) in ["2020-01-01", "2020-02-01", "2020-03-01", "2030-01-01"]
        .iter()
        .enumerate()
    {
        push(
            &d.base,
            None,
            "app",
            &format!("v{i}"),
            i as u64 + 1,
            &format!("{created}T00:00:00Z"),
        )
        .await;
    }
    let cli = Client::new();
    let repo = format!("{}/app", d.host);
    let args = [
        "prune",
        &repo,
        "--keep-last",
        "1",
        "--older-than",
        "30d",
        "--keep-tags",
        "v0",
    ];
    let mut dry: Vec<&str> = args.to_vec();
    dry.extend(["--dry-run", "-o", "json"]);
    let plan = cli.run(&dry).await.ok().json();
    let mut removed: Vec<_> = plan["preview"]["repositories"][0]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tags"][0].as_str().unwrap().to_string())
        .collect();
    removed.sort();
    assert_eq!(removed, vec!["v1", "v2"], "{plan}");
    let tags = cli.run(&["tags", &repo, "-o", "json"]).await.ok().json();
    assert_eq!(
        tags["images"].as_array().unwrap().len(),
        4,
        "the dry run changed nothing"
    );

    let mut table: Vec<&str> = args.to_vec();
    table.push("--dry-run");
    let table = cli.run(&table).await.ok().stdout;
    let head = table.lines().next().unwrap();
    assert!(
        head.contains("CREATED") && !head.contains("PUSHED"),
        "the image config's dates: {table}"
    );
    assert!(
        table.contains("would remove 2 tags and 2 images in 1 repository; ")
            && table.contains("after the registry's garbage collection"),
        "{table}"
    );

    let mut real: Vec<&str> = args.to_vec();
    real.extend(["--yes"]);
    let done = cli.run(&real).await.ok().stdout;
    assert!(done.contains("removed 2 tags and 2 images"), "{done}");
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
    assert_eq!(left, vec!["v0", "v3"]);
}

#[tokio::test]
async fn gc_and_repository_removal_are_refused_on_distribution_with_exit_code_7() {
    let Some(d) = Distribution::start().await else {
        return;
    };
    push(&d.base, None, "app", "1", 1, OLD).await;
    let cli = Client::new();
    let gc = cli.run(&["gc", &d.host, "--dry-run"]).await;
    assert_eq!(gc.code, 7, "{}", gc.stderr);
    assert!(gc.stderr.contains("garbage-collect"), "{}", gc.stderr);
    let rm = cli
        .run(&["rm", "--repository", &format!("{}/app", d.host), "--yes"])
        .await;
    assert_eq!(rm.code, 7, "{}", rm.stderr);
    let down = cli.run(&["ls", "127.0.0.1:1"]).await;
    assert_eq!(down.code, 6, "{}", down.stderr);
    assert!(down.stderr.contains("cannot reach"), "{}", down.stderr);
}
