//! The one error type of the transport.
//!
//! Texts name the operation (method and path, never a query string) and, for every failure after a
//! request may have left, what is known of its delivery. No variant holds a token, a secret or a
//! body's text unredacted: error bodies are kept as bytes for the vendor crate to interpret, and
//! `Debug` shows only their length.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::delivery::Delivery;
use crate::limits::Limit;

/// Everything that can go wrong sending a request through a [`Transport`](crate::Transport).
///
/// ```
/// use credit_valuation_core::{Delivery, Error};
/// let err = Error::Config { message: "the base URL cannot take paths".into() };
/// assert_eq!(err.delivery(), Delivery::NotSent);
/// assert!(!err.may_have_reached_vendor());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport or the request is misconfigured (a URL that is not `http`/`https`, TLS
    /// setup, a header value). Never retried, never sent.
    #[error("invalid configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },

    /// The operation's body could not be encoded as JSON; nothing was sent.
    #[error("{operation}: could not encode the request body: {message}")]
    Encode {
        /// The call.
        operation: Cow<'static, str>,
        /// What the encoder reported.
        message: String,
    },

    /// No access token could be obtained, so the request was not sent.
    #[error("{operation}: could not obtain an access token: {source}")]
    Token {
        /// The call, e.g. `POST request`.
        operation: Cow<'static, str>,
        /// Why the token endpoint failed.
        #[source]
        source: common_auth::TokenError,
    },

    /// The exchange failed on the network.
    #[error("{operation}: network failure ({message}); {delivery}")]
    Transport {
        /// The call.
        operation: Cow<'static, str>,
        /// What failed, with its causes (no URL query, no header).
        message: String,
        /// [`Delivery::NotSent`] for a connection never established, else what may have happened.
        delivery: Delivery,
    },

    /// An attempt, or the call's overall deadline, ran out of time.
    #[error("{operation}: timed out; {delivery}")]
    Timeout {
        /// The call.
        operation: Cow<'static, str>,
        /// What may have happened to the request.
        delivery: Delivery,
    },

    /// An API call was answered from another URL than the one it was sent to: an injected HTTP
    /// client followed a redirect, so the request may have been sent twice. It is never resent.
    #[error(
        "{operation}: the response came from another URL ({location}); redirects are refused on API \
         calls (give the client an HTTP client built with reqwest::redirect::Policy::none()); {}",
        Delivery::MayHaveBeenProcessed
    )]
    Redirected {
        /// The call.
        operation: Cow<'static, str>,
        /// Where the answer came from, without its query string.
        location: String,
    },

    /// The vendor answered with a status that is not a success (after any retries).
    #[error("{operation}: HTTP {status}; {}", Delivery::for_status(*status))]
    Status {
        /// The call.
        operation: Cow<'static, str>,
        /// The HTTP status code.
        status: u16,
        /// The start of the body (at most [`Limits::error_body`](crate::Limits::error_body) bytes),
        /// for the vendor crate to interpret.
        body: ErrorBody,
        /// The request id the server sent back (`X-Request-Id` and similar), if any.
        request_id: Option<String>,
        /// The server's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
    },

    /// A success body could not be decoded as the expected type. The vendor processed the request.
    #[error(
        "{operation}: could not decode the response at `{path}`: {message} (near: {excerpt:?}); {}",
        Delivery::Processed
    )]
    Decode {
        /// The call.
        operation: Cow<'static, str>,
        /// JSON path of the failure (`.` for the document itself).
        path: String,
        /// What the decoder expected, redacted by the transport's [`Redaction`](crate::Redaction).
        message: String,
        /// A short redacted piece of the body around the failure.
        excerpt: String,
    },

    /// A response broke one of the [`Limits`](crate::Limits).
    #[error("{operation}: the response exceeded the {limit}; {delivery}")]
    LimitExceeded {
        /// The call.
        operation: Cow<'static, str>,
        /// Which limit, and its value.
        limit: Limit,
        /// What happened to the request.
        delivery: Delivery,
    },

    /// A download URL (or a redirect from one) broke the download policy; nothing was sent to it.
    #[error("{operation}: refused to download from {url}: {reason}")]
    DownloadRefused {
        /// The download.
        operation: Cow<'static, str>,
        /// The refused URL without its query string.
        url: String,
        /// Which rule it broke.
        reason: String,
    },

    /// A list's `next` link cannot be followed (another origin, not a URL, or a page already read).
    #[error("{operation}: {message}")]
    Pagination {
        /// The page request that carried the link.
        operation: Cow<'static, str>,
        /// What is wrong with the link.
        message: String,
    },
}

impl Error {
    /// How far the request got (see [`Delivery`]).
    ///
    /// ```
    /// let err = credit_valuation_core::Error::Status {
    ///     operation: "POST orders/".into(), status: 503, body: Default::default(),
    ///     request_id: None, retry_after: None,
    /// };
    /// assert!(err.delivery().may_have_been_processed());
    /// ```
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::Config { .. }
            | Error::Token { .. }
            | Error::Encode { .. }
            | Error::DownloadRefused { .. }
            | Error::Pagination { .. } => Delivery::NotSent,
            Error::Transport { delivery, .. }
            | Error::Timeout { delivery, .. }
            | Error::LimitExceeded { delivery, .. } => *delivery,
            Error::Redirected { .. } => Delivery::MayHaveBeenProcessed,
            Error::Status { status, .. } => Delivery::for_status(*status),
            Error::Decode { .. } => Delivery::Processed,
        }
    }

    /// Whether the request may have reached the vendor.
    ///
    /// ```
    /// let err = credit_valuation_core::Error::Config { message: "bad".into() };
    /// assert!(!err.may_have_reached_vendor());
    /// ```
    pub fn may_have_reached_vendor(&self) -> bool {
        self.delivery().may_have_reached_vendor()
    }

    /// The HTTP status of a [`Error::Status`].
    ///
    /// ```
    /// assert_eq!(credit_valuation_core::Error::Config { message: "x".into() }.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The start of an error response's body. `Debug` shows its length only (it may echo personal
/// data); read it with [`ErrorBody::as_bytes`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ErrorBody(pub(crate) Box<[u8]>);

impl ErrorBody {
    /// The bytes read (at most the error body limit).
    ///
    /// ```
    /// assert!(credit_valuation_core::ErrorBody::default().as_bytes().is_empty());
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ErrorBody(<{} bytes>)", self.0.len())
    }
}

/// The error and its sources on one line (an HTTP library's own message hides the cause).
///
/// ```
/// let io = std::io::Error::other("connection reset");
/// assert_eq!(credit_valuation_core::error_chain(&io), "connection reset");
/// ```
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // reqwest repeats its source's text in its own message at times.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
