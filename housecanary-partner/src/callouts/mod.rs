//! Receiving HouseCanary callouts (webhooks): verified, typed, deduplicated, never lost.
//!
//! HouseCanary `POST`s JSON messages to the partner's callout URL and expects a `2xx` within 30 s; on a
//! timeout or any other status it redelivers the same `message_id` (up to 10 times after the first delivery, at least 5 minutes
//! apart). Delivery is therefore **at least once**: the same message can arrive more than once and
//! messages can arrive out of order.
//!
//! The pieces, in the order a request meets them:
//!
//! 1. [`CalloutVerifier`] checks the raw request (URI, headers, body bytes) against the authentication
//!    scheme chosen at onboarding, *before* anything is parsed. It can hold more than one scheme while a
//!    secret is being rotated.
//! 2. [`CalloutMessage`] is the typed message: [`OrderStatusChange`], [`OrderItemStatusChange`],
//!    [`OrderComplete`], or [`CalloutMessage::Unknown`] for message types this SDK does not know yet.
//! 3. [`MessageLog`] is the callout store: which `message_id`s were processed (and which are being
//!    processed, under a claim with a token and a lease), the durable inbox, and dead letters.
//!    [`InMemoryMessageLog`] is the bounded embedded default (a map and queues); `PostgresMessageLog`
//!    (feature `postgres`) is what several replicas share and what survives restarts.
//! 4. [`CalloutReceiver`] ties them together and answers every request with a [`CalloutOutcome`]
//!    that maps to an HTTP status: **inline** it runs the application's handler within a time budget;
//!    as a **durable inbox** it stores the verified callout and acknowledges it at once, and
//!    [`InboxWorker`]s run the handler with retries, backoff and dead letters. It is
//!    framework-agnostic, its settings one [`ReceiverConfig`]; with the `axum` feature, the
//!    `callouts::axum` module turns it into a ready `Router` that authenticates before reading
//!    bodies, drops bodies that crawl, and a `serve` function with a request-head timeout.
//!
//! ```no_run
//! use housecanary_partner::{CalloutAuth, SecretString};
//! use housecanary_partner::callouts::{
//!     CalloutMessage, CalloutReceiver, CalloutVerifier, InMemoryMessageLog,
//! };
//!
//! let auth = CalloutAuth::hmac_sha1(
//!     http::HeaderName::from_static("x-hc-signature"),
//!     SecretString::from("the secret given to HouseCanary"),
//! )?;
//! let receiver = CalloutReceiver::new(
//!     CalloutVerifier::new(auth),
//!     InMemoryMessageLog::default(),
//!     |message: CalloutMessage| async move {
//!         println!("{:?} {:?}", message.message_type(), message.message_id());
//!         Ok::<(), std::io::Error>(())
//!     },
//! );
//! # let _ = receiver;
//! # Ok::<(), housecanary_partner::CalloutConfigError>(())
//! ```
//!
//! See `docs/callouts.md` for configuring the vendor side, the 30 s rule and rotating a secret.

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod config;
mod decode;
mod error;
mod handler;
mod inbox;
mod memory_log;
mod message;
mod message_log;
mod outcome;
#[cfg(feature = "postgres")]
mod postgres_log;
mod receiver;
mod string_or_number;
mod verifier;

/// Compiles and runs the code blocks of the callouts guide (`docs/callouts.md`) as doc tests.
#[cfg(all(doctest, feature = "axum", feature = "postgres"))]
#[doc = include_str!("../../../docs/callouts.md")]
struct CalloutsGuide;

pub use config::{ConfigError, ReceiverConfig};
pub use error::{CalloutError, ReportDecodeError};
pub use handler::HandlerError;
pub use inbox::{InboxWorker, WorkOutcome};
pub use memory_log::InMemoryMessageLog;
pub use message::{CalloutMessage, OrderComplete, OrderItemStatusChange, OrderStatusChange};
pub use message_log::{
    Begin, BoxFuture, ClaimToken, DeadLetter, Enqueued, MessageLog, MessageLogError, StoredCallout,
};
pub use outcome::CalloutOutcome;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres_log::{
    PostgresMessageLog, PostgresMessageLogBuilder, REDELIVERY_HORIZON, StoreSetupError,
};
pub use receiver::CalloutReceiver;
pub use verifier::CalloutVerifier;
