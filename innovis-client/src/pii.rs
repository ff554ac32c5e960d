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
    /// # let _ = ssn;
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
    /// # let _ = dob;
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
    /// # let _ = code;
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

/// Masks every run of 4 or more digits, so that an SSN (`123-45-6789`, `666 01 0001`, `666.01.0001`), a date
/// of birth (`1980-01-02`, `01/02/1980`) or an account number in vendor text becomes `###-##-####`, while
/// short numbers such as field lengths (`16`) stay readable.
///
/// A run is a sequence of digits joined by single separators (space, `.`, `-` or `/`, and their full-width
/// and other Unicode forms); its digits become `#` and its separators are kept. A run with fewer than 4
/// digits in all is left as it is. A digit is any Unicode numeric character, not only ASCII: full-width
/// digits (`６６６０１０００１`) and other scripts' digits are masked too, one `#` each.
///
/// Used for every piece of vendor text this crate puts into an error or a `Debug` output.
///
/// ```
/// use innovis_client::pii::mask_digit_runs;
///
/// assert_eq!(
///     mask_digit_runs("ssn 123-45-6789 dob 1980-01-02, max 16"),
///     "ssn ###-##-#### dob ####-##-##, max 16"
/// );
/// assert_eq!(mask_digit_runs("ssn 666 01 0001."), "ssn ### ## ####.");
/// assert_eq!(mask_digit_runs("ssn ６６６０１０００１"), "ssn #########");
/// ```
pub fn mask_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // The run being read (digits and the separators between them) and how many digits it holds.
    let mut run = String::new();
    let mut digits = 0_usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !is_digit(c) {
            out.push(c);
            continue;
        }
        run.push(c);
        digits += 1;
        match chars.peek().copied() {
            Some(next) if is_digit(next) => continue,
            // A separator joins two groups only when a digit follows it: `666 01` is one run, while in
            // `16 characters` the space ends the run and stays outside it.
            Some(next) if is_separator(next) => {
                let mut ahead = chars.clone();
                ahead.next();
                if ahead.next().is_some_and(is_digit) {
                    run.push(next);
                    chars.next();
                    continue;
                }
            }
            _ => {}
        }
        flush_run(&mut run, digits, &mut out);
        digits = 0;
    }
    // A run always ends on a digit and is flushed right there, so nothing is left in `run` here.
    out
}

/// A decimal digit in any script (`char::is_numeric`, which also counts other numerals such as `²` or `Ⅻ`:
/// masking one of those too costs a little readability and never lets a number through).
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// What may join the groups of one number: `666 01 0001`, `666.01.0001`, `666-01-0001`, `01/02/1980`, and
/// the same separators as they come with full-width digits or from a word processor (full-width forms, a
/// no-break space, Unicode hyphens and dashes), which would otherwise leave the first groups of an SSN
/// readable (`６６６－０１－####`).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '.'
            | '-'
            | '/'
            | '\u{a0}' // no-break space
            | '\u{2010}'..='\u{2013}' // hyphen, non-breaking hyphen, figure dash, en dash
            | '\u{2212}' // minus sign
            | '\u{3000}' // ideographic (full-width) space
            | '\u{ff0d}'..='\u{ff0f}' // full-width hyphen-minus, full stop, solidus
    )
}

