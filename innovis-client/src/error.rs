//! The one error type of this crate.
//!
//! No variant ever carries a Social Security number, a date of birth, a token or a secret: validation errors
//! name the field and the rule, and any text that comes from the vendor (messages, body excerpts) has its digit
//! runs masked before it is stored (see [`crate::pii::mask_digit_runs`]).

use crate::response::ReturnCodeError;

/// Everything that can go wrong when building or sending an Innovis request.
///
/// ```
/// use innovis_client::{Error, pii::Ssn};
///
/// let err = Ssn::new("12-34").unwrap_err();
/// assert!(matches!(err, Error::Validation { field: "ssn", .. }));
/// assert!(!err.to_string().contains("1234"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request field broke a vendor rule (length, format, count). Raised before anything is sent.
    #[error("invalid {field}: {problem}")]
    Validation {
        /// The vendor's name of the field, e.g. `customerId` or `applicants.emailAddress` (no index: the applicant is not named).
        field: &'static str,
        /// What the rule is (e.g. "at most 16 characters"); never the offending value.
        problem: String,
    },

    /// The reseller profile has no House Number for this (permissible purpose, product) combination.
    #[error(
        "no House Number registered for permissible purpose {purpose:?} and product {product:?}; \
         register it with ResellerProfile::register"
    )]
    UnregisteredHouseNumber {
        /// The permissible purpose code that was asked for.
        purpose: String,
        /// The product code that was asked for.
        product: String,
    },

    /// The gateway answered 401 twice, the second time with a freshly fetched token.
    #[error(
        "the Innovis gateway rejected the access token twice (HTTP 401), even a freshly fetched one; \
         likely causes: expired or wrong client credentials, or this machine's IP address is not on the \
         vendor's allowlist"
    )]
    Auth {
        /// The `customerTraceNumber` of the rejected request.
        trace_number: Option<String>,
    },

    /// The gateway answered with a non-success status other than 401 (e.g. 400 with an `errorMessage`).
    #[error(
        "the Innovis gateway answered HTTP {status}: {message} (customerTraceNumber {trace_number:?})"
    )]
    Api {
        /// The HTTP status code.
        status: u16,
        /// The vendor's `errorMessage` when the body has one, else a short excerpt of the body; digit runs
        /// are masked.
        message: String,
        /// The `customerTraceNumber` of the request, to quote to the vendor.
        trace_number: Option<String>,
    },

    /// The request could not be completed at the network level.
    ///
    /// When `may_have_been_sent` is `true` the inquiry may have reached the vendor (and been posted on the
    /// consumer's file): do not send it again blindly, ask the vendor with the trace number first.
    #[error(
        "network failure talking to Innovis ({message}); the request {} (customerTraceNumber {trace_number:?})",
        if *may_have_been_sent { "may have reached the vendor: do not resend it blindly" } else { "was not sent" }
    )]
    Transport {
        /// `false` only when the failure happened before any byte of the request was sent (connect failures).
        may_have_been_sent: bool,
        /// What failed, from the HTTP library (no request body, no headers).
        message: String,
        /// The `customerTraceNumber` of the request.
        trace_number: Option<String>,
    },

    /// The request timeout elapsed after the request was sent. The inquiry may have reached the vendor.
    #[error(
        "the Innovis gateway did not answer within the request timeout; the inquiry may have reached the \
         vendor, do not resend it blindly (customerTraceNumber {trace_number:?})"
    )]
    Timeout {
        /// The `customerTraceNumber` of the request.
        trace_number: Option<String>,
    },

    /// A 2xx response body could not be decoded.
    #[error("could not decode the Innovis response at `{path}`: {message} (near: {excerpt:?})")]
    Decode {
        /// JSON path of the failure, e.g. `Consumers[0].returnCode` (`.` for the document itself).
        path: String,
        /// What was wrong, from the JSON decoder.
        message: String,
        /// A short piece of the body around the failure with its digit runs masked.
        excerpt: String,
    },

    /// The access token could not be obtained from the token endpoint.
    #[error("could not obtain an Innovis access token: {0}")]
    Token(#[from] common_auth::TokenError),

    /// The report came back with `returnCode: Error` (see [`crate::response::ConsumerReport::check`]).
    #[error(transparent)]
    ReturnCode(#[from] ReturnCodeError),
}

impl Error {
    /// Shorthand for a [`Error::Validation`].
    pub(crate) fn validation(field: &'static str, problem: impl Into<String>) -> Self {
        Error::Validation {
            field,
            problem: problem.into(),
        }
    }
}

/// Checks a required text field: not blank, at most `max` characters.
pub(crate) fn check_required(field: &'static str, value: &str, max: usize) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    check_max(field, value, max)
}

/// Checks an optional text field's length.
pub(crate) fn check_max(field: &'static str, value: &str, max: usize) -> Result<(), Error> {
    let len = value.chars().count();
    if len > max {
        return Err(Error::validation(
            field,
            format!("at most {max} characters allowed, got {len}"),
        ));
    }
    Ok(())
}
