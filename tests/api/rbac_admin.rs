//! The permission matrix, continued from `rbac.rs`: what only admins may do, who sees a task,
//! and registry pushes and pulls by role.
use crate::rbac::{all6, row, world, World};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn only_admins_purge_orphans_and_manage_users_and_roles() {
    let w = world().await;
    let body = json!({"orphan_protection_time": 0});
    row(
        &w,
        Method::POST,
        "/pulp/api/v3/orphans/cleanup/",
        Some(body),
        &all6([202, 403, 403, 403, 403, 401]),
    )
    .await;
    for path in ["/pulp/api/v3/users/", "/pulp/api/v3/roles/"] {
        row(
            &w,
            Method::GET,
            path,
            None,
            &all6([200, 403, 403, 403, 403, 401]),
        )
        .await;
    }
    w.app.assert_tasks_settled().await;
}

#[tokio::test]
async fn tasks_are_visible_to_their_creator_and_admins_only() {
    let w = world().await;
    let (s, v) = w
        .app
        .call_as(
            "owner",
            Method::PATCH,
            &w.app_dist,
            Some(json!({"description": "by owner"})),
        )
        .await;
    assert_eq!(s, 202, "{v}");
    let task = v["task"].as_str().unwrap().to_string();
    w.app.task_done(&task).await;
    row(
        &w,
        Method::GET,
        &task,
        None,
        &all6([200, 200, 404, 404, 404, 401]),
    )
    .await;
    let lists = row(
        &w,
        Method::GET,
        "/pulp/api/v3/tasks/",
        None,
        &[("owner", 200), ("other", 200)],
    )
    .await;
    assert_eq!(lists[0]["count"], 1);
    assert_eq!(lists[1]["count"], 0);
}

async fn registry(w: &World, actor: &str, method: Method, path: &str) -> u16 {
    w.app.call_as(actor, method, path, None).await.0.as_u16()
}

#[tokio::test]
async fn registry_pushes_and_pulls_follow_the_roles() {
    let w = world().await;
    let cells = |s: [u16; 6]| all6(s);
    for (actor, want) in cells([200, 200, 200, 200, 403, 401]) {
        assert_eq!(
            registry(&w, actor, Method::GET, "/v2/team/secret/manifests/v1").await,
            want,
            "pull private as '{actor}'"
        );
    }
    for (actor, want) in cells([200, 200, 200, 200, 200, 200]) {
        assert_eq!(
            registry(&w, actor, Method::GET, "/v2/team/app/manifests/v1").await,
            want,
            "pull public as '{actor}'"
        );
    }
    for (actor, want) in cells([202, 202, 202, 403, 403, 401]) {
        assert_eq!(
            registry(&w, actor, Method::POST, "/v2/team/app/blobs/uploads/").await,
            want,
            "push as '{actor}'"
        );
    }
    // A private repository and a missing one look alike to those who may not pull them.
    for actor in ["other", ""] {
        let a = w
            .app
            .call_as(actor, Method::GET, "/v2/team/secret/tags/list", None)
            .await;
        let b = w
            .app
            .call_as(actor, Method::GET, "/v2/team/missing/tags/list", None)
            .await;
        assert_eq!(a.0, b.0, "as '{actor}'");
        assert_eq!(a.1, b.1, "as '{actor}'");
    }
    // A user pushes to the namespace named after them (creating it) and owns what it made.
    assert_eq!(
        registry(&w, "other", Method::POST, "/v2/other/img/blobs/uploads/").await,
        202
    );
    assert_eq!(
        registry(&w, "other", Method::POST, "/v2/someone/img/blobs/uploads/").await,
        403
    );
    let (s, v) = w
        .app
        .call_as(
            "other",
            Method::GET,
            "/pulp/api/v3/pulp_container/namespaces/?name=other",
            None,
        )
        .await;
    assert_eq!((s.as_u16(), v["count"].clone()), (200, json!(1)));
    let catalogs: Vec<Value> = {
        let mut out = vec![];
        for actor in ["admin", "consumer", "other"] {
            out.push(
                w.app
                    .call_as(actor, Method::GET, "/v2/_catalog", None)
                    .await
                    .1["repositories"]
                    .clone(),
            );
        }
        out
    };
    assert_eq!(catalogs[0], json!(["other/img", "team/app", "team/secret"]));
    assert_eq!(catalogs[1], json!(["other/img", "team/app", "team/secret"]));
    assert_eq!(catalogs[2], json!(["other/img", "team/app"]));
    assert_eq!(registry(&w, "", Method::GET, "/v2/_catalog").await, 401);
}
