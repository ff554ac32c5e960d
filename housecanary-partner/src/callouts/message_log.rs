//! The callout store: deduplication by `message_id`, the durable inbox and dead letters.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;

/// Proof of holding the claim on one `message_id`: only the holder can complete, abandon, retry or
/// dead-letter it. A claim taken over after its lease gets a new token, so a slow first holder can
/// no longer touch the id.
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
    /// Not seen before, abandoned, or its claim outlived the lease: the caller now holds the claim
    /// and must end it with [`MessageLog::complete`] or [`MessageLog::abandon`] and this token.
    New(ClaimToken),
    /// Processed successfully before, or stored (inbox, dead letter): acknowledge without
    /// processing again.
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

/// A callout that will not be processed without a person looking at it: authenticated but not
/// parseable, or its handler failed too often. Kept with the reason.
///
/// It holds the raw body, which may carry personal data (addresses, a report): list, redrive or
/// delete dead letters through the [`MessageLog`]; stores bound or purge them.
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
    /// The claim's token no longer holds the id: its lease ran out and another delivery or worker
    /// took it over, or it was already resolved. Nothing was changed.
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

    /// Whether this is [`MessageLogError::ClaimLost`].
    pub fn is_claim_lost(&self) -> bool {
        matches!(self, Self::ClaimLost { .. })
    }
}

/// The callout store: remembers which callouts were processed (so redeliveries do not run the
/// handler twice), keeps the durable inbox and the dead letters.
///
/// Every claim carries a [`ClaimToken`]: only its holder can end it, and a claim not ended within
/// the [`claim_lease`](Self::claim_lease) is taken over with a new token, so a crashed process never
/// blocks an id and a slow one cannot overwrite the new holder's outcome. Inline, the receiver
/// [`try_begin`](Self::try_begin)s, runs the handler, then [`complete`](Self::complete)s or
/// [`abandon`](Self::abandon)s; as an inbox it [`enqueue`](Self::enqueue)s, and workers
/// [`claim_due`](Self::claim_due), then complete, [`retry_later`](Self::retry_later) or
/// [`dead_letter`](Self::dead_letter). Boxed futures keep the trait object-safe.
pub trait MessageLog: Send + Sync + 'static {
    /// How long a claim holds before another delivery or worker may take it over. A receiver refuses
    /// a handler budget longer than this.
    fn claim_lease(&self) -> Duration;

    /// Has `message_id` been processed? If it is new (or its claim outlived the lease), claim it for
    /// the caller, atomically.
    fn try_begin<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<Begin, MessageLogError>>;

    /// Mark a claimed `message_id` processed: later deliveries get [`Begin::AlreadyProcessed`].
    /// [`MessageLogError::ClaimLost`] when `token` no longer holds it (nothing changes then).
    fn complete<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>>;

    /// Release an inline claim without marking the id processed: a later delivery gets
    /// [`Begin::New`]. Does nothing when `token` no longer holds it.
    fn abandon<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>>;

    /// Store an authenticated callout that cannot be processed (a body that does not parse) as a
    /// dead letter, unless its id is already stored.
    fn store_dead_letter(&self, dead: DeadLetter) -> BoxFuture<'_, Result<(), MessageLogError>>;

    /// Store a verified callout for the inbox workers, unless its id is already stored.
    fn enqueue<'a>(
        &'a self,
        message_id: &'a str,
        body: Bytes,
    ) -> BoxFuture<'a, Result<Enqueued, MessageLogError>>;

    /// Claim up to `limit` stored callouts that are due (pending and past their retry delay, or
    /// claimed and past their lease), oldest first. Concurrent workers never get the same one.
    fn claim_due(&self, limit: usize)
    -> BoxFuture<'_, Result<Vec<StoredCallout>, MessageLogError>>;

    /// Resolves when a callout may have become due (one was stored or redriven), or after
    /// `longest`: workers wait on it when nothing is due. The default only waits `longest`.
    fn wait_for_work(&self, longest: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(longest))
    }

    /// The inbox's size now, for the gauges (a cheap query; workers ask every few seconds).
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

    /// Up to `limit` dead letters, oldest first, starting after the dead letter `after` (the last
    /// of the previous page; `None` for the first page). A page after an id that is no longer a
    /// dead letter is empty.
    fn dead_letters<'a>(
        &'a self,
        after: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<DeadLetter>, MessageLogError>>;

    /// Puts the dead letter `message_id` back in the inbox, pending now with its attempts reset to
    /// zero, for an [`InboxWorker`](super::InboxWorker) to process. `false` when it is not a dead
    /// letter.
    fn redrive<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<bool, MessageLogError>>;

    /// [`redrive`](Self::redrive)s every dead letter; returns how many.
    fn redrive_all(&self) -> BoxFuture<'_, Result<u64, MessageLogError>>;

    /// Deletes the dead letter `message_id` (its body with it). `false` when it is not a dead
    /// letter.
    fn delete_dead_letter<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<bool, MessageLogError>>;
}
