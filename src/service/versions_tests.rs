//! `versions::apply` on a real (SQLite) database: adding, removing (plain and recursive), tag
//! replacement, no-op changes and `retain_repo_versions`.
use super::*;
use crate::domain::content::ContentKind;
use crate::repo::{content, manifests, push_repos, repositories, Db};
use serde_json::Value;

struct Fixture {
    db: Db,
    repo: Uuid,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let repo = repositories::get_or_create(&db.conn, "ns", "ns/app")
        .await
        .unwrap()
        .id;
    Fixture {
        db,
        repo,
        _dir: dir,
    }
}

fn digest(n: u8) -> String {
    format!("sha256:{}", format!("{n:02x}").repeat(32))
}

async fn blob(f: &Fixture, n: u8) -> Uuid {
    content::upsert_blob(&f.db.conn, &digest(n), 10)
        .await
        .unwrap()
}

async fn manifest(f: &Fixture, n: u8, blobs: &[Uuid]) -> Uuid {
    let d = digest(n);
    manifests::upsert(
        &f.db.conn,
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
            blobs,
            children: &[],
        },
    )
    .await
    .unwrap()
}

async fn tag(f: &Fixture, name: &str, manifest: Uuid) -> Uuid {
    manifests::upsert_tag(&f.db.conn, name, manifest)
        .await
        .unwrap()
}

async fn apply_change(f: &Fixture, change: Change) -> Option<NewVersion> {
    let txn = f.db.begin_write().await.unwrap();
    let v = apply(&*txn, f.repo, change).await.unwrap();
    txn.commit().await.unwrap();
    v
}

/// The recorded summary of version `n`.
async fn summary(f: &Fixture, n: i64) -> Value {
    let v = push_repos::version(&f.db.conn, f.repo, n)
        .await
        .unwrap()
        .unwrap();
    serde_json::from_str(&v.content_summary).unwrap()
}

async fn present(f: &Fixture, ids: &[Uuid]) -> Vec<Uuid> {
    crate::repo::versions::present_among(&f.db.conn, f.repo, ids)
        .await
        .unwrap()
}

fn adding(items: &[(Uuid, ContentKind)]) -> Change {
    Change {
        add: items.to_vec(),
        ..Default::default()
    }
}

#[tokio::test]
async fn adding_content_creates_the_next_version_with_its_summary_and_id() {
    let f = fixture().await;
    let (b1, b2) = (blob(&f, 1).await, blob(&f, 2).await);
    let m = manifest(&f, 10, &[b1, b2]).await;
    let t = tag(&f, "latest", m).await;
    let mut change = adding(&[
        (b1, ContentKind::Blob),
        (b2, ContentKind::Blob),
        (m, ContentKind::Manifest),
        (t, ContentKind::Tag),
    ]);
    change.tag_names = vec!["latest".into()];
    let v = apply_change(&f, change).await.unwrap();
    assert_eq!(v.number, 1);
    let row = push_repos::version(&f.db.conn, f.repo, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.id, v.id, "the returned id is the version's");
    let s = summary(&f, 1).await;
    assert_eq!(s["added"], json!({"blob": 2, "manifest": 1, "tag": 1}));
    assert_eq!(s["removed"], json!({}));
    assert_eq!(s["present"], json!({"blob": 2, "manifest": 1, "tag": 1}));
    // Adding what is already present changes nothing and creates no version.
    assert_eq!(
        apply_change(
            &f,
            adding(&[(b1, ContentKind::Blob), (m, ContentKind::Manifest)])
        )
        .await,
        None
    );
    assert!(push_repos::version(&f.db.conn, f.repo, 2)
        .await
        .unwrap()
        .is_none());
    // Duplicates in one change count once.
    let b3 = blob(&f, 3).await;
    let v = apply_change(
        &f,
        adding(&[(b3, ContentKind::Blob), (b3, ContentKind::Blob)]),
    )
    .await
    .unwrap();
    assert_eq!(v.number, 2);
    assert_eq!(summary(&f, 2).await["added"], json!({"blob": 1}));
    assert_eq!(summary(&f, 2).await["present"]["blob"], 3);
}

