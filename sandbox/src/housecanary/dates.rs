//! "Today" as the vendor means it: the date in `America/Los_Angeles`.

use jiff::civil::Date;

/// The vendor's export names use this zone for "today".
const VENDOR_ZONE: &str = "America/Los_Angeles";

pub(crate) fn today_los_angeles() -> Date {
    let now = jiff::Timestamp::now();
    // jiff bundles the tz database, so the zone is always found; UTC is a harmless fallback.
    match now.in_tz(VENDOR_ZONE) {
        Ok(zoned) => zoned.date(),
        Err(_) => now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
    }
}
