//! Personal data that must never show up in logs: Social Security numbers, dates of birth, consumer access
//! codes.
//!
//! Each type validates its format on construction, prints `[REDACTED]` in `Debug`, and has neither `Display`
//! nor `Serialize`: the value leaves the type only through [`Ssn::expose`] and friends, which the crate calls
//! to build the request body it sends (a `serde_json::to_string` of a request or of these types does not
//! compile, so an application cannot write them to a log or a queue by accident).

use std::fmt;

use crate::error::Error;

const REDACTED: &str = "[REDACTED]";

/// A Social Security number: exactly 9 digits. Dashes are accepted on input and stripped.
///
/// ```
/// use innovis_client::pii::Ssn;
///
/// let ssn = Ssn::new("123-45-6789")?;
/// assert_eq!(ssn.expose(), "123456789");
/// assert_eq!(format!("{ssn:?}"), "Ssn([REDACTED])");
/// assert!(Ssn::new("12345678").is_err());
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Ssn(String);

impl Ssn {
    /// Validates and normalizes an SSN (`123456789` or `123-45-6789`).
    ///
    /// ```
    /// let ssn = innovis_client::pii::Ssn::new("123-45-6789")?;
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        let value = value.as_ref().trim();
        if !value.chars().all(|c| c.is_ascii_digit() || c == '-') {
            return Err(Error::validation(
                "ssn",
                "only digits and dashes are allowed",
            ));
        }
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 9 {
            return Err(Error::validation(
                "ssn",
                "must be exactly 9 digits (dashes allowed)",
            ));
        }
        Ok(Ssn(digits))
    }

    /// The 9 digits, for the caller's own storage. Never log this.
    ///
    /// ```
    /// let ssn = innovis_client::pii::Ssn::new("123-45-6789")?;
    /// assert_eq!(ssn.expose(), "123456789");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Ssn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ssn({REDACTED})")
    }
}

/// A date of birth, sent as `YYYY-MM-DD`.
///
/// ```
/// use innovis_client::pii::DateOfBirth;
///
/// let dob = DateOfBirth::new("1980-02-29")?;
/// assert_eq!(dob.expose(), "1980-02-29");
/// assert_eq!(format!("{dob:?}"), "DateOfBirth([REDACTED])");
/// assert!(DateOfBirth::new("1981-02-29").is_err()); // not a real date
/// assert!(DateOfBirth::new("02/29/1980").is_err()); // wrong format
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DateOfBirth(String);

impl DateOfBirth {
    /// Validates a `YYYY-MM-DD` date (a real calendar date).
    ///
    /// ```
    /// let dob = innovis_client::pii::DateOfBirth::new("1980-01-02")?;
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        let value = value.as_ref().trim();
        let bytes = value.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(Error::validation("dob", "must be formatted YYYY-MM-DD"));
        }
        if value.parse::<jiff::civil::Date>().is_err() {
            return Err(Error::validation("dob", "is not a valid calendar date"));
        }
        Ok(DateOfBirth(value.to_owned()))
    }

    /// A date of birth from a calendar date.
    ///
    /// ```
    /// use innovis_client::pii::DateOfBirth;
    ///
    /// let dob = DateOfBirth::from_date(jiff::civil::date(1975, 7, 4));
    /// assert_eq!(dob.expose(), "1975-07-04");
    /// ```
    pub fn from_date(date: jiff::civil::Date) -> Self {
        DateOfBirth(date.strftime("%Y-%m-%d").to_string())
    }

    /// The `YYYY-MM-DD` text, for the caller's own storage. Never log this.
    ///
    /// ```
    /// let dob = innovis_client::pii::DateOfBirth::new("1980-01-02")?;
    /// assert_eq!(dob.expose(), "1980-01-02");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateOfBirth({REDACTED})")
    }
}

/// A consumer access code (at most 10 characters), which a consumer gives to unlock access to their file.
///
/// ```
/// use innovis_client::pii::ConsumerAccessCode;
///
/// let code = ConsumerAccessCode::new("K3Y9")?;
/// assert_eq!(format!("{code:?}"), "ConsumerAccessCode([REDACTED])");
/// assert!(ConsumerAccessCode::new("ELEVEN-CHAR").is_err());
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ConsumerAccessCode(String);

impl ConsumerAccessCode {
    /// Validates the length (1 to 10 characters).
    ///
    /// ```
    /// let code = innovis_client::pii::ConsumerAccessCode::new("K3Y9")?;
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        crate::error::check_required("consumerAccessCode", &value, 10)?;
        Ok(ConsumerAccessCode(value))
    }

    /// The code, for the caller's own storage. Never log this.
    ///
    /// ```
    /// let code = innovis_client::pii::ConsumerAccessCode::new("K3Y9")?;
    /// assert_eq!(code.expose(), "K3Y9");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ConsumerAccessCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConsumerAccessCode({REDACTED})")
    }
}

/// Masks numbers of 4 or more digits, phone numbers and dates in vendor text (one rule for both
/// clients, see [`credit_valuation_core::mask_digit_runs`]): an SSN in any spacing (`666 - 01 - 0001`,
/// `666_01_0001`) becomes `### - ## - ####`, while short numbers such as field lengths (`16`) stay
/// readable.
///
/// ```
/// use innovis_client::pii::mask_digit_runs;
/// assert_eq!(mask_digit_runs("ssn 666_01_0001, born 12 Apr 1980"), "ssn ###_##_####, born ## ### ####");
/// ```
pub use credit_valuation_core::mask_digit_runs;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssn_accepts_dashes_and_rejects_other_shapes() {
        assert_eq!(Ssn::new("123456789").unwrap().expose(), "123456789");
        assert_eq!(Ssn::new(" 123-45-6789 ").unwrap().expose(), "123456789");
        for bad in [
            "",
            "1234567890",
            "12345678",
            "123 45 6789",
            "12345678a",
            "１２３４５６７８９",
        ] {
            let err = Ssn::new(bad).unwrap_err();
            assert!(
                matches!(err, Error::Validation { field: "ssn", .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn dob_checks_shape_and_calendar() {
        assert!(DateOfBirth::new("2000-02-29").is_ok());
        for bad in [
            "2001-02-29",
            "1980-13-01",
            "1980-1-01",
            "19800101",
            "1980/01/01",
            "",
        ] {
            assert!(DateOfBirth::new(bad).is_err(), "{bad}");
        }
    }
}
