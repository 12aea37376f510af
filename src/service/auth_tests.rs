//! Credential checks against a real (SQLite) database: identical credentials arriving together
//! are verified once, whatever the answer.
use super::*;

async fn db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    users::insert(
        &db.conn,
        "alice",
        &hash_password("right-password").unwrap(),
        false,
    )
    .await
    .unwrap();
    (db, dir)
}

/// Eight callers at once with the same credentials against a verifier that runs one
/// verification and lets nobody wait for a turn: each had queued its own verification, so
/// all but the first got 429 (a parallel push's first requests on a loaded machine).
#[tokio::test]
async fn identical_credentials_arriving_together_are_verified_once_and_all_pass() {
    let (db, _dir) = db().await;
    let cache = CredentialCache::with_verifier(1, Duration::from_millis(1));
    let calls = (0..8).map(|_| verify(&db, &cache, "alice", "right-password", None));
    for r in futures::future::join_all(calls).await {
        assert_eq!(r.unwrap().username, "alice");
    }
    assert!(cache.inner.inflight.lock().unwrap().is_empty());
}

#[tokio::test]
async fn identical_wrong_credentials_arriving_together_all_fail_as_unauthorized() {
    let (db, _dir) = db().await;
    let cache = CredentialCache::with_verifier(1, Duration::from_millis(1));
    let calls = (0..8).map(|_| verify(&db, &cache, "alice", "wrong-password", None));
    for r in futures::future::join_all(calls).await {
        assert!(matches!(r, Err(Error::Unauthorized)), "{r:?}");
    }
    assert!(cache.inner.inflight.lock().unwrap().is_empty());
}

#[tokio::test]
async fn different_credentials_still_queue_for_the_verifier_and_overflow_gets_429() {
    let (db, _dir) = db().await;
    let cache = CredentialCache::with_verifier(1, Duration::from_millis(1));
    let passwords: Vec<String> = (0..4).map(|i| format!("guess-{i}")).collect();
    let calls = passwords
        .iter()
        .map(|p| verify(&db, &cache, "alice", p, None));
    let busy = futures::future::join_all(calls)
        .await
        .into_iter()
        .filter(|r| matches!(r, Err(Error::TooManyRequests { .. })))
        .count();
    assert!(busy >= 1, "distinct guesses are not merged");
}
