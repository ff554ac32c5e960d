//! Receiving HouseCanary callouts (webhooks): verified, typed, deduplicated, never lost.
//!
//! HouseCanary `POST`s JSON messages to the partner's callout URL and expects a `2xx` within 30 s;
//! otherwise it redelivers the same `message_id` (up to 10 times, at least 5 minutes apart):
//! delivery is **at least once**, in any order.
//!
//! [`CalloutReceiver`] (verify, decode, then inline or durable inbox) has the example;
//! `callouts::axum` (feature `axum`) gives the endpoint. See `docs/callouts.md` for configuring the vendor side, the 30 s rule and rotating a secret.

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

/// The guide `docs/callouts.md`, compiled as doc tests so that its examples stay true.
#[cfg(all(doctest, feature = "axum", feature = "postgres"))]
#[doc = include_str!("../../../docs/callouts.md")]
mod guide {}

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
    PostgresLogConfig, PostgresMessageLog, REDELIVERY_HORIZON, StoreSetupError,
};
pub use receiver::{CalloutOutcome, CalloutReceiver, HandlerError};
pub use verifier::CalloutVerifier;
