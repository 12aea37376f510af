//! Operations: token signing keys rotate without logging anyone out. `berth admin
//! rotate-token-key` makes a new key current; tokens signed before keep working until they
//! can have expired (the old key is verified by the `kid` tokens carry), new tokens name the
//! new key, running servers pick it up without a restart, and after the grace period the old
//! key is refused. With a configured key, rotation goes through `BERTH_TOKEN_PREVIOUS_KEYS`.
use crate::common::cli::Client;
use crate::common::pulp::ADMIN;
use crate::common::TestApp;
use base64::Engine as _;
use reqwest::StatusCode;
use std::time::Duration;

fn service(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

async fn token(app: &TestApp) -> String {
    let res = app
        .anon(
            reqwest::Method::GET,
            &format!(
                "/token/?service={}&scope=repository:rot/app:pull",
                service(app)
            ),
        )
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = res.json().await.unwrap();
    v["token"].as_str().unwrap().to_string()
}

fn kid(jwt: &str) -> String {
    jsonwebtoken::decode_header(jwt).unwrap().kid.unwrap()
}

/// `GET /v2/` with the token: 200 when it is accepted, 401 when not.
async fn with_bearer(app: &TestApp, jwt: &str) -> StatusCode {
    app.anon(reqwest::Method::GET, "/v2/")
        .bearer_auth(jwt)
        .send()
        .await
        .unwrap()
        .status()
}

/// A fresh token for `app` signed with the PKCS#8 PEM `pem` (as a server holding it would).
fn sign_with(app: &TestApp, pem: &str, lifetime: u64) -> String {
    let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(der)
        .unwrap();
    let pair = aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &der,
    )
    .unwrap();
    let point = aws_lc_rs::signature::KeyPair::public_key(&pair)
        .as_ref()
        .to_vec();
    let now = chrono::Utc::now().timestamp() as u64;
    let claims = serde_json::json!({"iss": "berth", "sub": "admin", "aud": service(app),
        "exp": now + lifetime, "nbf": now, "iat": now, "jti": uuid::Uuid::new_v4().to_string(),
        "access": []});
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(berth::service::tokens::key_id(&point));
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_ec_der(&der),
    )
    .unwrap()
}

async fn current_pem(app: &TestApp) -> String {
    let db = berth::repo::Db::connect(&app.settings.database_url)
        .await
        .unwrap();
    berth::repo::signing_keys::get(&db.conn, "registry")
        .await
        .unwrap()
        .unwrap()
}

