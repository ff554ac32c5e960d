//! The framework-agnostic receiver: verify, decode, then either run the handler inline (deduplicated,
//! within the budget) or store the callout durably for the inbox workers.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use http::StatusCode;
use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout_at};
use tracing::Instrument as _;

use super::config::{ConfigError, ReceiverConfig};
use super::message::{CalloutError, CalloutMessage};
use super::message_log::{Begin, ClaimToken, DeadLetter, Enqueued, MessageLog, MessageLogError};
use super::verifier::CalloutVerifier;

/// The vendor's deadline for a `2xx`.
const VENDOR_DEADLINE: Duration = Duration::from_secs(30);

/// How long a failed delivery waits for its claim to be released before answering; past it the
/// claim is left to its lease.
const ABANDON_GRACE: Duration = Duration::from_secs(2);

/// Receives callouts for any HTTP server: give it the request's parts and body, answer with the
/// [`CalloutOutcome`]'s status. It runs the handler **inline** ([`new`](Self::new)) or stores the
/// callout in the **durable inbox** ([`inbox`](Self::inbox)). Clones share everything.
///
/// ```
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use housecanary_partner::{CalloutAuth, SecretString};
/// use housecanary_partner::callouts::{
///     CalloutMessage, CalloutOutcome, CalloutReceiver, CalloutVerifier, InMemoryMessageLog,
/// };
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let auth = CalloutAuth::header_token(
///     http::HeaderName::from_static("x-callout-token"),
///     SecretString::from("t0ken-0123456789"),
/// )?;
/// let receiver = CalloutReceiver::new(
///     CalloutVerifier::new(auth.clone()),
///     Arc::new(InMemoryMessageLog::default()),
///     |message: CalloutMessage| async move {
///         tracing::info!(kind = message.message_type(), "callout"); // idempotent work here
///         Ok::<(), std::io::Error>(())
///     },
/// )?;
///
/// let body = Bytes::from_static(br#"{"message_type":"order_status_change","message_id":"m1","order_id":1,"new_status":"complete"}"#);
/// let signed = auth.sign(&"/callouts".parse()?, &body)?;
/// let mut request = http::Request::post(signed.uri).body(())?;
/// *request.headers_mut() = signed.headers;
/// let (parts, ()) = request.into_parts();
///
/// let outcome = receiver.handle(&parts, body.clone()).await;
/// assert!(matches!(outcome, CalloutOutcome::Processed { .. }));
/// let again = receiver.handle(&parts, body).await;
/// assert!(matches!(again, CalloutOutcome::AlreadyProcessed { .. }));
/// assert_eq!(again.status(), http::StatusCode::OK);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CalloutReceiver {
    // One shared allocation: a server clones the receiver for every request.
    inner: Arc<Inner>,
}

struct Inner {
    verifier: CalloutVerifier,
    log: Arc<dyn MessageLog>,
    /// Run inside the request; `None` stores callouts for [`InboxWorker`](super::InboxWorker)s.
    handler: Option<Arc<DynHandler>>,
    config: ReceiverConfig,
    /// Requests being verified, logged and handled (not those whose body is still arriving).
    slots: Semaphore,
}

