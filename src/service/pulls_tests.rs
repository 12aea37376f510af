//! The pull tracker in memory (merging, the key bound, tracking off) and its writes to a real
//! (SQLite) database (later time wins, counts add, gone repositories and content skipped).
use super::*;
use crate::repo::{manifests, repositories};
use chrono::TimeDelta;

async fn db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    (db, dir)
}

async fn manifest(db: &Db, n: u8) -> Uuid {
    let d = format!("sha256:{}", format!("{n:02x}").repeat(32));
    manifests::upsert(
        &db.conn,
        &manifests::NewManifest {
            digest: &d,
            media_type: "application/vnd.oci.image.manifest.v1+json",
            data: b"{}",
            config_blob: None,
            artifact_type: None,
            subject: None,
            annotations: "{}".into(),
            labels: "{}".into(),
            kind: "image",
            os: None,
            architecture: None,
            compressed_size: 0,
            blobs: &[],
            children: &[],
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn repeated_pulls_of_one_key_wait_as_one_row_with_their_count() {
    let (db, _dir) = db().await;
    let t = PullTracker::new(db, 5);
    let (repo, m, tag) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    t.record(repo, m, Some(tag));
    t.record(repo, m, None);
    t.record(repo, m, Some(tag));
    assert_eq!(t.pending(), 2);
    let mut rows = t.take();
    rows.sort_by_key(|r| r.count);
    assert_eq!((rows[0].content, rows[0].count), (tag, 2));
    assert_eq!((rows[1].content, rows[1].count), (m, 3));
    assert_eq!(t.pending(), 0);
}

#[tokio::test]
async fn tracking_off_records_nothing() {
    let (db, _dir) = db().await;
    let t = PullTracker::new(db, 0);
    assert!(!t.enabled());
    t.record(Uuid::now_v7(), Uuid::now_v7(), Some(Uuid::now_v7()));
    assert_eq!(t.pending(), 0);
}

#[tokio::test]
async fn beyond_the_bound_new_keys_are_dropped_and_known_keys_keep_counting() {
    let (db, _dir) = db().await;
    let t = PullTracker::new(db, 5);
    let repo = Uuid::now_v7();
    let first = Uuid::now_v7();
    t.record(repo, first, None);
    for _ in 1..MAX_PENDING {
        t.record(repo, Uuid::now_v7(), None);
    }
    assert_eq!(t.pending(), MAX_PENDING);
    t.record(repo, Uuid::now_v7(), None);
    t.record(repo, first, None);
    assert_eq!(t.pending(), MAX_PENDING, "the new key was dropped");
    assert_eq!(t.inner.dropped.load(Relaxed), 1);
    let rows = t.take();
    let kept = rows.iter().find(|r| r.content == first).unwrap();
    assert_eq!(kept.count, 2);
}

#[tokio::test]
async fn a_flush_adds_counts_keeps_the_later_time_and_skips_what_went_away() {
    let (db, _dir) = db().await;
    let repo = repositories::get_or_create(&db.conn, "ns", "ns/app")
        .await
        .unwrap()
        .id;
    let (m1, m2) = (manifest(&db, 1).await, manifest(&db, 2).await);
    let t = PullTracker::new(db.clone(), 5);
    t.record(repo, m1, None);
    t.record(repo, m1, None);
    t.record(repo, m2, None);
    t.record(Uuid::now_v7(), m1, None); // no such repository
    t.record(repo, Uuid::now_v7(), None); // no such content
    assert_eq!(t.flush().await.unwrap(), 2);
    let got = q::for_repository(&db.conn, repo).await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[&m1].1, 2);
    let first = got[&m1].0;
    // An older time (a slower replica's batch) does not move last_pulled_at back.
    let old = first - TimeDelta::hours(1);
    t.add((repo, m1), old, 3);
    t.flush().await.unwrap();
    let got = q::for_repository(&db.conn, repo).await.unwrap();
    assert_eq!(got[&m1], (first, 5));
    t.record(repo, m1, None);
    t.flush().await.unwrap();
    let got = q::for_contents(&db.conn, repo, &[m1, Uuid::now_v7()])
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert!(got[&m1].0 > first);
    assert_eq!(got[&m1].1, 6);
    assert_eq!(t.pending(), 0);
}
