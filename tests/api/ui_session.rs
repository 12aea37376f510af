//! The web UI's sign-in, sessions and CSRF protection.
use crate::common::oci::bytes;
use crate::common::pulp::ADMIN;
use crate::common::ui::Browser;
use crate::common::TestApp;
use sea_orm::ConnectionTrait;

#[tokio::test]
async fn a_browser_asking_for_the_root_is_sent_to_the_ui() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    let p = b.get("/").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/ui/"));
}

#[tokio::test]
async fn a_page_without_a_session_sends_the_browser_to_the_sign_in_page() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    for path in ["/ui/", "/ui/repositories/", "/ui/cleanup/"] {
        let p = b.get(path).await;
        assert_eq!(p.status, 303, "{path}");
        assert_eq!(p.location.as_deref(), Some("/ui/signin"), "{path}");
    }
    let form = b.get("/ui/signin").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<label for=\"username\">"));
    assert!(form.body.contains("<label for=\"password\">"));
    let csp = "default-src 'none'";
    assert!(form.body.contains("/ui/static/style.css"), "{csp}");
    let css = b.get("/ui/static/style.css").await;
    assert_eq!(css.status, 200);
    assert!(css.body.contains("prefers-color-scheme: dark"));
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_and_signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    let p = b.sign_in(ADMIN.0, ADMIN.1).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/ui/"));
    let cookie = p
        .set_cookies
        .iter()
        .find(|c| c.starts_with("berth_session="))
        .unwrap();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/ui"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let overview = b.get("/ui/").await;
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("<h1>Overview</h1>"));
    assert!(overview.body.contains("Sign out"));
    let saved = b.cookies.lock().unwrap().clone();

    let out = b.post("/ui/signout", &[("csrf", &overview.csrf())]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location.as_deref(), Some("/ui/signin"));
    // The old cookie no longer opens a page: the session row is gone.
    *b.cookies.lock().unwrap() = saved;
    assert_eq!(b.get("/ui/").await.status, 303);
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_request_came_over_https() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(app.url("/ui/signin"))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let pre = form.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(pre.contains("; Secure"), "{pre}");
    let token = pre.split(';').next().unwrap().split_once('=').unwrap().1;
    let res = client
        .post(app.url("/ui/signin"))
        .header("X-Forwarded-Proto", "https")
        .header("Cookie", format!("berth_signin={token}"))
        .form(&[
            ("csrf", token),
            ("username", ADMIN.0),
            ("password", ADMIN.1),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let session = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("berth_session="))
        .unwrap();
    assert!(session.contains("; Secure"), "{session}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_repeated_failures_are_throttled() {
    let app = TestApp::spawn_with(|s| s.signin_failures_per_user = 2).await;
    let b = Browser::new(&app);
    let p = b.sign_in(ADMIN.0, "wrong").await;
    assert_eq!(p.status, 401);
    assert!(p.body.contains("Wrong user name or password."));
    assert!(!p
        .set_cookies
        .iter()
        .any(|c| c.starts_with("berth_session=")));
    b.sign_in(ADMIN.0, "wrong").await;
    let locked = b.sign_in(ADMIN.0, "wrong").await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert!(locked.body.contains("too many failed sign-in attempts"));
}

#[tokio::test]
async fn a_sign_in_without_the_form_token_is_refused() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    let p = b
        .post(
            "/ui/signin",
            &[("username", ADMIN.0), ("password", ADMIN.1)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(!p
        .set_cookies
        .iter()
        .any(|c| c.starts_with("berth_session=")));
}

#[tokio::test]
async fn a_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let repo = app
        .api_one("/pulp/api/v3/repositories/container/container-push/?name=team/app")
        .await;
    let id = repo["pulp_href"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let path = format!("/ui/repositories/{id}/untag");
    for form in [vec![("tag", "v1")], vec![("tag", "v1"), ("csrf", "forged")]] {
        let p = b.post(&path, &form).await;
        assert_eq!(p.status, 403, "{}", p.body);
    }
    let p = b.post("/ui/cleanup/", &[("mode", "run")]).await;
    assert_eq!(p.status, 403);
    assert_eq!(app.versions("team/app").await, vec![0, 1]);
}

async fn age_sessions(app: &TestApp, column: &str, hours: i64) {
    let db = berth::repo::Db::connect(&app.settings.database_url)
        .await
        .unwrap();
    let t = chrono::Utc::now() - chrono::Duration::hours(hours);
    let backend = db.conn.get_database_backend();
    db.conn
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            if backend == sea_orm::DbBackend::Postgres {
                format!("UPDATE ui_sessions SET {column} = $1")
            } else {
                format!("UPDATE ui_sessions SET {column} = ?")
            },
            vec![t.into()],
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_session_ends_after_eight_idle_hours_or_seven_days_in_all() {
    let app = TestApp::spawn().await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    age_sessions(&app, "last_seen_at", 7).await;
    assert_eq!(
        b.get("/ui/").await.status,
        200,
        "7 idle hours: still signed in"
    );
    age_sessions(&app, "last_seen_at", 9).await;
    assert_eq!(b.get("/ui/").await.status, 303, "9 idle hours: signed out");

    b.sign_in(ADMIN.0, ADMIN.1).await;
    assert_eq!(b.get("/ui/").await.status, 200);
    age_sessions(&app, "created_at", 24 * 8).await;
    assert_eq!(b.get("/ui/").await.status, 303, "8 days old: signed out");
}
