//! The dates that appear in export file names, and how vendor date strings become one.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, DateTime};
use jiff::{Timestamp, ZonedDateTime};

use super::clock::date_in_export_zone;

/// The `strftime` format of every date in an export file name: ISO 8601 `YYYY-MM-DD`.
///
/// The vendor does not document the format (the reference marks it UNKNOWN); ISO is what a
/// Django `date` renders with `str()`, so it is the assumption here, kept in this one constant.
pub const EXPORT_DATE_FORMAT: &str = "%Y-%m-%d";

/// Longest part of a rejected input quoted in an error.
const EXCERPT_CHARS: usize = 64;

/// A calendar date as used in export file names.
///
/// Built from a plain date, or from an instant, which is converted to its calendar date in
/// `America/Los_Angeles` (the zone the vendor uses for "today"; applying it to completion
/// timestamps too keeps a name stable for the whole Los Angeles day, whatever the offset the
/// timestamp was written with). [`ExportDate::parse`] accepts both kinds of vendor strings.
///
/// # Examples
///
/// ```
/// use housecanary_partner::exports::naming::ExportDate;
///
/// let plain: ExportDate = "2024-03-10".parse()?;
/// // 09:30 UTC on 10 March 2024 is 01:30 PST: the same Los Angeles day.
/// let instant: ExportDate = "2024-03-10T09:30:00Z".parse()?;
/// assert_eq!(plain, instant);
/// assert_eq!(instant.to_string(), "2024-03-10");
/// # Ok::<(), housecanary_partner::exports::naming::ExportDateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExportDate(Date);

impl ExportDate {
    /// Wraps a calendar date as it is.
    pub fn from_date(date: Date) -> Self {
        Self(date)
    }

    /// The calendar date of `instant` in `America/Los_Angeles`.
    pub fn from_timestamp(instant: Timestamp) -> Self {
        Self(date_in_export_zone(instant))
    }

    /// Parses a date the vendor sent, in any of these forms:
    ///
    /// - a plain date, `2024-03-10`: taken as is;
    /// - an RFC 3339 / ISO 8601 timestamp with `Z` or an offset (`2024-03-10T09:30:00Z`,
    ///   `2024-03-10T01:30:00.123456-08:00`, a space instead of `T`): converted to its
    ///   `America/Los_Angeles` calendar date;
    /// - a timestamp with a bracketed time zone (`2024-03-10T01:30:00[America/Los_Angeles]`):
    ///   likewise converted;
    /// - a date-time without any offset (`2024-03-10T23:30:00`): there is no instant to convert,
    ///   so its date is taken as written.
    ///
    /// Surrounding whitespace is ignored.
    ///
    /// # Errors
    ///
    /// [`ExportDateError::Unrecognized`] when the text is none of the above.
    pub fn parse(input: &str) -> Result<Self, ExportDateError> {
        let text = input.trim();
        if let Ok(instant) = text.parse::<Timestamp>() {
            return Ok(Self::from_timestamp(instant));
        }
        if let Ok(zoned) = text.parse::<ZonedDateTime>() {
            return Ok(Self::from_timestamp(zoned.timestamp()));
        }
        // No offset: there is no instant to convert, so keep the date as written. `DateTime`
        // parsing also accepts a plain date (as midnight).
        if let Ok(datetime) = text.parse::<DateTime>() {
            return Ok(Self(datetime.date()));
        }
        Err(ExportDateError::Unrecognized {
            excerpt: crate::text::excerpt(text, EXCERPT_CHARS),
        })
    }

    /// The calendar date.
    pub fn date(self) -> Date {
        self.0
    }
}

impl From<Date> for ExportDate {
    fn from(date: Date) -> Self {
        Self::from_date(date)
    }
}

impl From<Timestamp> for ExportDate {
    fn from(instant: Timestamp) -> Self {
        Self::from_timestamp(instant)
    }
}

impl From<&ZonedDateTime> for ExportDate {
    fn from(zoned: &ZonedDateTime) -> Self {
        Self::from_timestamp(zoned.timestamp())
    }
}

impl From<ZonedDateTime> for ExportDate {
    fn from(zoned: ZonedDateTime) -> Self {
        Self::from(&zoned)
    }
}

impl FromStr for ExportDate {
    type Err = ExportDateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Formats with [`EXPORT_DATE_FORMAT`].
impl fmt::Display for ExportDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime(EXPORT_DATE_FORMAT))
    }
}

/// A vendor date string that [`ExportDate::parse`] could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportDateError {
    /// Neither a `YYYY-MM-DD` date nor an ISO 8601 / RFC 3339 date-time.
    #[error(
        "`{excerpt}` is not a date (YYYY-MM-DD) or an ISO 8601 date-time \
         (e.g. 2024-03-10T09:30:00Z)"
    )]
    Unrecognized {
        /// The start of the rejected text (its first 64 characters, `…` marking a cut).
        excerpt: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(s: &str) -> String {
        ExportDate::parse(s).unwrap().to_string()
    }

    #[test]
    fn accepts_the_vendor_forms() {
        assert_eq!(parsed("2024-03-10"), "2024-03-10");
        assert_eq!(parsed(" 2024-03-10 \n"), "2024-03-10");
        assert_eq!(parsed("2024-03-10T09:30:00Z"), "2024-03-10");
        assert_eq!(parsed("2024-03-11T07:30:00.123456Z"), "2024-03-11");
        assert_eq!(parsed("2024-03-11T06:30:00.123456Z"), "2024-03-10");
        // Written with the winter offset after DST began: 07:30 UTC is 00:30 PDT the next day.
        assert_eq!(parsed("2024-03-10 23:30:00-08:00"), "2024-03-11");
        assert_eq!(parsed("2024-03-09 23:30:00-08:00"), "2024-03-09");
        assert_eq!(parsed("2024-03-11T01:30:00+02:00"), "2024-03-10");
        assert_eq!(
            parsed("2024-03-10T23:30:00-07:00[America/Los_Angeles]"),
            "2024-03-10"
        );
        assert_eq!(parsed("2024-03-10T23:30:00"), "2024-03-10");
    }

    #[test]
    fn rejects_other_text_with_a_bounded_excerpt() {
        for bad in ["", "yesterday", "2024-13-01", "2024-02-30", "03/10/2024"] {
            assert!(ExportDate::parse(bad).is_err(), "{bad:?} accepted");
        }
        let long = "x".repeat(500);
        let ExportDateError::Unrecognized { excerpt } = ExportDate::parse(&long).unwrap_err();
        assert_eq!(excerpt.chars().count(), EXCERPT_CHARS + 1);
        assert!(excerpt.ends_with('…'));
    }
}