#[tokio::test]
async fn a_tag_name_moved_to_another_manifest_replaces_the_old_tag() {
    let f = fixture().await;
    let (m1, m2) = (manifest(&f, 10, &[]).await, manifest(&f, 11, &[]).await);
    let t1 = tag(&f, "latest", m1).await;
    let mut first = adding(&[
        (m1, ContentKind::Manifest),
        (m2, ContentKind::Manifest),
        (t1, ContentKind::Tag),
    ]);
    first.tag_names = vec!["latest".into()];
    apply_change(&f, first).await.unwrap();
    let t2 = tag(&f, "latest", m2).await;
    assert_ne!(t1, t2, "a tag row names one manifest");
    let mut second = adding(&[(t2, ContentKind::Tag)]);
    second.tag_names = vec!["latest".into()];
    let v = apply_change(&f, second).await.unwrap();
    let s = summary(&f, v.number).await;
    assert_eq!(s["added"], json!({"tag": 1}));
    assert_eq!(s["removed"], json!({"tag": 1}));
    assert_eq!(present(&f, &[t1, t2]).await, vec![t2]);
}

#[tokio::test]
async fn removing_a_manifest_removes_its_tags_and_recursively_what_only_it_used() {
    let f = fixture().await;
    let (shared, own_a, own_b) = (blob(&f, 1).await, blob(&f, 2).await, blob(&f, 3).await);
    let a = manifest(&f, 10, &[shared, own_a]).await;
    let b = manifest(&f, 11, &[shared, own_b]).await;
    let (ta, tb) = (tag(&f, "a", a).await, tag(&f, "b", b).await);
    let mut all = adding(&[
        (shared, ContentKind::Blob),
        (own_a, ContentKind::Blob),
        (own_b, ContentKind::Blob),
        (a, ContentKind::Manifest),
        (b, ContentKind::Manifest),
        (ta, ContentKind::Tag),
        (tb, ContentKind::Tag),
    ]);
    all.tag_names = vec!["a".into(), "b".into()];
    apply_change(&f, all).await.unwrap();

    // Plain removal: the manifest and its tag go, its blobs stay.
    let v = apply_change(
        &f,
        Change {
            remove: vec![(b, ContentKind::Manifest)],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        summary(&f, v.number).await["removed"],
        json!({"manifest": 1, "tag": 1})
    );
    assert_eq!(present(&f, &[own_b, shared]).await.len(), 2);

    // Recursive removal: blobs no remaining manifest uses go too; `shared` is not used any
    // more either (b is gone), so both of a's blobs go, and b's orphaned blob stays (only
    // blobs of the removed manifests are considered).
    let v = apply_change(
        &f,
        Change {
            remove: vec![(a, ContentKind::Manifest)],
            recursive: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        summary(&f, v.number).await["removed"],
        json!({"blob": 2, "manifest": 1, "tag": 1})
    );
    assert_eq!(
        present(&f, &[shared, own_a, own_b, a, ta]).await,
        vec![own_b]
    );
    // Removing what is not present creates no version.
    let none = Change {
        remove: vec![(a, ContentKind::Manifest)],
        ..Default::default()
    };
    assert_eq!(apply_change(&f, none).await, None);
}

#[tokio::test]
async fn recursive_removal_keeps_blobs_another_manifest_still_uses() {
    let f = fixture().await;
    let (shared, own) = (blob(&f, 1).await, blob(&f, 2).await);
    let a = manifest(&f, 10, &[shared, own]).await;
    let b = manifest(&f, 11, &[shared]).await;
    apply_change(
        &f,
        adding(&[
            (shared, ContentKind::Blob),
            (own, ContentKind::Blob),
            (a, ContentKind::Manifest),
            (b, ContentKind::Manifest),
        ]),
    )
    .await
    .unwrap();
    let v = apply_change(
        &f,
        Change {
            remove: vec![(a, ContentKind::Manifest)],
            recursive: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        summary(&f, v.number).await["removed"],
        json!({"blob": 1, "manifest": 1})
    );
    assert_eq!(present(&f, &[shared, own, b]).await.len(), 2);
}

#[tokio::test]
async fn retain_repo_versions_keeps_only_the_newest_versions() {
    let f = fixture().await;
    let mut row = push_repos::get(&f.db.conn, f.repo).await.unwrap().unwrap();
    row.retain_repo_versions = Some(2);
    push_repos::update(&f.db.conn, &row).await.unwrap();
    for n in 1..=4 {
        let b = blob(&f, n).await;
        let v = apply_change(&f, adding(&[(b, ContentKind::Blob)]))
            .await
            .unwrap();
        assert_eq!(v.number, i64::from(n));
    }
    let mut kept = vec![];
    for n in 0..=4 {
        if push_repos::version(&f.db.conn, f.repo, n)
            .await
            .unwrap()
            .is_some()
        {
            kept.push(n);
        }
    }
    assert_eq!(kept, vec![3, 4]);
    // The newest version still presents everything added since the repository began.
    assert_eq!(summary(&f, 4).await["present"], json!({"blob": 4}));
}