/// Polls `f` every 250 ms until it is true, for at most `secs` seconds.
async fn eventually<F: std::future::Future<Output = bool>>(secs: u64, mut f: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !f().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not within {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_token_issued_before_a_rotation_works_after_it_and_new_tokens_name_the_new_key() {
    let mut app = TestApp::spawn().await;
    let before = token(&app).await;
    let old_kid = kid(&before);
    assert_eq!(with_bearer(&app, &before).await, StatusCode::OK);

    let run = Client::new()
        .run(&[
            "--data-dir",
            app.settings.data_dir.to_str().unwrap(),
            "--database-url",
            &app.settings.database_url,
            "admin",
            "rotate-token-key",
        ])
        .await
        .ok();
    assert!(run.stdout.contains(&old_kid), "{}", run.stdout);
    assert!(!run.stdout.contains("BEGIN") && !run.stderr.contains("BEGIN"));
    let new_kid = run
        .stdout
        .split_whitespace()
        .nth(4)
        .unwrap()
        .trim_end_matches(';')
        .to_string();
    assert_ne!(new_kid, old_kid);

    // The running server switches to the new key on its own, and still takes the old token.
    eventually(15, || async { kid(&token(&app).await) == new_kid }).await;
    assert_eq!(with_bearer(&app, &before).await, StatusCode::OK);
    let after = token(&app).await;
    assert_eq!(with_bearer(&app, &after).await, StatusCode::OK);

    // Fresh key sets (nothing cached), as another replica or a restarted server loads them
    // from the database, verify both and sign with the new key.
    let db = berth::repo::Db::connect(&app.settings.database_url)
        .await
        .unwrap();
    let fresh = berth::service::tokens::Tokens::load(&db, &app.settings)
        .await
        .unwrap();
    assert!(fresh.verify(&before, &service(&app)).is_ok());
    assert!(fresh.verify(&after, &service(&app)).is_ok());
    assert_eq!(fresh.current_kid(), new_kid);
    app.restart().await;
    assert_eq!(kid(&token(&app).await), new_kid);
}

#[tokio::test]
async fn after_the_grace_period_a_token_signed_with_the_old_key_is_refused() {
    let app = TestApp::spawn_with(|s| s.token_expiry_seconds = 2).await;
    let old_pem = current_pem(&app).await;
    let db = berth::repo::Db::connect(&app.settings.database_url)
        .await
        .unwrap();
    let r = berth::service::token_keys::rotate(&db, 2, 0).await.unwrap();
    // The margin is never below the reload interval plus clock skew.
    let grace = r.old_verified_until - chrono::Utc::now();
    assert!(
        grace.num_seconds() >= 10 && grace.num_seconds() <= 12,
        "{grace}"
    );
    assert_eq!(
        with_bearer(&app, &sign_with(&app, &old_pem, 2)).await,
        StatusCode::OK
    );
    tokio::time::sleep(
        (r.old_verified_until - chrono::Utc::now())
            .to_std()
            .unwrap(),
    )
    .await;
    // Within one reload the server has dropped the key: even a fresh token it signed is refused.
    eventually(10, || async {
        with_bearer(&app, &sign_with(&app, &old_pem, 2)).await == StatusCode::UNAUTHORIZED
    })
    .await;
    assert_eq!(
        with_bearer(&app, &sign_with(&app, &current_pem(&app).await, 2)).await,
        StatusCode::OK
    );
    // The next rotation deletes the expired key's row.
    berth::service::token_keys::rotate(&db, 2, 0).await.unwrap();
    let rows = berth::repo::signing_keys::all(&db.conn).await.unwrap();
    assert_eq!(rows.len(), 2, "current + the one just retired");
}

#[tokio::test]
async fn with_a_configured_key_rotation_goes_through_berth_token_previous_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (current, previous) = (dir.path().join("key.pem"), dir.path().join("previous.pem"));
    let key = || {
        let doc = aws_lc_rs::signature::EcdsaKeyPair::generate_pkcs8(
            &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &aws_lc_rs::rand::SystemRandom::new(),
        )
        .unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(doc.as_ref());
        format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n")
    };
    let write = |path: &std::path::Path, text: &str| {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, path).unwrap();
    };
    let (a, b) = (key(), key());
    write(&current, &a);
    write(&previous, "");
    let app = TestApp::spawn_with(|s| {
        s.token_private_key = Some(current.clone());
        s.token_previous_keys = Some(previous.to_string_lossy().into_owned());
    })
    .await;
    let before = token(&app).await;

    // The admin command refuses, saying how.
    let run = Client::new()
        .run(&[
            "--data-dir",
            app.settings.data_dir.to_str().unwrap(),
            "--database-url",
            &app.settings.database_url,
            "--token-private-key",
            current.to_str().unwrap(),
            "admin",
            "rotate-token-key",
        ])
        .await;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("BERTH_TOKEN_PREVIOUS_KEYS"),
        "{}",
        run.stderr
    );

    // Old key to the previous file, new key in place: picked up without a restart.
    write(&previous, &a);
    write(&current, &b);
    eventually(15, || async { kid(&token(&app).await) != kid(&before) }).await;
    assert_eq!(with_bearer(&app, &before).await, StatusCode::OK);
    // Emptying the previous file retires the old key.
    write(&previous, "");
    eventually(15, || async {
        with_bearer(&app, &before).await == StatusCode::UNAUTHORIZED
    })
    .await;
    assert_eq!(with_bearer(&app, &token(&app).await).await, StatusCode::OK);
}
