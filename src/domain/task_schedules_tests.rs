//! Unit tests of `domain::task_schedules`: interval forms, rendering, slot arithmetic and
//! scheduled-task arguments.
use super::*;

#[test]
fn intervals_in_every_accepted_form() {
    for (text, secs) in [
        ("1 00:00:00", 86_400),
        ("00:30:00", 1_800),
        ("2 03:04:05", 2 * 86_400 + 3 * 3_600 + 4 * 60 + 5),
        ("1 day, 00:00:00", 86_400),
        ("3 days 01:00:00", 3 * 86_400 + 3_600),
        ("90:00", 5_400),
        ("3600", 3_600),
        ("3600.000000", 3_600),
        ("30m", 1_800),
        ("1d", 86_400),
        ("2w", 14 * 86_400),
        ("P1D", 86_400),
        ("PT30M", 1_800),
        ("P1DT2H3M4S", 86_400 + 7_384),
        ("P1W", 604_800),
    ] {
        assert_eq!(parse_interval(text), Ok(secs), "{text}");
    }
}

#[test]
fn bad_intervals_are_refused_with_a_reason() {
    for text in [
        "",
        "abc",
        "1.5",
        "-1 00:00:00",
        "PT",
        "P1H",
        "PT1D",
        "1:2:3:4",
        "::",
        "00:01:00.5",
        "1 x",
        "P1.5D",
    ] {
        assert!(parse_interval(text).is_err(), "{text:?}");
    }
    let e = parse_interval("30s").unwrap_err();
    assert!(e.contains("at least 00:01:00"), "{e}");
    assert!(parse_interval("36600d").is_err());
    assert!(parse_interval("99999999999999999999").is_err());
}

#[test]
fn intervals_render_as_django_does() {
    assert_eq!(render_interval(86_400), "1 00:00:00");
    assert_eq!(render_interval(1_800), "00:30:00");
    assert_eq!(render_interval(90_061), "1 01:01:01");
    assert_eq!(render_interval(60), "00:01:00");
    for s in [60, 1_800, 86_400, 90_061, MAX_INTERVAL_SECONDS] {
        assert_eq!(parse_interval(&render_interval(s)), Ok(s));
    }
}

#[test]
fn the_next_slot_skips_missed_slots() {
    let t0 = DateTime::from_timestamp(1_000_000, 0).unwrap();
    let h = 3_600;
    // On time: one interval on.
    assert_eq!(next_due(t0, h, t0), t0 + Duration::hours(1));
    // Late within the slot: still the next slot.
    assert_eq!(
        next_due(t0, h, t0 + Duration::minutes(59)),
        t0 + Duration::hours(1)
    );
    // Ten hours of downtime: one run now, the next at the next whole slot.
    assert_eq!(
        next_due(t0, h, t0 + Duration::minutes(10 * 60 + 5)),
        t0 + Duration::hours(11)
    );
    // Exactly on a later slot boundary: that slot is taken now, the next is due later.
    assert_eq!(
        next_due(t0, h, t0 + Duration::hours(3)),
        t0 + Duration::hours(4)
    );
}

#[test]
fn scheduled_task_arguments_are_checked_and_stored_in_the_task_rows_shape() {
    let t = ScheduledTask::from_args(ORPHAN_CLEANUP, None).unwrap();
    assert_eq!(
        t.args(1440),
        serde_json::json!({"content": null, "orphan_protection_time": 1440})
    );
    let given = serde_json::json!({"orphan_protection_time": 0, "dry_run": true});
    let t = ScheduledTask::from_args(ORPHAN_CLEANUP, Some(&given)).unwrap();
    assert_eq!(
        t.args(1440),
        serde_json::json!({"content": null, "orphan_protection_time": 0, "dry_run": true})
    );
    assert_eq!(view_args(&t.args(1440).to_string()), given);
    let id = uuid::Uuid::now_v7();
    let href = serde_json::json!({"policy": format!("/pulp/api/v3/retention_policies/{id}/")});
    let t = ScheduledTask::from_args(RETENTION_RUN, Some(&href)).unwrap();
    assert_eq!(
        t.args(0),
        serde_json::json!({"policy": id.to_string(), "dry_run": false})
    );
    for (name, args) in [
        (
            ORPHAN_CLEANUP,
            serde_json::json!({"orphan_protection_time": -1}),
        ),
        (
            ORPHAN_CLEANUP,
            serde_json::json!({"orphan_protection_time": "5"}),
        ),
        (ORPHAN_CLEANUP, serde_json::json!({"content": null})),
        (ORPHAN_CLEANUP, serde_json::json!({"dry_run": 1})),
        (ORPHAN_CLEANUP, serde_json::json!([1])),
        (RETENTION_RUN, serde_json::json!({})),
        (RETENTION_RUN, serde_json::json!({"policy": "nope"})),
        ("pulpcore.app.tasks.purge.purge", serde_json::json!({})),
    ] {
        assert!(
            ScheduledTask::from_args(name, Some(&args)).is_err(),
            "{name} {args}"
        );
    }
}
