//! The one error type of this crate.
//!
//! No variant ever carries a Social Security number, a date of birth, a token or a secret: validation errors
//! name the field and the rule, and any text that comes from the vendor (messages, body excerpts) has its digit
//! runs masked before it is stored (see [`crate::pii::mask_digit_runs`]).

use credit_valuation_core::Delivery;

use crate::ledger::{LedgerError, RepeatRefusal};
use crate::response::return_code::ReturnCodeError;

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

    /// The request failed in the transport: on the network, a timeout, a limit, a refused redirect.
    ///
    /// [`Error::delivery`] says whether the inquiry may have reached the vendor (and been posted on
    /// the consumer's file): when it may have, do not send it again blindly; ask the vendor with
    /// the trace number first.
    #[error("{source} (customerTraceNumber {trace_number:?})")]
    Transport {
        /// What failed, with how far the request got ([`credit_valuation_core::Error::delivery`]).
        #[source]
        source: credit_valuation_core::Error,
        /// The `customerTraceNumber` of the request.
        trace_number: Option<String>,
    },

    /// A 2xx response body could not be decoded. The gateway processed the request: the inquiry
    /// was posted.
    #[error(
        "could not decode the Innovis response at `{path}`: {message} (near: {excerpt:?}); the \
         inquiry was processed, do not send it again (customerTraceNumber {trace_number:?})"
    )]
    Decode {
        /// JSON path of the failure, e.g. `Consumers[0].returnCode` (`.` for the document itself).
        path: String,
        /// What was wrong, from the JSON decoder.
        message: String,
        /// A short piece of the body around the failure with its string values and digit runs
        /// masked.
        excerpt: String,
        /// The `customerTraceNumber` of the request.
        trace_number: Option<String>,
    },

    /// The access token could not be obtained from the token endpoint.
    #[error("could not obtain an Innovis access token: {0}")]
    Token(#[from] common_auth::TokenError),

    /// The inquiry repeats an earlier one and was not sent (see [`crate::ledger::InquiryLedger::begin`]).
    #[error(transparent)]
    DuplicateInquiry(#[from] RepeatRefusal),

    /// The inquiry ledger failed or refused the operation (when it happens before sending, the request
    /// was not sent).
    #[error("inquiry ledger: {0}")]
    Ledger(LedgerError),

    /// The ledger holds no report with this `reportReferenceNumber`.
    #[error(
        "the inquiry ledger holds no report with reportReferenceNumber {report_reference_number}"
    )]
    UnknownReportReference {
        /// The number asked for.
        report_reference_number: String,
    },

    /// Writing an audit export failed.
    #[error("could not write the audit export: {0}")]
    AuditExport(std::io::Error),

    /// The report came back with `returnCode: Error` (see [`crate::ConsumerReport::check`]).
    #[error(transparent)]
    ReturnCode(#[from] ReturnCodeError),
}

impl Error {
    /// How far the request got: whether the inquiry may have reached the vendor and been posted.
    ///
    /// ```
    /// use innovis_client::{Delivery, Error, pii::Ssn};
    /// let err = Ssn::new("12-34").unwrap_err();
    /// assert_eq!(err.delivery(), Delivery::NotSent);
    /// ```
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::Validation { .. }
            | Error::UnregisteredHouseNumber { .. }
            | Error::Token(_)
            | Error::DuplicateInquiry(_)
            | Error::Ledger(_)
            | Error::UnknownReportReference { .. }
            | Error::AuditExport(_) => Delivery::NotSent,
            Error::Auth { .. } => Delivery::Rejected,
            Error::Api { status, .. } => Delivery::for_status(*status),
            Error::Transport { source, .. } => source.delivery(),
            Error::Decode { .. } | Error::ReturnCode(_) => Delivery::Processed,
        }
    }

    /// The `customerTraceNumber` of the request the error belongs to, once it was built.
    ///
    /// ```
    /// let err = innovis_client::pii::Ssn::new("12-34").unwrap_err();
    /// assert_eq!(err.trace_number(), None);
    /// ```
    pub fn trace_number(&self) -> Option<&str> {
        match self {
            Error::Auth { trace_number }
            | Error::Api { trace_number, .. }
            | Error::Transport { trace_number, .. }
            | Error::Decode { trace_number, .. } => trace_number.as_deref(),
            _ => None,
        }
    }

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

impl From<LedgerError> for Error {
    /// A ledger failure; a refused repeat is [`Error::DuplicateInquiry`].
    fn from(err: LedgerError) -> Self {
        match err {
            LedgerError::Refused(refusal) => Error::DuplicateInquiry(refusal),
            other => Error::Ledger(other),
        }
    }
}
