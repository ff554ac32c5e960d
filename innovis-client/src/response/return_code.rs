//! `returnCode`: what the vendor found.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::borrowed_str::BorrowedStr;

/// The outcome of an inquiry (`returnCode`). Unknown values are kept in [`ReturnCode::Other`].
///
/// ```
/// use innovis_client::ReturnCode;
///
/// let code: ReturnCode = serde_json::from_str("\"No Record\"").unwrap();
/// assert_eq!(code, ReturnCode::NoRecord);
/// assert!(!code.consumer_found());
/// let new: ReturnCode = serde_json::from_str("\"Pending\"").unwrap();
/// assert_eq!(new, ReturnCode::Other("Pending".into()));
/// assert_eq!(serde_json::to_string(&ReturnCode::NoRecord).unwrap(), "\"No Record\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReturnCode {
    /// `Record`: the consumer was found.
    Record,
    /// `No Record`: the consumer was not found.
    NoRecord,
    /// `Suppress`: the file is offline; see the reason code.
    Suppress,
    /// `Error`: the request format or fields were wrong; see the reason code and text.
    Error,
    /// `Exempt`: the consumer was found.
    Exempt,
    /// A value this crate does not know, as sent.
    Other(String),
}

impl ReturnCode {
    /// The wire value (`"No Record"` for [`ReturnCode::NoRecord`]).
    ///
    /// ```
    /// assert_eq!(innovis_client::ReturnCode::Suppress.as_str(), "Suppress");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            ReturnCode::Record => "Record",
            ReturnCode::NoRecord => "No Record",
            ReturnCode::Suppress => "Suppress",
            ReturnCode::Error => "Error",
            ReturnCode::Exempt => "Exempt",
            ReturnCode::Other(other) => other,
        }
    }

    /// `true` for `Record` and `Exempt`, which the vendor documents as "consumer found".
    ///
    /// ```
    /// assert!(innovis_client::ReturnCode::Exempt.consumer_found());
    /// ```
    pub fn consumer_found(&self) -> bool {
        matches!(self, ReturnCode::Record | ReturnCode::Exempt)
    }

    /// Parses a wire value. Matching ignores case and spaces (`"NoRecord"`, `"NO RECORD"`), since the
    /// vendor's exact spelling is only known from its documentation.
    fn parse(value: Cow<'_, str>) -> Self {
        // Compared in place, without a folded copy: every report carries one, and the known
        // words are ASCII.
        let spells = |word: &str| {
            value
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_lowercase())
                .eq(word.chars())
        };
        let known = [
            ("record", ReturnCode::Record),
            ("norecord", ReturnCode::NoRecord),
            ("suppress", ReturnCode::Suppress),
            ("error", ReturnCode::Error),
            ("exempt", ReturnCode::Exempt),
        ];
        known
            .into_iter()
            .find_map(|(word, code)| spells(word).then_some(code))
            .unwrap_or_else(|| ReturnCode::Other(value.into_owned()))
    }
}

impl fmt::Display for ReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ReturnCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ReturnCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BorrowedStr::deserialize(deserializer).map(|BorrowedStr(code)| ReturnCode::parse(code))
    }
}

/// A report that came back with `returnCode: Error`, as a Rust error: the vendor's reason code and text.
///
/// Made by [`crate::ConsumerReport::check`] and [`crate::ReportResponse::check`]; converts into
/// [`crate::Error::ReturnCode`]. The reason text has its digit runs masked.
///
/// ```
/// use innovis_client::ConsumerReport;
///
/// let report: ConsumerReport = serde_json::from_str(
///     r#"{"returnCode":"Error","returnReasonCode":"E012","returnReasonDesc":"INVALID SSN"}"#,
/// ).unwrap();
/// let err = report.check().unwrap_err();
/// assert_eq!(err.reason_code.as_deref(), Some("E012"));
/// assert!(err.to_string().contains("INVALID SSN"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Innovis answered returnCode Error: reason {} ({}), customerTraceNumber {}",
    reason_code.as_deref().unwrap_or("none"),
    reason_text.as_deref().unwrap_or("no description"),
    trace_number.as_deref().unwrap_or("unknown")
)]
#[non_exhaustive]
pub struct ReturnCodeError {
    /// `returnReasonCode`.
    pub reason_code: Option<String>,
    /// `returnReasonDesc`, digit runs masked.
    pub reason_text: Option<String>,
    /// `customerTraceNumber` echoed in the report.
    pub trace_number: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_ignore_case_and_spaces_and_unknown_ones_are_kept() {
        let cases = [
            ("Record", ReturnCode::Record),
            ("No Record", ReturnCode::NoRecord),
            ("NORECORD", ReturnCode::NoRecord),
            ("no\u{a0}record", ReturnCode::NoRecord),
            (" Suppress ", ReturnCode::Suppress),
            ("ERROR", ReturnCode::Error),
            ("exempt", ReturnCode::Exempt),
            ("Records", ReturnCode::Other("Records".to_owned())),
            ("", ReturnCode::Other(String::new())),
        ];
        for (wire, expected) in cases {
            assert_eq!(ReturnCode::parse(wire.into()), expected, "{wire:?}");
        }
    }
}