impl CalloutReceiver {
    /// An inline receiver that verifies with `verifier`, deduplicates with `log` and hands each new
    /// message to `handler` inside the request, with the default [`ReceiverConfig`]. The handler may
    /// see a message again (make it idempotent) and is cancelled past the budget: hand long work to
    /// the [`inbox`](Self::inbox).
    ///
    /// # Errors
    /// [`ConfigError::LeaseShorterThanBudget`] when `log`'s claim lease is not longer than the
    /// default 25 s budget.
    pub fn new<F, Fut, E>(
        verifier: CalloutVerifier,
        log: Arc<dyn MessageLog>,
        handler: F,
    ) -> Result<Self, ConfigError>
    where
        F: Fn(CalloutMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<HandlerError>,
    {
        let handler = Some(erase(handler));
        Self::build(verifier, log, handler, ReceiverConfig::default())
    }

    /// A durable-inbox receiver: verified callouts are stored in `log` and acknowledged;
    /// [`InboxWorker`](super::InboxWorker)s sharing the log run the handler.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use housecanary_partner::{CalloutAuth, SecretString};
    /// use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog, InboxWorker};
    ///
    /// # fn build() -> Result<(CalloutReceiver, InboxWorker), Box<dyn std::error::Error>> {
    /// let log = Arc::new(InMemoryMessageLog::default());
    /// let auth = CalloutAuth::query_token("token", SecretString::from("t0ken-0123456789"))?;
    /// let receiver = CalloutReceiver::inbox(CalloutVerifier::new(auth), log.clone());
    /// let worker = InboxWorker::new(log, |message| async move {
    ///     tracing::info!(kind = message.message_type(), "callout");
    ///     Ok::<(), String>(())
    /// })?;
    /// Ok((receiver, worker))
    /// # }
    /// ```
    pub fn inbox(verifier: CalloutVerifier, log: Arc<dyn MessageLog>) -> Self {
        let config = ReceiverConfig::default();
        Self::build(verifier, log, None, config).expect("the defaults pass the checks")
    }

    /// The receiver with `config` instead of its current settings.
    ///
    /// # Errors
    /// [`ConfigError::Zero`], [`ConfigError::TooLong`] (past a year), and
    /// [`ConfigError::LeaseShorterThanBudget`] when an inline receiver's log lease is not longer.
    pub fn with_config(self, config: ReceiverConfig) -> Result<Self, ConfigError> {
        let inner = &self.inner;
        let (log, handler) = (Arc::clone(&inner.log), inner.handler.clone());
        Self::build(inner.verifier.clone(), log, handler, config)
    }

    fn build(
        verifier: CalloutVerifier,
        log: Arc<dyn MessageLog>,
        handler: Option<Arc<DynHandler>>,
        config: ReceiverConfig,
    ) -> Result<Self, ConfigError> {
        config.check()?;
        let lease = log.claim_lease();
        if handler.is_some() && lease <= config.budget {
            return Err(ConfigError::LeaseShorterThanBudget {
                lease,
                budget: config.budget,
            });
        }
        if config.budget >= VENDOR_DEADLINE {
            tracing::warn!(
                budget = ?config.budget,
                "callout budget is not below the vendor's 30 s: late answers count as failures"
            );
        }
        let slots = Semaphore::new(config.handler_slots);
        let inner = Inner {
            verifier,
            log,
            handler,
            slots,
            config,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The receiver's settings.
    pub fn config(&self) -> &ReceiverConfig {
        &self.inner.config
    }

    /// The verifier in use.
    pub fn verifier(&self) -> &CalloutVerifier {
        &self.inner.verifier
    }

    /// Handles one request (route only `POST` to it): its parts and complete body.
    pub async fn handle(&self, parts: &http::request::Parts, body: Bytes) -> CalloutOutcome {
        let deadline = Instant::now() + self.inner.config.budget;
        self.handle_until(&parts.uri, &parts.headers, body, deadline)
            .await
    }

    /// [`Self::handle`] with the budget counted from an earlier instant (when the request arrived,
    /// before its body was read), so reading the body uses up the budget too.
    pub(crate) async fn handle_until(
        &self,
        uri: &http::Uri,
        headers: &http::HeaderMap,
        body: Bytes,
        deadline: Instant,
    ) -> CalloutOutcome {
        let limit = self.inner.config.body_limit;
        if body.len() > limit {
            tracing::warn!(size = body.len(), limit, "callout rejected: body too large");
            return CalloutOutcome::TooLarge { limit };
        }
        let Ok(_slot) = self.inner.slots.try_acquire() else {
            tracing::warn!("callout refused: every handler slot is taken");
            return CalloutOutcome::Overloaded;
        };
        // Never log the URI or headers: they may carry the token.
        if let Err(reason) = self.inner.verifier.verify(uri, headers, &body) {
            tracing::warn!(%reason, "callout rejected: authentication failed");
            return CalloutOutcome::Unauthorized;
        }
        let message = match CalloutMessage::from_slice(&body) {
            Ok(message) => message,
            Err(error) => return self.keep_unparsed(body, error, deadline).await,
        };
        let span = tracing::info_span!(
            "callout",
            message_type = message.message_type(),
            message_id = message.message_id().unwrap_or("")
        );
        match &self.inner.handler {
            Some(handler) => {
                self.process(handler, message, deadline)
                    .instrument(span)
                    .await
            }
            None => {
                let message_id = message
                    .message_id()
                    .map_or_else(|| content_id("body", &body), str::to_owned);
                drop(message);
                let stored = self.inner.log.enqueue(&message_id, body);
                let stored = ask(deadline, "callout not stored", stored).instrument(span);
                match stored.await {
                    Some(enqueued) => CalloutOutcome::Stored {
                        new: enqueued == Enqueued::Stored,
                        message_id,
                    },
                    None => CalloutOutcome::LogUnavailable { message_id },
                }
            }
        }
    }

    /// Stores an authenticated body that does not parse as a dead letter, so it is never lost.
    async fn keep_unparsed(
        &self,
        body: Bytes,
        error: CalloutError,
        deadline: Instant,
    ) -> CalloutOutcome {
        let message_id = content_id("unparsed", &body);
        tracing::warn!(%error, %message_id, "authenticated callout does not parse: kept as a dead letter");
        let dead = DeadLetter::new(message_id.clone(), body, error.to_string(), 0);
        let stored = self.inner.log.store_dead_letter(dead);
        match ask(deadline, "unparsed callout not stored", stored).await {
            Some(()) => CalloutOutcome::DeadLettered { message_id, error },
            None => CalloutOutcome::LogUnavailable { message_id },
        }
    }

    /// Inline mode: deduplicates and runs the handler until `deadline`.
    async fn process(
        &self,
        handler: &Arc<DynHandler>,
        message: CalloutMessage,
        deadline: Instant,
    ) -> CalloutOutcome {
        let Some(message_id) = message.message_id().map(str::to_owned) else {
            tracing::info!("callout without message_id: not deduplicated");
            return match run_guarded(|| handler(message), deadline).await {
                Ok(()) => CalloutOutcome::Processed { message_id: None },
                Err(failure) => self.handler_failed(failure, None),
            };
        };
        // A log that never answers must not hold the request past the vendor's 30 s.
        let begun = self.inner.log.try_begin(&message_id);
        let token = match ask(deadline, "callout not processed", begun).await {
            Some(Begin::New(token)) => token,
            Some(Begin::AlreadyProcessed) => {
                tracing::info!("callout already processed: acknowledged without the handler");
                return CalloutOutcome::AlreadyProcessed { message_id };
            }
            Some(Begin::InProgress) => {
                tracing::info!(
                    "callout being processed by another delivery: asking for a redelivery"
                );
                return CalloutOutcome::InProgress { message_id };
            }
            None => return CalloutOutcome::LogUnavailable { message_id },
        };
        let mut claim = Claim {
            log: &self.inner.log,
            message_id: &message_id,
            token,
            resolved: false,
        };
        let Err(failure) = run_guarded(|| handler(message), deadline).await else {
            let completed = timeout_at(deadline, self.inner.log.complete(&message_id, token)).await;
            // Set only after the call finished: if it timed out, `Drop` abandons.
            claim.resolved = completed.is_ok();
            // A failure here is only logged: the handler's work is done, and acknowledging avoids a
            // redelivery that would run it again; the log only misses the id for a later duplicate.
            match completed {
                Ok(Ok(())) => tracing::info!("callout processed"),
                Ok(Err(error)) => tracing::warn!(%error, "callout processed but not recorded"),
                Err(_) => tracing::warn!("callout processed but not recorded in time"),
            }
            return CalloutOutcome::Processed {
                message_id: Some(message_id.clone()),
            };
        };
        let outcome = self.handler_failed(failure, Some(&message_id));
        claim.resolved = true;
        let released = Instant::now() + ABANDON_GRACE;
        let abandoned = self.inner.log.abandon(&message_id, token);
        ask(released, "failed callout's claim not released", abandoned).await;
        outcome
    }

    /// The outcome of a handler run that failed or overran its budget (the vendor redelivers).
    fn handler_failed(&self, failure: HandlerFailure, message_id: Option<&str>) -> CalloutOutcome {
        let message_id = message_id.map(str::to_owned);
        match failure {
            HandlerFailure::Failed(error) => {
                tracing::warn!(%error, "callout handler failed: the vendor will redeliver");
                CalloutOutcome::HandlerFailed { message_id, error }
            }
            HandlerFailure::TimedOut => {
                let budget = self.inner.config.budget;
                tracing::warn!(
                    ?budget,
                    "callout handler overran its budget: cancelled; the vendor will redeliver"
                );
                CalloutOutcome::TimedOut { message_id, budget }
            }
        }
    }
}

/// `operation` on the log, bounded by `deadline`; a failure or a timeout is logged with `what`.
async fn ask<T>(
    deadline: Instant,
    what: &str,
    operation: BoxFuture<'_, Result<T, MessageLogError>>,
) -> Option<T> {
    match timeout_at(deadline, operation).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(error)) => {
            tracing::error!(%error, "{what}: message log failed");
            None
        }
        Err(_) => {
            tracing::error!("{what}: message log did not answer in time");
            None
        }
    }
}

/// The claim on one `message_id` while its handler runs inline. A server drops the request future
/// when the client disconnects: dropping an unresolved claim abandons it, so redeliveries are not
/// turned away until the lease ends.
struct Claim<'a> {
    log: &'a Arc<dyn MessageLog>,
    message_id: &'a str,
    token: ClaimToken,
    resolved: bool,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if self.resolved {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(message_id = %self.message_id, "callout claim dropped outside a tokio runtime; it is released when its lease ends");
            return;
        };
        let (log, message_id, token) =
            (Arc::clone(self.log), self.message_id.to_owned(), self.token);
        runtime.spawn(async move {
            if let Err(error) = log.abandon(&message_id, token).await {
                tracing::warn!(%message_id, %error, "could not release a cancelled callout's claim");
            }
        });
    }
}

