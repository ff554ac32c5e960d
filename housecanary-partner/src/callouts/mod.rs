//! Receiving HouseCanary callouts (webhooks): verified, typed, deduplicated, never lost.
//!
//! HouseCanary `POST`s JSON messages to the partner's callout URL and expects a `2xx` within 30 s;
//! otherwise it redelivers the same `message_id` (up to 10 times, at least 5 minutes apart):
//! delivery is **at least once**, in any order.
//!
//! A request meets the [`CalloutVerifier`], then the typed [`CalloutMessage`], then the
//! [`CalloutReceiver`], which runs the handler **inline** (deduplicated through the [`MessageLog`])
//! or stores the callout in the **durable inbox** for [`InboxWorker`]s. The log is
//! [`InMemoryMessageLog`] or `PostgresMessageLog` (feature `postgres`); `callouts::axum` (feature
//! `axum`) gives the endpoint. [`CalloutReceiver`] has the example.
//!
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
    PostgresMessageLog, PostgresMessageLogBuilder, REDELIVERY_HORIZON, StoreSetupError,
};
pub use receiver::{CalloutOutcome, CalloutReceiver, HandlerError};
pub use verifier::CalloutVerifier;
