//! The web UI's cleanup schedule: a superuser adds, changes and removes an orphan cleanup
//! schedule on the Cleanup page (the API's task schedules show it), the Overview says when
//! cleanup last ran and runs next; anyone else gets 404 and a hand-made POST changes nothing;
//! a POST without the CSRF token is refused.
use crate::common::oci::bytes;
use crate::common::pulp::ADMIN;
use crate::common::ui::Browser;
use crate::common::TestApp;

const LIST: &str = "/pulp/api/v3/task-schedules/";
const ORPHANS: &str = "pulpcore.app.tasks.orphan.orphan_cleanup";

#[tokio::test]
async fn a_superuser_adds_changes_and_removes_an_orphan_cleanup_schedule() {
    let app = TestApp::spawn_with(|s| s.orphan_cleanup_interval_hours = 0).await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let page = b.get("/ui/cleanup/").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Next cleanup: <strong>none scheduled</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Built-in: off"));
    let overview = b.get("/ui/").await;
    assert!(
        overview.body.contains("none scheduled</a> next cleanup"),
        "{}",
        overview.body
    );
    assert!(overview
        .body
        .contains("<span class=\"figure when\">none</span> last cleanup"));
    let csrf = page.csrf();

    let tiny = b
        .post(
            "/ui/cleanup/schedules",
            &[
                ("csrf", &csrf),
                ("name", "gc"),
                ("every", "0"),
                ("unit", "hours"),
            ],
        )
        .await;
    assert_eq!(tiny.status, 400, "{}", tiny.body);
    let odd = b
        .post(
            "/ui/cleanup/schedules",
            &[
                ("csrf", &csrf),
                ("name", "gc"),
                ("every", "2"),
                ("unit", "weeks"),
            ],
        )
        .await;
    assert_eq!(odd.status, 400);
    assert_eq!(app.api_get(LIST).await["count"], 0);

    let p = b
        .post(
            "/ui/cleanup/schedules",
            &[
                ("csrf", &csrf),
                ("name", "nightly gc"),
                ("every", "6"),
                ("unit", "hours"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/ui/cleanup/#schedule"));
    let s = app.api_one(&format!("{LIST}?name=nightly%20gc")).await;
    assert_eq!(s["task_name"], ORPHANS);
    assert_eq!(s["dispatch_interval"], "06:00:00");
    let id = s["pulp_href"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let page = b.get("/ui/cleanup/").await;
    assert!(
        page.body.contains("nightly gc") && page.body.contains("every 6 hours"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("none scheduled"));
    let overview = b.get("/ui/").await;
    assert!(
        !overview.body.contains("none scheduled"),
        "{}",
        overview.body
    );

    let p = b
        .post(
            &format!("/ui/cleanup/schedules/{id}"),
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("every", "2"),
                ("unit", "days"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        app.api_get(s["pulp_href"].as_str().unwrap()).await["dispatch_interval"],
        "2 00:00:00"
    );

    let p = b
        .post(
            &format!("/ui/cleanup/schedules/{id}"),
            &[("csrf", &csrf), ("action", "remove")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(app.api_get(LIST).await["count"], 0);
    let gone = b
        .post(
            &format!("/ui/cleanup/schedules/{id}"),
            &[("csrf", &csrf), ("action", "remove")],
        )
        .await;
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn the_overview_names_the_last_real_cleanup_and_the_built_in_schedule() {
    let app = TestApp::spawn_with(|s| s.orphan_cleanup_interval_hours = 24).await;
    app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let csrf = b.get("/ui/cleanup/").await.csrf();
    for bad in ["-1", "ten", "4294967296"] {
        let p = b
            .post(
                "/ui/cleanup/",
                &[("csrf", &csrf), ("mode", "dry_run"), ("protection", bad)],
            )
            .await;
        assert_eq!(p.status, 400, "{bad}: {}", p.body);
    }
    let dry = b
        .post(
            "/ui/cleanup/",
            &[("csrf", &csrf), ("mode", "dry_run"), ("protection", "0")],
        )
        .await;
    let loc = dry.location.unwrap();
    let id = loc.trim_start_matches("/ui/tasks/").trim_end_matches('/');
    app.task_done(&format!("/pulp/api/v3/tasks/{id}/")).await;
    let o = b.get("/ui/").await;
    assert!(
        o.body
            .contains("<span class=\"figure when\">none</span> last cleanup"),
        "a dry run is no cleanup: {}",
        o.body
    );
    let run = b
        .post("/ui/cleanup/", &[("csrf", &csrf), ("mode", "run")])
        .await;
    let loc = run.location.unwrap();
    let id = loc.trim_start_matches("/ui/tasks/").trim_end_matches('/');
    app.task_done(&format!("/pulp/api/v3/tasks/{id}/")).await;
    let o = b.get("/ui/").await;
    assert!(
        !o.body
            .contains("<span class=\"figure when\">none</span> last cleanup"),
        "{}",
        o.body
    );
    assert!(
        o.body.contains("<span class=\"figure\">1</span> tags"),
        "{}",
        o.body
    );
    let page = b.get("/ui/cleanup/").await;
    assert!(page.body.contains("Built-in: every day"), "{}", page.body);
}

#[tokio::test]
async fn only_superusers_reach_the_schedule_editor_even_by_a_hand_made_post() {
    let app = TestApp::spawn().await;
    app.create_user("dev", "pw-dev-12345").await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let csrf = b.get("/ui/cleanup/").await.csrf();
    b.post(
        "/ui/cleanup/schedules",
        &[
            ("csrf", &csrf),
            ("name", "gc"),
            ("every", "1"),
            ("unit", "days"),
        ],
    )
    .await;
    let s = app.api_one(LIST).await;
    let id = s["pulp_href"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();

    let no_token = b
        .post(
            "/ui/cleanup/schedules",
            &[("name", "other"), ("every", "1"), ("unit", "days")],
        )
        .await;
    assert_eq!(no_token.status, 403, "{}", no_token.body);
    let no_token = b
        .post(
            &format!("/ui/cleanup/schedules/{id}"),
            &[("action", "remove")],
        )
        .await;
    assert_eq!(no_token.status, 403);

    let d = Browser::new(&app);
    d.sign_in("dev", "pw-dev-12345").await;
    let overview = d.get("/ui/").await;
    assert!(!overview.body.contains("next cleanup") && !overview.body.contains("/ui/cleanup/"));
    let dc = overview.csrf();
    assert_eq!(d.get("/ui/cleanup/").await.status, 404);
    let p = d
        .post(
            "/ui/cleanup/schedules",
            &[
                ("csrf", &dc),
                ("name", "mine"),
                ("every", "1"),
                ("unit", "hours"),
            ],
        )
        .await;
    assert_eq!(p.status, 404);
    let p = d
        .post(
            &format!("/ui/cleanup/schedules/{id}"),
            &[("csrf", &dc), ("action", "remove")],
        )
        .await;
    assert_eq!(p.status, 404);
    assert_eq!(app.api_get(LIST).await["count"], 1);
    assert_eq!(app.api_one(LIST).await["name"], "gc");
}