/// The id under which a body without a usable `message_id` is stored: `prefix`, `-` and a digest of
/// the body, so redeliveries of the same bytes land on the same entry.
fn content_id(prefix: &str, body: &[u8]) -> String {
    let digest = common_auth::hmac_sha1_hex(b"housecanary-partner callout body", body);
    format!("{prefix}-{digest}")
}

impl fmt::Debug for CalloutReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CalloutReceiver")
            .field("verifier", &self.inner.verifier)
            .field("inline", &self.inner.handler.is_some())
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// The error an application handler returns: anything that converts into a boxed error
/// (`std::io::Error`, `anyhow::Error`, `String`, `&str`, …).
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// The handler, type-erased so receivers and workers are concrete, cheaply cloned types.
pub(crate) type DynHandler =
    dyn Fn(CalloutMessage) -> BoxFuture<'static, Result<(), HandlerError>> + Send + Sync;

/// Erases a user's handler.
pub(crate) fn erase<F, Fut, E>(handler: F) -> Arc<DynHandler>
where
    F: Fn(CalloutMessage) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<HandlerError>,
{
    Arc::new(move |message| {
        let future = handler(message);
        Box::pin(async move { future.await.map_err(Into::into) })
    })
}

/// Why a handler run did not succeed.
pub(crate) enum HandlerFailure {
    /// It returned an error or panicked.
    Failed(HandlerError),
    /// It did not finish by the deadline and was cancelled.
    TimedOut,
}

