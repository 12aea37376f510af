//! The web UI's management actions, as HTML: untagging many tags as one task, bounded.
use crate::common::oci::bytes;
use crate::common::pulp::ADMIN;
use crate::common::ui::Browser;
use crate::common::TestApp;
use crate::ui_pages::{repo_id, tags};

#[tokio::test]
async fn untag_refuses_more_than_ten_thousand_tags_and_tags_the_latest_version_lacks() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(1, 100)]).await;
    let id = repo_id(&app, "team/app").await;
    let b = Browser::new(&app);
    b.sign_in(ADMIN.0, ADMIN.1).await;
    let csrf = b.get(&format!("/ui/repositories/{id}/")).await.csrf();
    let names: Vec<String> = (0..10_001).map(|i| format!("t{i}")).collect();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend(names.iter().map(|n| ("tag", n.as_str())));
    let p = b.post(&format!("/ui/repositories/{id}/untag"), &form).await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(p.body.contains("At most 10000 tags"), "{}", p.body);
    let p = b
        .post(
            &format!("/ui/repositories/{id}/untag"),
            &[("csrf", &csrf), ("tag", "v1"), ("tag", "gone")],
        )
        .await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(
        p.body.contains("1 of the selected tags do not exist"),
        "{}",
        p.body
    );
    assert_eq!(tags(&app, "team/app").await, vec!["v1"]);
    app.assert_tasks_settled().await;
}
