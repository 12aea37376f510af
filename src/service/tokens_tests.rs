//! The token verifier refuses every forged, stale or misdirected token.
use super::*;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};

fn settings() -> Settings {
    let dir = std::env::temp_dir();
    Settings::for_data_dir(dir).unwrap()
}

fn tokens() -> Tokens {
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let pkcs8 = pair.to_pkcs8v1().unwrap();
    Tokens::from_key(pkcs8.as_ref(), pair.public_key().as_ref(), &settings()).unwrap()
}

fn claims(t: &Tokens, aud: &str) -> Claims {
    let now = unix_now();
    Claims {
        iss: t.issuer().into(),
        sub: "alice".into(),
        aud: aud.into(),
        exp: now + 300,
        nbf: now,
        iat: now,
        jti: "j".into(),
        access: vec![Access {
            kind: "repository".into(),
            name: "a/b".into(),
            actions: vec!["pull".into()],
        }],
    }
}

fn sign(t: &Tokens, c: &Claims) -> String {
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some(t.current_kid());
    encode(&h, c, &t.keys().encoding).unwrap()
}

#[test]
fn a_token_it_issued_verifies_and_grants_exactly_its_scopes() {
    let t = tokens();
    let access = claims(&t, "reg").access;
    let (jwt, _) = t.issue("alice", "reg", access).unwrap();
    let c = t.verify(&jwt, "reg").unwrap();
    assert!(c.allows("repository", "a/b", "pull"));
    assert!(!c.allows("repository", "a/b", "push"));
    assert!(!c.allows("repository", "a/c", "pull"));
    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert_eq!(
        header.kid.as_deref().map(|k| k.split(':').count()),
        Some(12)
    );
}

#[test]
fn a_tampered_payload_or_signature_is_refused() {
    let t = tokens();
    let jwt = sign(&t, &claims(&t, "reg"));
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut c = claims(&t, "reg");
    c.access[0].actions.push("push".into());
    let forged_payload =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap());
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert!(t.verify(&forged, "reg").is_err());
    let mut sig = parts[2].to_string();
    let last = if sig.ends_with('A') { 'B' } else { 'A' };
    sig.pop();
    sig.push(last);
    assert!(t
        .verify(&format!("{}.{}.{sig}", parts[0], parts[1]), "reg")
        .is_err());
}

#[test]
fn expired_and_not_yet_valid_tokens_are_refused() {
    let t = tokens();
    let mut c = claims(&t, "reg");
    c.exp = unix_now() - 120;
    c.nbf = c.exp - 300;
    assert!(t.verify(&sign(&t, &c), "reg").is_err());
    let mut c = claims(&t, "reg");
    c.nbf = unix_now() + 120;
    c.exp = c.nbf + 300;
    assert!(t.verify(&sign(&t, &c), "reg").is_err());
}

#[test]
fn a_token_for_another_audience_or_issuer_is_refused() {
    let t = tokens();
    let jwt = sign(&t, &claims(&t, "other-registry"));
    assert!(t.verify(&jwt, "reg").is_err());
    let mut c = claims(&t, "reg");
    c.iss = "someone-else".into();
    assert!(t.verify(&sign(&t, &c), "reg").is_err());
    // A cached token is still checked against the audience.
    let good = sign(&t, &claims(&t, "reg"));
    assert!(t.verify(&good, "reg").is_ok());
    assert!(t.verify(&good, "elsewhere").is_err());
}

#[test]
fn alg_none_and_hs256_signed_with_the_public_key_are_refused() {
    let t = tokens();
    let c = claims(&t, "reg");
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let payload = b64(&serde_json::to_vec(&c).unwrap());
    let none = format!("{}.{payload}.", b64(br#"{"alg":"none","typ":"JWT"}"#));
    assert!(t.verify(&none, "reg").is_err());
    for secret in [
        t.public_key_pem().into_bytes(),
        t.keys().public_point.clone(),
    ] {
        let hs = encode(
            &Header::new(Algorithm::HS256),
            &c,
            &EncodingKey::from_secret(&secret),
        )
        .unwrap();
        assert!(t.verify(&hs, "reg").is_err());
    }
}

#[test]
fn a_token_signed_by_another_key_is_refused() {
    let t = tokens();
    let other = tokens();
    let jwt = sign(&other, &claims(&t, "reg"));
    assert!(t.verify(&jwt, "reg").is_err());
}

#[test]
fn key_ids_have_the_libtrust_shape() {
    let t = tokens();
    let kid = &t.current_kid();
    assert_eq!(kid.len(), 59);
    assert!(kid.split(':').all(|g| g.len() == 4
        && g.chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))));
}

#[test]
fn a_retired_key_verifies_its_tokens_by_kid_until_its_time_is_over() {
    let pair = |_| {
        let p = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        (
            p.to_pkcs8v1().unwrap().as_ref().to_vec(),
            p.public_key().as_ref().to_vec(),
        )
    };
    let ((old_der, old_point), (new_der, new_point)) = (pair(0), pair(1));
    let with_retired = |until| {
        let mut set = KeySet::single(&new_der, &new_point).unwrap();
        set.verifiers
            .push(token_keys::Verifier::new(&old_point, Some(until)).unwrap());
        Tokens::with_set(set, None, &settings())
    };
    let t = with_retired(chrono::Utc::now() + chrono::Duration::seconds(60));
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some(key_id(&old_point));
    let old_token = encode(&h, &claims(&t, "reg"), &EncodingKey::from_ec_der(&old_der)).unwrap();
    assert!(t.verify(&old_token, "reg").is_ok());
    let (new_token, _) = t.issue("alice", "reg", vec![]).unwrap();
    assert_eq!(
        jsonwebtoken::decode_header(&new_token).unwrap().kid,
        Some(key_id(&new_point))
    );
    assert!(t.verify(&new_token, "reg").is_ok());
    // Past its time the old key verifies nothing, cached or not.
    assert!(t.verify(&old_token, "reg").is_ok());
    let expired = with_retired(chrono::Utc::now() - chrono::Duration::seconds(1));
    assert!(expired.verify(&old_token, "reg").is_err());
    // A token naming the old kid is not tried against the current key either.
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some(key_id(&old_point));
    let mislabelled = encode(&h, &claims(&t, "reg"), &EncodingKey::from_ec_der(&new_der)).unwrap();
    assert!(t.verify(&mislabelled, "reg").is_err());
}