impl HandlerFailure {
    /// A short description for logs and dead letters.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Failed(error) => error.to_string(),
            Self::TimedOut => "the handler overran its budget".to_owned(),
        }
    }
}

/// Starts the handler at once and runs it until `deadline`; a panic is a failure.
pub(crate) fn run_guarded<Fut>(
    start: impl FnOnce() -> Fut,
    deadline: Instant,
) -> impl Future<Output = Result<(), HandlerFailure>>
where
    Fut: Future<Output = Result<(), HandlerError>>,
{
    let started = std::panic::catch_unwind(AssertUnwindSafe(start));
    async move {
        let panicked = || HandlerFailure::Failed("the callout handler panicked".into());
        let future = started.map_err(|_| panicked())?;
        match timeout_at(deadline, AssertUnwindSafe(future).catch_unwind()).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(error))) => Err(HandlerFailure::Failed(error)),
            Ok(Err(_panic)) => Err(panicked()),
            Err(_) => Err(HandlerFailure::TimedOut),
        }
    }
}

/// What [`CalloutReceiver::handle`] did, and through [`status`](Self::status) and
/// [`body`](Self::body) what to answer. Anything but a `2xx` makes the vendor redeliver.
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
    /// Authentication failed (the reason is logged, never sent). `401 Unauthorized`.
    Unauthorized,
    /// The body exceeds the configured limit. `413 Payload Too Large`.
    TooLarge {
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// Authenticated but not a callout: stored as a dead letter and acknowledged. `200 OK`.
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
    /// Too many requests at once, or body memory exhausted. `503 Service Unavailable`.
    Overloaded,
    /// Another delivery of the same id is being processed. `503 Service Unavailable`.
    InProgress {
        /// The id being processed.
        message_id: String,
    },
    /// The handler failed or panicked; the id stays unprocessed. `500 Internal Server Error`.
    HandlerFailed {
        /// The message's id.
        message_id: Option<String>,
        /// What the handler reported.
        error: HandlerError,
    },
    /// The handler overran the budget and was cancelled. `503 Service Unavailable`.
    TimedOut {
        /// The message's id.
        message_id: Option<String>,
        /// The budget that was exceeded.
        budget: Duration,
    },
    /// The [`MessageLog`] failed or did not answer in time. `503 Service Unavailable`.
    LogUnavailable {
        /// The message's id.
        message_id: String,
    },
}

