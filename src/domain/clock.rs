//! Cutoff instants from caller-given ages. Ages come from requests (`orphaned_for`,
//! `orphan_protection_time`), so any `i64` must give an instant both databases can store:
//! huge ages saturate at 0001-01-01 instead of overflowing.
use chrono::{DateTime, Utc};

/// The earliest instant berth uses: 0001-01-01T00:00:00Z.
fn floor() -> DateTime<Utc> {
    DateTime::from_timestamp(-62_135_596_800, 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// `now` minus `minutes` (negative ages count as 0), never before [`floor`].
pub fn minutes_before(now: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    chrono::Duration::try_minutes(minutes.max(0))
        .and_then(|d| now.checked_sub_signed(d))
        .filter(|t| *t > floor())
        .unwrap_or_else(floor)
}

#[cfg(test)]
mod tests {
    use super::minutes_before;
    use chrono::{Datelike, Utc};

    #[test]
    fn any_age_gives_a_storable_instant() {
        let now = Utc::now();
        assert_eq!(minutes_before(now, 0), now);
        assert_eq!(minutes_before(now, -5), now);
        assert_eq!(minutes_before(now, 60), now - chrono::Duration::minutes(60));
        for huge in [7_106_200_130, i64::MAX / 60, i64::MAX] {
            assert_eq!(minutes_before(now, huge).year(), 1);
        }
    }
}