/// Writes `run` to `out`, with its digits masked when it holds at least 4 of them, and empties it.
fn flush_run(run: &mut String, digits: usize, out: &mut String) {
    if digits >= 4 {
        out.extend(run.chars().map(|c| if is_digit(c) { '#' } else { c }));
    } else {
        out.push_str(run);
    }
    run.clear();
}

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

    #[test]
    fn masking_keeps_short_numbers() {
        assert_eq!(mask_digit_runs("abc"), "abc");
        assert_eq!(mask_digit_runs("1234"), "####");
        assert_eq!(mask_digit_runs("-123"), "-123");
        assert_eq!(mask_digit_runs("01/02/1980!"), "##/##/####!");
        assert_eq!(mask_digit_runs("a 12 b 345"), "a 12 b 345");
    }

    #[test]
    fn masking_joins_groups_split_by_spaces() {
        assert_eq!(mask_digit_runs("666 01 0001"), "### ## ####");
        assert_eq!(
            mask_digit_runs("ssn 666 01 0001 given"),
            "ssn ### ## #### given"
        );
        // Two short numbers a space apart are one run of 4 digits: masked.
        assert_eq!(mask_digit_runs("12 34"), "## ##");
    }

    #[test]
    fn masking_joins_groups_split_by_dots_and_dashes() {
        assert_eq!(mask_digit_runs("666.01.0001"), "###.##.####");
        assert_eq!(mask_digit_runs("666-01-0001"), "###-##-####");
        assert_eq!(mask_digit_runs("666 01-0001."), "### ##-####.");
        assert_eq!(mask_digit_runs("1980.01.02"), "####.##.##");
    }

    #[test]
    fn masking_covers_full_width_and_other_decimal_digits() {
        assert_eq!(mask_digit_runs("６６６０１０００１"), "#########");
        assert_eq!(mask_digit_runs("６６６－０１－０００１"), "###－##－####");
        assert_eq!(mask_digit_runs("６６６　０１　０００１"), "###　##　####"); // ideographic spaces
        assert_eq!(
            mask_digit_runs("666\u{a0}01\u{2013}0001"),
            "###\u{a0}##\u{2013}####"
        );
        assert_eq!(mask_digit_runs("６６６ ０１ ０００１"), "### ## ####");
        assert_eq!(mask_digit_runs("66６0"), "####"); // ASCII and full-width mixed in one run
        assert_eq!(mask_digit_runs("٦٦٦٠١٠٠٠١"), "#########"); // Arabic-Indic
        assert_eq!(mask_digit_runs("६६६०१"), "#####"); // Devanagari
        assert_eq!(mask_digit_runs("max １６"), "max １６");
    }

    #[test]
    fn masking_ends_a_run_at_a_doubled_or_trailing_separator() {
        // Only a single separator between digits joins: each side is judged alone.
        assert_eq!(mask_digit_runs("12  34"), "12  34");
        assert_eq!(mask_digit_runs("12--34"), "12--34");
        assert_eq!(mask_digit_runs("1234--5678"), "####--####");
        assert_eq!(mask_digit_runs("max 16 characters"), "max 16 characters");
        assert_eq!(mask_digit_runs("ends 1234."), "ends ####.");
        assert_eq!(mask_digit_runs("1234 "), "#### ");
        assert_eq!(mask_digit_runs("v1.2.3"), "v1.2.3");
    }

    /// Every shape at once, as a table: input, expected output.
    #[test]
    fn masking_table() {
        let table = [
            ("", ""),
            ("no digits", "no digits"),
            ("123", "123"),
            ("1234", "####"),
            ("123456789", "#########"),
            ("123-45-6789", "###-##-####"),
            ("666 01 0001", "### ## ####"),
            ("666.01.0001", "###.##.####"),
            ("666/01/0001", "###/##/####"),
            ("01/02/1980", "##/##/####"),
            ("1980-01-02", "####-##-##"),
            ("６６６０１０００１", "#########"),
            ("６６６.０１.０００１", "###.##.####"),
            ("a 12 b 345", "a 12 b 345"),
            ("1 2 3", "1 2 3"),
            ("1 2 3 4", "# # # #"),
            ("1,234,567", "1,234,567"),
            ("(412) 555-0100", "(412) ###-####"),
            ("SSN666010001", "SSN#########"),
            ("max 16, min 2", "max 16, min 2"),
        ];
        for (input, expected) in table {
            assert_eq!(mask_digit_runs(input), expected, "input {input:?}");
        }
    }
}
