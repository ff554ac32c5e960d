//! The error type of every client call.

use std::collections::BTreeMap;
use std::time::Duration;

/// Everything that can go wrong in a call to the Partner API.
///
/// Texts name the operation (method and path, never a signed URL's query string) and what the
/// vendor said; they never contain the partner token.
///
/// ```no_run
/// # async fn run(client: housecanary_partner::Client) {
/// use housecanary_partner::Error;
/// match client.get_order(42_u64).await {
///     Ok(order) => println!("{:?}", order.status),
///     Err(Error::Auth { .. }) => eprintln!("check the partner token"),
///     Err(Error::Api { status: 404, .. }) => eprintln!("no such order"),
///     Err(other) => eprintln!("{other}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request value the vendor would reject, caught before sending.
    #[error("invalid {field}: {message}")]
    Validation {
        /// Where the bad value is, e.g. `items[3].zipcode`.
        field: String,
        /// What is wrong with it.
        message: String,
    },

    /// The configuration cannot produce a working client (bad base URL, TLS setup, ...).
    #[error("invalid client configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },

    /// `401 Unauthorized`: the partner token is missing, wrong or revoked.
    #[error(
        "{operation}: HouseCanary rejected the partner token (401){}; check the token and that it is sent as `Token <t>`",
        detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
    )]
    Auth {
        /// The call, e.g. `GET orders/42/`.
        operation: String,
        /// The vendor's `detail` text, if any.
        detail: Option<String>,
        /// The request id the server sent back, if any.
        request_id: Option<String>,
    },

    /// Any other non-success status, with a Django-REST-Framework style body decoded when present.
    #[error(
        "{operation} failed with HTTP {status}{}{}{}",
        detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default(),
        format_field_errors(field_errors),
        request_id.as_deref().map(|r| format!(" (request id {r})")).unwrap_or_default()
    )]
    Api {
        /// The call, e.g. `POST orders/`.
        operation: String,
        /// The HTTP status code.
        status: u16,
        /// `{"detail": "..."}`, or the start of a body that is not JSON; a markup body (a
        /// storage service's XML error) is summarised, never quoted. At most
        /// [`credit_valuation_core::MAX_QUOTED_BYTES`] bytes, query strings redacted.
        detail: Option<String>,
        /// `{"field": ["message", ...]}`; nested errors are flattened to paths such as
        /// `items[1].zipcode`; `non_field_errors` is kept under that name. Paths and messages are
        /// quoted like `detail`; past 20 messages the rest are counted under `(more)`.
        field_errors: BTreeMap<String, Vec<String>>,
        /// The request id the server sent back (`X-Request-Id` and similar headers), if any.
        request_id: Option<String>,
        /// The server's `Retry-After`, when it sent one (for example with a 429 that outlived
        /// the retry policy).
        retry_after: Option<Duration>,
    },

    /// The request failed in the transport: on the network, a timeout, a limit, a refused
    /// redirect or download URL, a `next` link that cannot be followed. [`Error::delivery`]
    /// says whether the request may have reached the vendor.
    #[error(transparent)]
    Transport(credit_valuation_core::Error),

    /// A wait such as [`Client::wait_for_export`](crate::Client::wait_for_export) ran past its
    /// deadline (a single request that times out is an [`Error::Transport`]).
    #[error("{operation}: the wait expired")]
    WaitExpired {
        /// What was waited for, with what is known of its state.
        operation: String,
    },

    /// A success response whose body is not what the API documents.
    #[error(
        "{operation}: could not decode the response at `{path}`: {message} (body starts: {excerpt:?})"
    )]
    Decode {
        /// The call, e.g. `GET orders/42/`.
        operation: String,
        /// JSON path of the offending value (`.` for the root), from `serde_path_to_error`.
        path: String,
        /// What the decoder expected.
        message: String,
        /// The body around the failure (`…` marks a cut), query strings redacted.
        excerpt: String,
    },

    /// The response made sense as JSON but not as an answer (e.g. a `next` page on another host,
    /// an export without a download URL).
    #[error("{operation}: unexpected response: {message}")]
    UnexpectedResponse {
        /// The call.
        operation: String,
        /// What was unexpected.
        message: String,
    },

    /// An export request ended in a terminal status other than `complete`.
    #[error("export request {export_id} ended with status `{status}`")]
    ExportFailed {
        /// The export request's id.
        export_id: String,
        /// The status it ended in.
        status: crate::status::ExportStatus,
    },

    /// Writing a download to its destination failed.
    #[error("{operation}: could not write the download: {source}")]
    Io {
        /// The download.
        operation: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The HTTP status, for [`Error::Auth`] and [`Error::Api`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Auth { .. } => Some(401),
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How far the request got: whether it may have reached the vendor and been processed.
    pub fn delivery(&self) -> credit_valuation_core::Delivery {
        use credit_valuation_core::Delivery;
        match self {
            Self::Validation { .. } | Self::Config { .. } => Delivery::NotSent,
            Self::Auth { .. } => Delivery::Rejected,
            Self::Api { status, .. } => Delivery::for_status(*status),
            Self::Transport(source) => source.delivery(),
            // The last answer arrived; what remains is the vendor's processing.
            Self::WaitExpired { .. }
            | Self::Decode { .. }
            | Self::UnexpectedResponse { .. }
            | Self::ExportFailed { .. }
            | Self::Io { .. } => Delivery::Processed,
        }
    }

    /// The request id the server sent with an error response, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Auth { request_id, .. } | Self::Api { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

fn format_field_errors(field_errors: &BTreeMap<String, Vec<String>>) -> String {
    if field_errors.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = field_errors
        .iter()
        .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
        .collect();
    format!(" [{}]", parts.join("; "))
}

/// Shorthand for results of this crate's client calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;
