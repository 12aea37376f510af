//! Users, roles and role assignments over the management API, with Pulp's shapes and messages.
use crate::common::oci::bytes;
use crate::common::TestApp;
use reqwest::Method;
use serde_json::json;

const USERS: &str = "/pulp/api/v3/users/";

#[tokio::test]
async fn admins_create_read_update_and_delete_users_with_pulp_shapes() {
    let app = TestApp::spawn().await;
    let (s, u) = app
        .api(
            Method::POST,
            USERS,
            Some(json!({"username": "alice", "password": "pw-alice", "email": "a@example.com"})),
        )
        .await;
    assert_eq!(s, 201, "{u}");
    let href = u["pulp_href"].as_str().unwrap().to_string();
    assert_eq!(href, format!("{USERS}{}/", u["id"]));
    assert!(u["id"].is_i64());
    assert_eq!(
        u["hidden_fields"],
        json!([{"name": "password", "is_set": true}])
    );
    assert_eq!(u["groups"], json!([]));
    assert!(u.get("password").is_none());
    assert_eq!(u["is_superuser"], false, "issue 11 §5: false, not null");
    for key in [
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
        "prn",
    ] {
        assert!(u.get(key).is_some(), "{key}");
    }
    let (s, _) = app
        .call_as(
            "alice",
            Method::GET,
            "/pulp/api/v3/pulp_container/namespaces/",
            None,
        )
        .await;
    assert_eq!(s, 200, "the new user can log in");
    let (s, v) = app
        .api(
            Method::POST,
            USERS,
            Some(json!({"username": "alice", "password": "another-pw"})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v),
        (
            400,
            json!({"username": ["A user with that username already exists."]})
        )
    );
    let (s, v) = app
        .api(
            Method::POST,
            USERS,
            Some(json!({"username": "bob", "password": "1234"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        v["password"][0],
        "This password is too short. It must contain at least 8 characters."
    );
    let (s, v) = app
        .api(
            Method::POST,
            USERS,
            Some(json!({"username": "bad name!", "password": "pw-bad-name"})),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = app
        .api(
            Method::POST,
            USERS,
            Some(json!({"username": "carol", "colour": "red"})),
        )
        .await;
    assert_eq!(s, 400, "unknown field: {v}");
    let list = app.api_get(&format!("{USERS}?username=alice")).await;
    assert_eq!(list["count"], 1);
    let (s, v) = app
        .api(Method::PATCH, &href, Some(json!({"first_name": "Alice"})))
        .await;
    assert_eq!((s.as_u16(), v["first_name"].clone()), (200, json!("Alice")));
    let (s, _) = app.api(Method::DELETE, &href, None).await;
    assert_eq!(s, 204);
    let (s, _) = app.api(Method::GET, &href, None).await;
    assert_eq!(s, 404);
    let (s, _) = app
        .api(Method::GET, &format!("{USERS}not-a-number/"), None)
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn a_changed_password_or_a_deactivation_takes_effect_at_once() {
    let app = TestApp::spawn().await;
    let (_, u) = app
        .api(
            Method::POST,
            USERS,
            Some(json!({"username": "davidson", "password": "pw-davidson"})),
        )
        .await;
    let href = u["pulp_href"].as_str().unwrap().to_string();
    let probe = "/pulp/api/v3/tasks/";
    assert_eq!(
        app.call_as("davidson", Method::GET, probe, None).await.0,
        200,
        "verified and cached"
    );
    let (s, _) = app
        .api(
            Method::PATCH,
            &href,
            Some(json!({"password": "new-secret-pw"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        app.call_as("davidson", Method::GET, probe, None).await.0,
        401,
        "the old password no longer works"
    );
    let (s, _) = app
        .api(
            Method::PATCH,
            &href,
            Some(json!({"password": "pw-davidson"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        app.call_as("davidson", Method::GET, probe, None).await.0,
        200
    );
    app.api(Method::PATCH, &href, Some(json!({"is_active": false})))
        .await;
    assert_eq!(
        app.call_as("davidson", Method::GET, probe, None).await.0,
        401,
        "deactivated"
    );
}

#[tokio::test]
async fn locked_roles_are_listed_and_cannot_be_changed_while_custom_roles_can() {
    let app = TestApp::spawn().await;
    let owner = app
        .api_one("/pulp/api/v3/roles/?name=container.containernamespace_owner")
        .await;
    assert_eq!(owner["locked"], true);
    assert!(owner["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("container.namespace_push_containerdistribution")));
    let href = owner["pulp_href"].as_str().unwrap();
    let (s, v) = app
        .api(Method::PATCH, href, Some(json!({"description": "x"})))
        .await;
    assert_eq!(
        (s.as_u16(), v),
        (403, json!({"detail": "The role is locked."}))
    );
    let (s, _) = app.api(Method::DELETE, href, None).await;
    assert_eq!(s, 403);
    let (s, v) = app
        .api(
            Method::POST,
            "/pulp/api/v3/roles/",
            Some(json!({"name": "puller", "permissions": ["container.no_such"]})),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, r) = app.api(Method::POST, "/pulp/api/v3/roles/", Some(json!({"name": "puller", "permissions": ["container.pull_containerdistribution", "container.view_containerdistribution"]}))).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["locked"], false);
    let found = app.api_get("/pulp/api/v3/roles/?contains_permission=container.pull_containerdistribution&locked=false").await;
    assert_eq!(found["count"], 1);
    let (s, _) = app
        .api(Method::DELETE, r["pulp_href"].as_str().unwrap(), None)
        .await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn roles_are_assigned_to_users_on_objects_with_pulp_validation() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(7, 50)]).await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=team")
        .await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, u) = app
        .api(
            Method::POST,
            USERS,
            Some(json!({"username": "erinsson", "password": "pw-erinsson"})),
        )
        .await;
    let roles = format!("{}roles/", u["pulp_href"].as_str().unwrap());
    let (s, v) = app
        .api(
            Method::POST,
            &roles,
            Some(json!({"role": "container.containernamespace_consumer"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["non_field_errors"][0], "Either 'content_object' or 'content_object_prn' needs to be specified. Use 'null' for global or domain level access.");
    let (s, v) = app
        .api(
            Method::POST,
            &roles,
            Some(json!({"role": "container.containerdistribution_consumer", "content_object": ns})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["non_field_errors"][0], "The role 'container.containerdistribution_consumer' does not carry any permission for that object.");
    assert_eq!(
        app.call_as("erinsson", Method::GET, &ns, None).await.0,
        404,
        "before the role"
    );
    let body = json!({"role": "container.containernamespace_consumer", "content_object": ns});
    let (s, a) = app.api(Method::POST, &roles, Some(body.clone())).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["content_object"], json!(ns));
    assert!(a["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("container.view_containernamespace")));
    let (s, v) = app.api(Method::POST, &roles, Some(body)).await;
    assert_eq!(
        (s.as_u16(), v["non_field_errors"][0].clone()),
        (400, json!("The role is already assigned to this user."))
    );
    assert_eq!(
        app.call_as("erinsson", Method::GET, &ns, None).await.0,
        200,
        "with the role"
    );
    let (s, perms) = app
        .call_as(
            "erinsson",
            Method::GET,
            &format!("{ns}my_permissions/"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(perms["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("container.namespace_pull_containerdistribution")));
    let (s, _) = app
        .call_as(
            "erinsson",
            Method::POST,
            &format!("{ns}add_role/"),
            Some(json!({"role": "container.containernamespace_owner", "users": ["erinsson"]})),
        )
        .await;
    assert_eq!(s, 403, "a consumer does not manage roles");
    assert_eq!(app.api_get(&roles).await["count"], 1);
    let (s, _) = app
        .api(Method::DELETE, a["pulp_href"].as_str().unwrap(), None)
        .await;
    assert_eq!(s, 204);
    assert_eq!(
        app.call_as("erinsson", Method::GET, &ns, None).await.0,
        404,
        "after the role is removed"
    );
}

#[tokio::test]
async fn namespace_role_actions_add_list_and_remove_roles() {
    let app = TestApp::spawn().await;
    app.push_image("team/app", "v1", &[bytes(8, 50)]).await;
    let ns = app
        .api_one("/pulp/api/v3/pulp_container/namespaces/?name=team")
        .await["pulp_href"]
        .as_str()
        .unwrap()
        .to_string();
    app.create_user("frank", "pw-frank").await;
    let add = json!({"role": "container.containernamespace_collaborator", "users": ["frank"]});
    let (s, v) = app
        .api(Method::POST, &format!("{ns}add_role/"), Some(add.clone()))
        .await;
    assert_eq!(
        (s.as_u16(), v),
        (
            201,
            json!({"role": "container.containernamespace_collaborator", "users": ["frank"], "groups": []})
        )
    );
    let (s, v) = app
        .api(Method::POST, &format!("{ns}add_role/"), Some(add.clone()))
        .await;
    assert_eq!(
        (s.as_u16(), v["role"][0].clone()),
        (400, json!("The role is already assigned to user 'frank'."))
    );
    let listed = app.api_get(&format!("{ns}list_roles/")).await;
    assert_eq!(
        listed,
        json!({"roles": [
            {"role": "container.containernamespace_collaborator", "users": ["frank"], "groups": []},
            {"role": "container.containernamespace_owner", "users": ["admin"], "groups": []},
        ]}),
        "the admin who pushed first owns the namespace"
    );
    let (s, v) = app
        .api(
            Method::POST,
            &format!("{ns}add_role/"),
            Some(json!({"role": "container.containernamespace_consumer", "users": ["nobody"]})),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, _) = app
        .api(
            Method::POST,
            &format!("{ns}add_role/"),
            Some(json!({"role": "container.containernamespace_consumer", "groups": ["g"]})),
        )
        .await;
    assert_eq!(s, 400, "groups are not supported");
    assert_eq!(
        app.call_as("frank", Method::POST, "/v2/team/app/blobs/uploads/", None)
            .await
            .0,
        202,
        "a collaborator pushes"
    );
    let (s, _) = app
        .api(
            Method::POST,
            &format!("{ns}remove_role/"),
            Some(add.clone()),
        )
        .await;
    assert_eq!(s, 201);
    let (s, v) = app
        .api(Method::POST, &format!("{ns}remove_role/"), Some(add))
        .await;
    assert_eq!(
        (s.as_u16(), v["role"][0].clone()),
        (400, json!("The role is not assigned to user 'frank'."))
    );
    assert_eq!(
        app.call_as("frank", Method::POST, "/v2/team/app/blobs/uploads/", None)
            .await
            .0,
        403
    );
}
