//! Receiving HouseCanary callouts (webhooks): verified, typed, deduplicated, never lost.
//!
//! HouseCanary `POST`s JSON messages to the partner's callout URL and expects a `2xx` within 30 s;
//! otherwise it redelivers the same `message_id` (up to 10 times, at least 5 minutes apart):
//! delivery is **at least once**, in any order.
//!
//! A request meets, in order: the [`CalloutVerifier`] (the onboarding's scheme, over the raw
//! request, before any parsing); the typed [`CalloutMessage`]; the [`CalloutReceiver`], which
//! answers with a [`CalloutOutcome`] and either runs the handler **inline**, deduplicated through the
//! [`MessageLog`], or stores the callout in the **durable inbox** for [`InboxWorker`]s. The log is
//! [`InMemoryMessageLog`] (bounded, embedded) or `PostgresMessageLog` (feature `postgres`, shared by
//! replicas). With the `axum` feature, `callouts::axum` gives the endpoint and a `serve` function.
//!
//! ```
//! use std::sync::Arc;
//! use housecanary_partner::{CalloutAuth, SecretString};
//! use housecanary_partner::callouts::{
//!     CalloutMessage, CalloutReceiver, CalloutVerifier, InMemoryMessageLog,
//! };
//!
//! fn receiver(secret: SecretString) -> Result<CalloutReceiver, Box<dyn std::error::Error>> {
//!     let header = http::HeaderName::from_static("x-hc-signature");
//!     let auth = CalloutAuth::hmac_sha1(header, secret)?;
//!     Ok(CalloutReceiver::new(
//!         CalloutVerifier::new(auth),
//!         Arc::new(InMemoryMessageLog::default()),
//!         |message: CalloutMessage| async move {
//!             println!("{} {:?}", message.message_type(), message.message_id());
//!             Ok::<(), std::io::Error>(())
//!         },
//!     )?)
//! }
//! # receiver(SecretString::from("the secret given to HouseCanary")).unwrap();
//! ```
//!
//! See `docs/callouts.md` for configuring the vendor side, the 30 s rule and rotating a secret.

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod config;
mod inbox;
mod memory_log;
mod message;
mod message_log;
#[cfg(feature = "postgres")]
mod postgres_log;
mod receiver;
mod verifier;

/// Compiles and runs the code blocks of the callouts guide (`docs/callouts.md`) as doc tests.
#[cfg(all(doctest, feature = "axum", feature = "postgres"))]
#[doc = include_str!("../../../docs/callouts.md")]
struct CalloutsGuide;

pub use config::{ConfigError, InboxConfig, ReceiverConfig};
pub use inbox::{InboxWorker, WorkOutcome};
pub use memory_log::InMemoryMessageLog;
pub use message::{
    CalloutError, CalloutMessage, OrderComplete, OrderItemStatusChange, OrderStatusChange,
    ReportDecodeError,
};
pub use message_log::{
    Begin, ClaimToken, DeadLetter, Enqueued, InboxStats, MessageLog, MessageLogError, StoredCallout,
};
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres_log::{
    PostgresMessageLog, PostgresMessageLogBuilder, REDELIVERY_HORIZON, StoreSetupError,
};
pub use receiver::{CalloutOutcome, CalloutReceiver, HandlerError};
pub use verifier::CalloutVerifier;