impl CalloutOutcome {
    /// The HTTP status to answer with.
    pub fn status(&self) -> StatusCode {
        self.answer().0
    }

    /// A short plain-text answer body; it never says why authentication failed.
    pub fn body(&self) -> &'static str {
        self.answer().1
    }

    /// Whether the answer is a `2xx` (no redelivery).
    pub fn is_acknowledged(&self) -> bool {
        self.status().is_success()
    }

    /// The status and the body.
    pub(super) fn answer(&self) -> (StatusCode, &'static str) {
        let unavailable = StatusCode::SERVICE_UNAVAILABLE;
        match self {
            Self::Processed { .. } => (StatusCode::OK, "processed"),
            Self::AlreadyProcessed { .. } => (StatusCode::OK, "already processed"),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "payload too large"),
            Self::DeadLettered { .. } => (StatusCode::OK, "stored as a dead letter"),
            Self::Stored { .. } => (StatusCode::OK, "stored"),
            Self::InProgress { .. } => (unavailable, "being processed; retry later"),
            Self::Overloaded => (unavailable, "overloaded; retry later"),
            Self::HandlerFailed { .. } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "handler failed; retry later",
            ),
            Self::TimedOut { .. } => (unavailable, "handler timed out; retry later"),
            Self::LogUnavailable { .. } => (unavailable, "message log unavailable; retry later"),
        }
    }
}
