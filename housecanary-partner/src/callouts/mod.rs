//! Receiving HouseCanary callouts (webhooks): verified, typed, deduplicated, never lost.
//!
//! HouseCanary `POST`s JSON messages to the partner's callout URL and expects a `2xx` within 30 s; on a
//! timeout or any other status it redelivers the same `message_id` (up to 10 times, at least 5 minutes
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
//! 3. [`MessageLog`] remembers which `message_id`s were processed (and which are being processed), so a
//!    redelivery does not run the application's handler twice. [`InMemoryMessageLog`] is a bounded
//!    implementation.
//! 4. [`CalloutReceiver`] ties them together with the application's async handler and a time budget,
//!    and answers every request with a [`CalloutOutcome`] that maps to an HTTP status. It is
//!    framework-agnostic; with the `axum` feature, the `callouts::axum` module turns it into a
//!    ready `Router`.
//!
//! ```no_run
//! use common_auth::{CalloutAuth, SecretString};
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
//! ```
//!
//! See `docs/callouts.md` for configuring the vendor side, the 30 s rule and rotating a secret.

#[cfg(feature = "axum")]
pub mod axum;
mod claim;
mod error;
mod flexible;
mod memory_log;
mod message;
mod message_log;
mod outcome;
mod process;
mod verifier;

/// Compiles and runs the code blocks of the callouts guide (`docs/callouts.md`) as doc tests.
#[cfg(all(doctest, feature = "axum"))]
#[doc = include_str!("../../../docs/callouts.md")]
struct CalloutsGuide;

pub use error::{CalloutError, ReportDecodeError};
pub use memory_log::InMemoryMessageLog;
pub use message::{CalloutMessage, OrderComplete, OrderItemStatusChange, OrderStatusChange};
pub use message_log::{Begin, BoxFuture, MessageLog, MessageLogError};
pub use outcome::CalloutOutcome;
pub use process::{CalloutReceiver, HandlerError};
pub use verifier::CalloutVerifier;
