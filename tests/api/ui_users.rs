//! The web UI's Users pages, as HTML: a superuser creates a user (Django's password rules),
//! assigns a namespace role, resets the password and deactivates the user; anyone else gets
//! 404 and changes nothing.
use crate::common::oci::bytes;
use crate::common::pulp::ADMIN;
use crate::common::ui::Browser;
use crate::common::TestApp;
use crate::ui_pages::repo_id;

#[tokio::test]
async fn a_superuser_creates_a_user_gives_a_namespace_role_resets_the_password_and_deactivates() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    let id = repo_id(&app, "team/app").await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let list = b.get("/ui/users/").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(">admin<") && list.body.contains("Create user"));
    let csrf = list.csrf();
    let weak = b
        .post(
            "/ui/users/",
            &[("csrf", &csrf), ("username", "dev"), ("password", "short")],
        )
        .await;
    assert_eq!(weak.status, 400);
    assert!(weak.body.contains("too short"), "{}", weak.body);
    let bad = b
        .post(
            "/ui/users/",
            &[
                ("csrf", &csrf),
                ("username", "no spaces"),
                ("password", "pw-dev-12345"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    let p = b
        .post(
            "/ui/users/",
            &[
                ("csrf", &csrf),
                ("username", "dev"),
                ("password", "pw-dev-12345"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let user = p.location.unwrap();
    assert_eq!(
        app.api_one("/pulp/api/v3/users/?username=dev").await["is_active"],
        true
    );

    // The new user does not see the namespace until given a role on it.
    let d = Browser::new(&app);
    assert_eq!(d.sign_in("dev", "pw-dev-12345").await.status, 303);
    let dc = d.get("/ui/").await.csrf();
    assert!(!d.get("/ui/").await.body.contains("/ui/users/"));
    assert_eq!(d.get("/ui/users/").await.status, 404);
    let hijack = d
        .post(
            &format!("{user}password"),
            &[("csrf", &dc), ("password", "pw-hijack-9876")],
        )
        .await;
    assert_eq!(hijack.status, 404, "{}", hijack.body);
    assert!(!d.get("/ui/namespaces/").await.body.contains(">team<"));
    let unknown = b
        .post(
            &format!("{user}roles"),
            &[
                ("csrf", &csrf),
                ("role", "container.containernamespace_consumer"),
                ("namespace", "nope"),
            ],
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.body.contains("no namespace"), "{}", unknown.body);
    let p = b
        .post(
            &format!("{user}roles"),
            &[
                ("csrf", &csrf),
                ("role", "container.containernamespace_consumer"),
                ("namespace", "team"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(b
        .get(&user)
        .await
        .body
        .contains("container.containernamespace_consumer"));
    assert!(d.get("/ui/namespaces/").await.body.contains(">team<"));
    assert_eq!(d.get(&format!("/ui/repositories/{id}/")).await.status, 200);

    // Reset password: the old one stops working, the new one works.
    let p = b
        .post(
            &format!("{user}password"),
            &[("csrf", &csrf), ("password", "pw-new-67890")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_ne!(
        Browser::new(&app)
            .sign_in("dev", "pw-dev-12345")
            .await
            .status,
        303
    );
    assert_eq!(
        Browser::new(&app)
            .sign_in("dev", "pw-new-67890")
            .await
            .status,
        303
    );

    // Deactivate: signing in fails; the admin cannot deactivate themselves.
    let p = b
        .post(
            &format!("{user}active"),
            &[("csrf", &csrf), ("active", "0")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        app.api_one("/pulp/api/v3/users/?username=dev").await["is_active"],
        false
    );
    assert_ne!(
        Browser::new(&app)
            .sign_in("dev", "pw-new-67890")
            .await
            .status,
        303
    );
    assert!(b.get(&user).await.body.contains("Activate"));
    let admin = app.api_one("/pulp/api/v3/users/?username=admin").await;
    let me = admin["pulp_href"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let p = b
        .post(
            &format!("/ui/users/{me}/active"),
            &[("csrf", &csrf), ("active", "0")],
        )
        .await;
    assert_eq!(p.status, 400, "{}", p.body);
}
