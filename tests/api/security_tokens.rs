//! Registry tokens (issue 11 §2): a token signed with the real key but living longer than the
//! configured maximum, or without `iat`, is refused; a deactivated user's token stops working
//! for pulls at once.
use crate::common::oci::bytes;
use crate::common::pulp::ADMIN;
use crate::common::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

fn host(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Signs `claims` with the server's own signing key, read from its database.
async fn forge(app: &TestApp, claims: &Value) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let db = sea_orm::Database::connect(&app.settings.database_url)
        .await
        .unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT private_pem FROM signing_keys WHERE name = 'registry'",
        ))
        .await
        .unwrap()
        .unwrap();
    let pem: String = row.try_get("", "private_pem").unwrap();
    let key = jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

async fn pull_tags(app: &TestApp, jwt: &str) -> u16 {
    app.anon(Method::GET, "/v2/lib/app/tags/list")
        .bearer_auth(jwt)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn claims(app: &TestApp, iat: Option<u64>, exp: u64) -> Value {
    let mut c = json!({
        "iss": "berth", "sub": "admin", "aud": host(app), "exp": exp, "nbf": now() - 1,
        "jti": "forged", "access": [{"type": "repository", "name": "lib/app", "actions": ["pull"]}],
    });
    if let Some(iat) = iat {
        c["iat"] = json!(iat);
    }
    c
}

#[tokio::test]
async fn tokens_living_longer_than_the_configured_maximum_or_without_iat_are_refused() {
    let app = TestApp::spawn().await;
    app.push_image("lib/app", "v1", &[bytes(1, 10)]).await;
    let t = now();
    let normal = forge(&app, &claims(&app, Some(t), t + 300)).await;
    assert_eq!(pull_tags(&app, &normal).await, 200, "the forging works");
    let ten_years = forge(&app, &claims(&app, Some(t), t + 10 * 365 * 86_400)).await;
    assert_eq!(pull_tags(&app, &ten_years).await, 401);
    let just_over = forge(&app, &claims(&app, Some(t), t + 301)).await;
    assert_eq!(pull_tags(&app, &just_over).await, 401);
    let no_iat = forge(&app, &claims(&app, None, t + 300)).await;
    assert_eq!(pull_tags(&app, &no_iat).await, 401);
    let future_iat = forge(&app, &claims(&app, Some(t + 86_400), t + 86_400 + 300)).await;
    assert_eq!(pull_tags(&app, &future_iat).await, 401);
}

#[tokio::test]
async fn a_deactivated_users_token_stops_working_for_pulls() {
    let app = TestApp::spawn().await;
    app.push_image("lib/app", "v1", &[bytes(2, 10)]).await;
    app.create_user("erin", "pw-erin").await;
    let res = app
        .anon(
            Method::GET,
            &format!(
                "/token/?service={}&scope=repository:lib/app:pull",
                host(&app)
            ),
        )
        .basic_auth("erin", Some("pw-erin"))
        .send()
        .await
        .unwrap();
    let jwt = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(pull_tags(&app, &jwt).await, 200);
    let user = app.api_one("/pulp/api/v3/users/?username=erin").await;
    let href = user["pulp_href"].as_str().unwrap();
    let (s, v) = app
        .api(Method::PATCH, href, Some(json!({"is_active": false})))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(pull_tags(&app, &jwt).await, 401);
    // Tokens of other users, and anonymous pulls, are unaffected.
    let res = app
        .anon(Method::GET, "/v2/lib/app/tags/list")
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
