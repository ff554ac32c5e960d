//! The callout store: deduplication by `message_id`, the durable inbox and dead letters.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;

/// Proof of holding the claim on one `message_id`; a claim taken over after its lease gets a new
/// token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClaimToken(i64);

impl ClaimToken {
    /// A fresh random token.
    pub fn random() -> Self {
        Self(fastrand::i64(..))
    }

    /// The token as stored in a database column.
    pub fn as_i64(self) -> i64 {
        self.0
    }

    /// A token read back from a database column.
    pub fn from_i64(value: i64) -> Self {
        Self(value)
    }
}

/// What [`MessageLog::try_begin`] found for a `message_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Begin {
    /// New (or its claim outlived the lease): the caller now holds the claim.
    New(ClaimToken),
    /// Processed before, or stored: acknowledge without processing.
    AlreadyProcessed,
    /// Another delivery of the same id holds a live claim right now.
    InProgress,
}

/// What [`MessageLog::enqueue`] did with a verified callout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Enqueued {
    /// Stored durably for a worker to process.
    Stored,
    /// The id is already stored (pending, processed or dead-lettered): nothing changed.
    AlreadyKnown,
}

/// The inbox's size, as the workers publish it in the gauges of [`crate::metrics`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InboxStats {
    /// Callouts stored and not yet processed (waiting, being processed, or due for a retry).
    pub pending: u64,
    /// How long the oldest of them has been stored (zero when there is none).
    pub oldest_pending: Duration,
    /// Dead letters kept.
    pub dead_letters: u64,
}

/// A stored callout claimed by an inbox worker with [`MessageLog::claim_due`].
#[derive(Clone)]
#[non_exhaustive]
pub struct StoredCallout {
    /// The message's id.
    pub message_id: String,
    /// The body exactly as received (verified).
    pub body: Bytes,
    /// Claims so far, this one included.
    pub attempts: u32,
    /// The claim's token.
    pub token: ClaimToken,
}

impl StoredCallout {
    /// A claimed callout (for implementations of [`MessageLog`]).
    pub fn new(
        message_id: impl Into<String>,
        body: Bytes,
        attempts: u32,
        token: ClaimToken,
    ) -> Self {
        Self {
            message_id: message_id.into(),
            body,
            attempts,
            token,
        }
    }
}

impl fmt::Debug for StoredCallout {
    /// The body is left out: it can hold a whole report.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCallout")
            .field("message_id", &self.message_id)
            .field("body_len", &self.body.len())
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// An authenticated callout that does not parse, or whose handler failed too often, kept with the
/// reason. Its raw body may carry personal data.
#[derive(Clone)]
#[non_exhaustive]
pub struct DeadLetter {
    /// The message's id (for a body that could not be parsed, `unparsed-` and a digest of it).
    pub message_id: String,
    /// The body exactly as received.
    pub body: Bytes,
    /// Why it is a dead letter (the parse error or the handler's last error).
    pub reason: String,
    /// Handler attempts made (0 for a body that could not be parsed).
    pub attempts: u32,
}

impl DeadLetter {
    /// A dead letter (for implementations of [`MessageLog`]).
    pub fn new(
        message_id: impl Into<String>,
        body: Bytes,
        reason: impl Into<String>,
        attempts: u32,
    ) -> Self {
        Self {
            message_id: message_id.into(),
            body,
            reason: reason.into(),
            attempts,
        }
    }
}

impl fmt::Debug for DeadLetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeadLetter")
            .field("message_id", &self.message_id)
            .field("body_len", &self.body.len())
            .field("reason", &self.reason)
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// A [`MessageLog`] backend failed (for example its database is unreachable), or a claim was lost.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MessageLogError {
    /// The backend failed.
    #[error("message log failed: {source}")]
    Backend {
        /// What the backend reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The token no longer holds the id (taken over or resolved); nothing was changed.
    #[error("the claim on callout `{message_id}` is no longer held by this token")]
    ClaimLost {
        /// The id.
        message_id: String,
    },
}

impl MessageLogError {
    /// Wraps a backend's error (anything that converts into a boxed error, including `&str`).
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Backend {
            source: source.into(),
        }
    }

    /// The claim on `message_id` is not held by the token given.
    pub fn claim_lost(message_id: impl Into<String>) -> Self {
        Self::ClaimLost {
            message_id: message_id.into(),
        }
    }
}

/// The callout store: processed ids (so redeliveries do not run the handler twice), the durable
/// inbox and the dead letters. Every claim carries a [`ClaimToken`] that only its holder can end; a
/// claim not ended within the [`claim_lease`](Self::claim_lease) is taken over with a new token.
/// Inline: [`try_begin`](Self::try_begin), then [`complete`](Self::complete) or
/// [`abandon`](Self::abandon); inbox: [`enqueue`](Self::enqueue), then workers
/// [`claim_due`](Self::claim_due) and complete, [`retry_later`](Self::retry_later) or
/// [`dead_letter`](Self::dead_letter).
pub trait MessageLog: Send + Sync + 'static {
    /// How long a claim holds before another delivery or worker may take it over.
    fn claim_lease(&self) -> Duration;

    /// Claims `message_id` atomically unless it is processed, stored or claimed.
    fn try_begin<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<Begin, MessageLogError>>;

    /// Marks a claimed `message_id` processed; [`MessageLogError::ClaimLost`] when `token` no
    /// longer holds it.
    fn complete<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>>;

    /// Releases an inline claim unprocessed; nothing when `token` no longer holds it.
    fn abandon<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>>;

    /// Stores a body that does not parse as a dead letter, unless its id is already stored.
    fn store_dead_letter(&self, dead: DeadLetter) -> BoxFuture<'_, Result<(), MessageLogError>>;

    /// Store a verified callout for the inbox workers, unless its id is already stored.
    fn enqueue<'a>(
        &'a self,
        message_id: &'a str,
        body: Bytes,
    ) -> BoxFuture<'a, Result<Enqueued, MessageLogError>>;

    /// Claims up to `limit` due callouts (pending past their delay, or claimed past their lease),
    /// oldest first; concurrent workers never get the same one.
    fn claim_due(&self, limit: usize)
    -> BoxFuture<'_, Result<Vec<StoredCallout>, MessageLogError>>;

    /// Resolves when a callout may have become due, or after `longest`.
    fn wait_for_work(&self, longest: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(longest))
    }

    /// The inbox's size now, for the gauges.
    fn inbox_stats(&self) -> BoxFuture<'_, Result<InboxStats, MessageLogError>>;

    /// Give a claimed inbox callout back, to be claimed again after `delay`, recording `reason`.
    fn retry_later<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
        reason: &'a str,
        delay: Duration,
    ) -> BoxFuture<'a, Result<(), MessageLogError>>;

    /// Turn a claimed inbox callout into a dead letter with `reason`.
    fn dead_letter<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<(), MessageLogError>>;

    /// Up to `limit` dead letters, oldest first, after the dead letter `after` (`None` for the
    /// first page; empty when `after` is no longer one).
    fn dead_letters<'a>(
        &'a self,
        after: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<DeadLetter>, MessageLogError>>;

    /// Puts the dead letter `message_id` back in the inbox with its attempts reset; `false` when
    /// it is not one.
    fn redrive<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<bool, MessageLogError>>;

    /// [`redrive`](Self::redrive)s every dead letter; returns how many.
    fn redrive_all(&self) -> BoxFuture<'_, Result<u64, MessageLogError>>;

    /// Deletes the dead letter `message_id`; `false` when it is not one.
    fn delete_dead_letter<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<bool, MessageLogError>>;
}
