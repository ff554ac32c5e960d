//! Deduplication of redelivered callouts by `message_id`.

use std::future::Future;
use std::pin::Pin;

/// A boxed, `Send` future, so [`MessageLog`] stays object-safe.
///
/// ```
/// use housecanary_partner::callouts::BoxFuture;
///
/// fn answer<'a>(id: &'a str) -> BoxFuture<'a, usize> {
///     Box::pin(async move { id.len() })
/// }
/// # let _ = answer("m1");
/// ```
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What [`MessageLog::try_begin`] found for a `message_id`.
///
/// ```
/// use housecanary_partner::callouts::{Begin, InMemoryMessageLog, MessageLog};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let log = InMemoryMessageLog::default();
/// assert_eq!(log.try_begin("m1").await?, Begin::New);
/// assert_eq!(log.try_begin("m1").await?, Begin::InProgress);
/// log.complete("m1").await?;
/// assert_eq!(log.try_begin("m1").await?, Begin::AlreadyProcessed);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Begin {
    /// Not seen before (or abandoned): the caller now holds the claim and must end it with
    /// [`MessageLog::complete`] or [`MessageLog::abandon`].
    New,
    /// Processed successfully before: acknowledge without processing again.
    AlreadyProcessed,
    /// Another delivery of the same id holds the claim right now.
    InProgress,
}

/// A [`MessageLog`] backend failed (for example its database is unreachable).
///
/// ```
/// use housecanary_partner::callouts::MessageLogError;
/// let err = MessageLogError::new("connection refused");
/// assert_eq!(err.to_string(), "message log failed: connection refused");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("message log failed: {source}")]
pub struct MessageLogError {
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl MessageLogError {
    /// Wraps a backend's error (anything that converts into a boxed error, including `&str`).
    ///
    /// ```
    /// use housecanary_partner::callouts::MessageLogError;
    /// let io = std::io::Error::other("disk full");
    /// assert!(MessageLogError::new(io).to_string().contains("disk full"));
    /// ```
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            source: source.into(),
        }
    }
}

/// Remembers which callouts were processed, so that redeliveries do not run the handler twice.
///
/// HouseCanary delivers **at least once**: a message whose acknowledgement was lost or late arrives
/// again with the same `message_id`. The log turns that into *effectively once* for the application's
/// handler, as far as the log remembers: a log that forgets (a restart of [`InMemoryMessageLog`](super::InMemoryMessageLog), an
/// evicted id) lets a late redelivery through, so handlers must still be idempotent.
///
/// The protocol is a claim, which is what makes two concurrent deliveries of one id run the handler
/// once:
///
/// 1. [`try_begin`](Self::try_begin) atomically answers "processed already?" and, when the id is new,
///    claims it ([`Begin::New`]); a second caller meanwhile gets [`Begin::InProgress`].
/// 2. After the handler succeeded, [`complete`](Self::complete) marks the id processed.
/// 3. After it failed or overran, [`abandon`](Self::abandon) releases the claim, so the vendor's
///    redelivery can claim it again.
///
/// A persistent implementation (a table with a unique key on the id, a Redis `SET NX` with expiry)
/// should let claims expire after a lease longer than the receiver's time budget, so a claim held by a
/// process that crashed does not block the id forever.
///
/// The methods return boxed futures so that the trait is object-safe (`Arc<dyn MessageLog>`).
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use housecanary_partner::callouts::{Begin, BoxFuture, MessageLog, MessageLogError};
///
/// /// Unbounded, for illustration; see `InMemoryMessageLog` for a bounded one.
/// #[derive(Default)]
/// struct Naive(Mutex<HashMap<String, bool>>); // id -> processed?
///
/// impl MessageLog for Naive {
///     fn try_begin<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Begin, MessageLogError>> {
///         Box::pin(async move {
///             let mut map = self.0.lock().map_err(|_| MessageLogError::new("poisoned"))?;
///             Ok(match map.get(id) {
///                 Some(true) => Begin::AlreadyProcessed,
///                 Some(false) => Begin::InProgress,
///                 None => {
///                     map.insert(id.to_owned(), false);
///                     Begin::New
///                 }
///             })
///         })
///     }
///     fn complete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), MessageLogError>> {
///         Box::pin(async move {
///             self.0.lock().map_err(|_| MessageLogError::new("poisoned"))?.insert(id.to_owned(), true);
///             Ok(())
///         })
///     }
///     fn abandon<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), MessageLogError>> {
///         Box::pin(async move {
///             self.0.lock().map_err(|_| MessageLogError::new("poisoned"))?.remove(id);
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait MessageLog: Send + Sync + 'static {
    /// Has `message_id` been processed? If it is new, claim it for the caller (atomically).
    fn try_begin<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<Begin, MessageLogError>>;

    /// Mark a claimed `message_id` processed: later deliveries get [`Begin::AlreadyProcessed`].
    fn complete<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<(), MessageLogError>>;

    /// Release a claim without marking the id processed: a later delivery gets [`Begin::New`].
    fn abandon<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<(), MessageLogError>>;
}

impl<L: MessageLog + ?Sized> MessageLog for std::sync::Arc<L> {
    fn try_begin<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<Begin, MessageLogError>> {
        (**self).try_begin(message_id)
    }

    fn complete<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<(), MessageLogError>> {
        (**self).complete(message_id)
    }

    fn abandon<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<(), MessageLogError>> {
        (**self).abandon(message_id)
    }
}
