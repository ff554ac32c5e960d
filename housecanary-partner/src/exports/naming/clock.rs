//! "Today" as the vendor means it: the current date in `America/Los_Angeles`, from an injectable
//! clock so tests can pin the instant.

use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};

/// The IANA name of the time zone the vendor uses for "today" in export file names.
pub const EXPORT_TIME_ZONE: &str = "America/Los_Angeles";

/// The same zone as a POSIX TZ rule: the current US Pacific rules (since 2007). Only used if the
/// bundled database somehow lacks the zone, which the tests rule out.
const EXPORT_TIME_ZONE_POSIX: &str = "PST8PDT,M3.2.0,M11.1.0";

/// A source of the current instant.
///
/// The naming functions take a clock instead of reading the system time, so tests (and callers
/// reproducing a name computed earlier) can fix "now".
pub trait Clock {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The real clock: [`Timestamp::now`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that always answers the same instant (for tests and reproducible names).
///
/// # Examples
///
/// ```
/// use housecanary_partner::exports::naming::{Clock, FixedClock};
/// use jiff::Timestamp;
///
/// let instant: Timestamp = "2024-11-03T08:30:00Z".parse().unwrap();
/// let clock = FixedClock::new(instant);
/// assert_eq!(clock.now(), instant);
/// assert_eq!(clock.instant(), instant);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(Timestamp);

impl FixedClock {
    /// A clock fixed at `instant`.
    pub fn new(instant: Timestamp) -> Self {
        Self(instant)
    }

    /// The instant this clock answers.
    pub fn instant(&self) -> Timestamp {
        self.0
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Timestamp {
        (**self).now()
    }
}

/// The `America/Los_Angeles` time zone, from jiff's bundled tz database (no system zoneinfo
/// needed).
pub fn export_time_zone() -> &'static TimeZone {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| {
        // The bundled database always has the zone; the fallbacks only exist so that this never
        // panics. The POSIX rule is exact for every date since 2007.
        TimeZone::get(EXPORT_TIME_ZONE)
            .or_else(|_| TimeZone::posix(EXPORT_TIME_ZONE_POSIX))
            .unwrap_or_else(|_| TimeZone::fixed(Offset::constant(-8)))
    })
}

/// The calendar date of `instant` in `America/Los_Angeles`.
pub fn date_in_export_zone(instant: Timestamp) -> Date {
    instant.to_zoned_datetime(export_time_zone().clone()).date()
}

/// Today's date in `America/Los_Angeles` according to `clock`: the vendor's fallback date.
pub fn today(clock: &(impl Clock + ?Sized)) -> Date {
    date_in_export_zone(clock.now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_database_has_the_zone() {
        assert!(TimeZone::get(EXPORT_TIME_ZONE).is_ok());
        assert_eq!(export_time_zone().iana_name(), Some(EXPORT_TIME_ZONE));
    }

    #[test]
    fn posix_fallback_parses_and_agrees_on_dst() {
        let posix = TimeZone::posix(EXPORT_TIME_ZONE_POSIX).unwrap();
        for s in [
            "2024-03-10T09:59:59Z",
            "2024-03-10T10:00:00Z",
            "2024-11-03T08:59:59Z",
            "2024-11-03T09:00:00Z",
        ] {
            let ts: Timestamp = s.parse().unwrap();
            assert_eq!(
                posix.to_offset(ts),
                export_time_zone().to_offset(ts),
                "offset at {s}"
            );
        }
    }
}
