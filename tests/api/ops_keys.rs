//! Operations: `BERTH_TOKEN_PRIVATE_KEY` takes a path or the PEM itself, and no key material
//! reaches an error message.
use crate::common::pulp::ADMIN;
use crate::common::TestApp;
use base64::Engine as _;

/// A fresh P-256 private key as PKCS#8 PEM.
fn p256_pem() -> String {
    use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let doc = EcdsaKeyPair::generate_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &aws_lc_rs::rand::SystemRandom::new(),
    )
    .unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(doc.as_ref());
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

async fn token_answers(app: &TestApp) {
    let res = app
        .anon(
            reqwest::Method::GET,
            "/token/?service=x&scope=repository:a/b:pull",
        )
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["token"]
        .as_str()
        .is_some_and(|t| t.split('.').count() == 3));
}

#[tokio::test]
async fn the_token_key_may_be_given_inline_as_pem_or_as_a_file_path() {
    let pem = p256_pem();
    let inline = TestApp::spawn_with(|s| s.token_private_key = Some(pem.clone().into())).await;
    token_answers(&inline).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key.pem");
    std::fs::write(&file, &pem).unwrap();
    let from_file = TestApp::spawn_with(|s| s.token_private_key = Some(file.clone())).await;
    token_answers(&from_file).await;
}

#[tokio::test]
async fn a_bad_inline_key_is_refused_without_echoing_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = berth::config::Settings::for_data_dir(dir.path().to_path_buf()).unwrap();
    settings.token_private_key =
        Some("-----BEGIN PRIVATE KEY-----\nc2VjcmV0LW1hdGVyaWFs\n-----END PRIVATE KEY-----".into());
    let err = match berth::startup::state(settings).await {
        Ok(_) => panic!("a bad key was accepted"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("inline"), "{err}");
    assert!(!err.contains("c2VjcmV0") && !err.contains("BEGIN"), "{err}");
    let mut settings = berth::config::Settings::for_data_dir(dir.path().to_path_buf()).unwrap();
    settings.token_private_key = Some(dir.path().join("missing.pem"));
    let err = match berth::startup::state(settings).await {
        Ok(_) => panic!("a missing key file was accepted"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        err.contains("missing.pem") && err.contains("PEM itself"),
        "{err}"
    );
}
