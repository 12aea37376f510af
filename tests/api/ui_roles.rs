//! The web UI's user roles: a superuser assigns a role on a distribution (as well as on a
//! namespace) and removes a role; the user's access follows at once; nobody else reaches role
//! removal, even by a hand-made POST.
use crate::common::oci::bytes;
use crate::common::pulp::ADMIN;
use crate::common::ui::Browser;
use crate::common::TestApp;
use crate::ui_pages::repo_id;

fn last(href: &str) -> String {
    href.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_superuser_gives_a_distribution_role_and_removes_it_and_access_follows() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    app.push_image("team/other", "v1", &[bytes(2, 100)]).await;
    for name in ["team/app", "team/other"] {
        app.make_private(name).await;
    }
    let id = repo_id(&app, "team/app").await;
    app.create_user("dev", "pw-dev-12345").await;
    let user = app.api_one("/pulp/api/v3/users/?username=dev").await;
    let number = last(user["pulp_href"].as_str().unwrap());
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let page = b.get(&format!("/ui/users/{number}/")).await;
    assert!(
        page.body.contains("Distribution roles")
            && page
                .body
                .contains("container.containerdistribution_consumer")
    );
    let csrf = page.csrf();
    let d = Browser::new(&app);
    d.sign_in("dev", "pw-dev-12345").await;
    assert_eq!(d.get(&format!("/ui/repositories/{id}/")).await.status, 404);

    let wrong = b
        .post(
            &format!("/ui/users/{number}/roles"),
            &[
                ("csrf", &csrf),
                ("role", "container.containerdistribution_consumer"),
                ("object", "team/nope"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert!(
        wrong.body.contains("no distribution with base path"),
        "{}",
        wrong.body
    );
    let made_up = b
        .post(
            &format!("/ui/users/{number}/roles"),
            &[
                ("csrf", &csrf),
                ("role", "core.task_owner"),
                ("object", "team/app"),
            ],
        )
        .await;
    assert_eq!(made_up.status, 400);
    let p = b
        .post(
            &format!("/ui/users/{number}/roles"),
            &[
                ("csrf", &csrf),
                ("role", "container.containerdistribution_consumer"),
                ("object", "team/app"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = b.get(&format!("/ui/users/{number}/")).await;
    assert!(
        page.body.contains("distribution <code>team/app</code>"),
        "{}",
        page.body
    );
    assert_eq!(d.get(&format!("/ui/repositories/{id}/")).await.status, 200);
    let list = d.get("/ui/repositories/").await;
    assert!(list.body.contains(">team/app<") && !list.body.contains(">team/other<"));

    let roles = app
        .api_get(&format!("/pulp/api/v3/users/{number}/roles/"))
        .await;
    assert_eq!(roles["count"], 1, "{roles}");
    let assignment = last(roles["results"][0]["pulp_href"].as_str().unwrap());
    let remove = format!("/ui/users/{number}/roles/{assignment}/remove");
    assert!(page.body.contains(&remove), "{}", page.body);

    // Nobody but a superuser removes it, even with their own valid token; no token, no change.
    let dc = d.get("/ui/").await.csrf();
    assert_eq!(d.post(&remove, &[("csrf", &dc)]).await.status, 404);
    assert_eq!(b.post(&remove, &[]).await.status, 403);
    // An assignment is removed only through its own user's page.
    let admin = app.api_one("/pulp/api/v3/users/?username=admin").await;
    let me = last(admin["pulp_href"].as_str().unwrap());
    assert_eq!(
        b.post(
            &format!("/ui/users/{me}/roles/{assignment}/remove"),
            &[("csrf", &csrf)]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.api_get(&format!("/pulp/api/v3/users/{number}/roles/"))
            .await["count"],
        1
    );

    let p = b.post(&remove, &[("csrf", &csrf)]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        app.api_get(&format!("/pulp/api/v3/users/{number}/roles/"))
            .await["count"],
        0
    );
    assert!(b
        .get(&format!("/ui/users/{number}/"))
        .await
        .body
        .contains("No roles."));
    assert_eq!(d.get(&format!("/ui/repositories/{id}/")).await.status, 404);
}
