//! Unit tests of settings resolution: precedence of flags, file and defaults, and validation.
use super::*;

#[test]
fn flags_override_the_file_and_the_file_overrides_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("berth.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:1\"\nupload_expiry_hours = 5\n").unwrap();
    let cli = Overrides {
        listen: Some("127.0.0.1:2".into()),
        ..Default::default()
    };
    let s = Settings::resolve(cli, Some(&file)).unwrap();
    assert_eq!(s.listen, "127.0.0.1:2");
    assert_eq!(s.upload_expiry_hours, 5);
    assert_eq!(
        s.version_retention_hours, 24,
        "superseded versions go after a day"
    );
    assert_eq!(
        s.orphan_cleanup_interval_hours, 24,
        "orphan cleanup runs daily"
    );
    assert!(s.database_url.starts_with("sqlite://"));
}

#[test]
fn bad_settings_fail_with_a_readable_message() {
    let bad = Overrides {
        listen: Some("nonsense".into()),
        ..Default::default()
    };
    assert!(Settings::resolve(bad, None)
        .unwrap_err()
        .contains("listen address"));
    let bad = Overrides {
        database_url: Some("mysql://x".into()),
        ..Default::default()
    };
    assert!(Settings::resolve(bad, None)
        .unwrap_err()
        .contains("database URL"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("berth.toml");
    std::fs::write(&file, "unknown_key = 1\n").unwrap();
    assert!(Settings::resolve(Overrides::default(), Some(&file)).is_err());
}

#[test]
fn durability_is_full_unless_relaxed_and_a_blob_limit_of_zero_means_none() {
    let s = Settings::resolve(Overrides::default(), None).unwrap();
    assert!(s.durable);
    assert_eq!(s.blob_limit(), None);
    let o = Overrides {
        durability: Some("relaxed".into()),
        max_blob_size: Some(1000),
        ..Default::default()
    };
    let s = Settings::resolve(o, None).unwrap();
    assert!(!s.durable);
    assert_eq!(s.blob_limit(), Some(1000));
    let bad = Overrides {
        durability: Some("sometimes".into()),
        ..Default::default()
    };
    assert!(Settings::resolve(bad, None)
        .unwrap_err()
        .contains("durability 'sometimes'"));
}
