//! What became of one received callout, and the HTTP answer it maps to.

use std::time::Duration;

use http::StatusCode;

use super::error::CalloutError;
use super::handler::HandlerError;

/// The result of handling one callout (`CalloutReceiver::handle`): what happened, and through
/// [`status`](Self::status) and [`body`](Self::body) what to answer.
///
/// Only a `2xx` tells HouseCanary the message was delivered. Every other answer makes it redeliver
/// the message later (up to 10 redeliveries), which is exactly what a failed or overrun handler needs.
///
/// ```
/// use housecanary_partner::callouts::CalloutOutcome;
///
/// let outcome = CalloutOutcome::Unauthorized;
/// assert_eq!(outcome.status(), http::StatusCode::UNAUTHORIZED);
/// assert!(!outcome.is_acknowledged());
/// assert_eq!(outcome.body(), "unauthorized"); // never which part failed
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CalloutOutcome {
    /// The handler accepted the message and it was marked processed. `200 OK`.
    Processed {
        /// The message's id (`None` for an unknown message type without one: not deduplicated).
        message_id: Option<String>,
    },
    /// This id was processed before; the handler was not called again. `200 OK`.
    AlreadyProcessed {
        /// The redelivered id.
        message_id: String,
    },
    /// Authentication failed. `401 Unauthorized`, with no detail for the sender; the reason is
    /// logged by the receiver.
    Unauthorized,
    /// The body exceeds the configured limit. `413 Payload Too Large`.
    TooLarge {
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// Authenticated, but not a callout body: stored raw as a dead letter with the parse error, and
    /// acknowledged (`200 OK`) so it is not lost when the vendor stops redelivering.
    DeadLettered {
        /// The id it is stored under (`unparsed-` and a digest of the body).
        message_id: String,
        /// Why it could not be parsed.
        error: CalloutError,
    },
    /// Inbox mode: the verified callout is stored durably for the workers. `200 OK`.
    Stored {
        /// The id it is stored under.
        message_id: String,
        /// `false` when the id was already stored (a redelivery).
        new: bool,
    },
    /// Too many requests are being read or processed at once (the receiver's in-flight or memory
    /// limit); nothing was read. `503 Service Unavailable`, so the vendor redelivers later.
    Overloaded,
    /// Another delivery of the same id is being processed right now. `503 Service Unavailable`, so
    /// the vendor redelivers later and then gets its answer from the log.
    InProgress {
        /// The id being processed.
        message_id: String,
    },
    /// The handler returned an error or panicked; the id stays unprocessed.
    /// `500 Internal Server Error`.
    HandlerFailed {
        /// The message's id.
        message_id: Option<String>,
        /// What the handler reported.
        error: HandlerError,
    },
    /// The handler did not finish within the budget and was cancelled; the id stays unprocessed.
    /// `503 Service Unavailable`.
    TimedOut {
        /// The message's id.
        message_id: Option<String>,
        /// The budget that was exceeded.
        budget: Duration,
    },
    /// The [`MessageLog`](super::MessageLog) could not be asked whether the id was processed; the
    /// handler was not called. `503 Service Unavailable`.
    LogUnavailable {
        /// The message's id.
        message_id: String,
    },
}

impl CalloutOutcome {
    /// The HTTP status to answer with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Processed { .. }
            | Self::AlreadyProcessed { .. }
            | Self::DeadLettered { .. }
            | Self::Stored { .. } => StatusCode::OK,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::HandlerFailed { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            Self::InProgress { .. }
            | Self::TimedOut { .. }
            | Self::LogUnavailable { .. }
            | Self::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// A short plain-text description for the answer's body. It never names which part of
    /// authentication failed and never echoes the request. (The axum endpoint sends it with every
    /// answer but a `2xx`, which it leaves empty.)
    pub fn body(&self) -> &'static str {
        match self {
            Self::Processed { .. } => "processed",
            Self::AlreadyProcessed { .. } => "already processed",
            Self::Unauthorized => "unauthorized",
            Self::TooLarge { .. } => "payload too large",
            Self::DeadLettered { .. } => "stored as a dead letter",
            Self::Stored { .. } => "stored",
            Self::InProgress { .. } => "being processed; retry later",
            Self::Overloaded => "overloaded; retry later",
            Self::HandlerFailed { .. } => "handler failed; retry later",
            Self::TimedOut { .. } => "handler timed out; retry later",
            Self::LogUnavailable { .. } => "message log unavailable; retry later",
        }
    }

    /// Whether the answer is a `2xx`, which ends the vendor's redeliveries of this message.
    pub fn is_acknowledged(&self) -> bool {
        self.status().is_success()
    }

    /// The message id involved, when there is one.
    pub fn message_id(&self) -> Option<&str> {
        match self {
            Self::Processed { message_id }
            | Self::HandlerFailed { message_id, .. }
            | Self::TimedOut { message_id, .. } => message_id.as_deref(),
            Self::AlreadyProcessed { message_id }
            | Self::InProgress { message_id }
            | Self::LogUnavailable { message_id }
            | Self::DeadLettered { message_id, .. }
            | Self::Stored { message_id, .. } => Some(message_id),
            Self::Unauthorized | Self::TooLarge { .. } | Self::Overloaded => None,
        }
    }
}
