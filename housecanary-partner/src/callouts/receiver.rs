//! The framework-agnostic receiver: verify, decode, then either run the handler inline (deduplicated,
//! within the budget) or store the callout durably for the inbox workers.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout, timeout_at};
use tracing::Instrument as _;

use super::config::{ConfigError, ReceiverConfig};
use super::error::CalloutError;
use super::handler::{self, DynHandler, HandlerError, HandlerFailure};
use super::message::CalloutMessage;
use super::message_log::{Begin, ClaimToken, DeadLetter, Enqueued, MessageLog};
use super::outcome::CalloutOutcome;
use super::verifier::CalloutVerifier;

/// The vendor's deadline for a `2xx`.
const VENDOR_DEADLINE: Duration = Duration::from_secs(30);

/// How long a failed delivery waits for its claim to be released before answering; past it the
/// release finishes in the background.
const ABANDON_GRACE: Duration = Duration::from_secs(2);

/// What the receiver does with a verified callout.
#[derive(Clone)]
enum Mode {
    /// Run the handler inside the request.
    Inline(Arc<DynHandler>),
    /// Store it; [`InboxWorker`](super::InboxWorker)s run the handler.
    Inbox,
}

/// Receives callouts for any HTTP server: give it the request's URI, headers and body, answer with
/// the [`CalloutOutcome`]'s status.
///
/// For each request, in order:
/// 1. more requests being handled than [`ReceiverConfig::handler_slots`] → `503`; a body over the
///    limit (default 32 MiB) → `413`;
/// 2. authentication with the [`CalloutVerifier`] over the raw request → `401` when it fails (the
///    reason goes to the log, never to the sender); nothing is parsed before this;
/// 3. decoding: an authenticated body that is not a callout is stored raw as a dead letter, with
///    the parse error, and acknowledged `200` (the vendor would otherwise give up on it after its
///    redeliveries and it would be lost); `503` if it cannot be stored;
/// 4. then, in **inline** mode ([`new`](Self::new)): deduplication through the [`MessageLog`] →
///    `200` without calling the handler for an id processed before, `503` while another delivery of
///    the same id is being processed; the handler, within the budget (default 25 s, below the
///    vendor's 30 s) → `200` after it succeeded and the id was marked processed; `500` when it
///    failed or panicked, `503` when it ran out of time (it is then cancelled). In both failure
///    cases the id stays unprocessed, so the vendor's redelivery runs it again.
/// 5. or, in **durable inbox** mode ([`inbox`](Self::inbox)): the verified body is stored and
///    answered `200` as soon as it is durable; [`InboxWorker`](super::InboxWorker)s process it,
///    with retries, backoff and dead letters.
///
/// Concurrent deliveries of one id are answered `503` rather than held until the first finishes:
/// holding would tie up a connection for up to the whole budget, and a `2xx` cannot be given before
/// the first delivery's outcome is known (it might fail). The vendor redelivers later and the log
/// then answers for it.
///
/// Messages without a `message_id` (only possible for unknown message types) cannot be deduplicated:
/// inline they reach the handler on every delivery; the inbox stores them under `body-` and a digest
/// of the body.
///
/// Clones share the handler, the log and the verifier.
///
/// ```
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
///     InMemoryMessageLog::default(),
///     |message: CalloutMessage| async move {
///         // Store it, enqueue it, update the order... idempotently.
///         let _ = message;
///         Ok::<(), std::io::Error>(())
///     },
/// );
///
/// // What any server does with a request (here one built by hand):
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

/// What clones of a receiver share.
struct Inner {
    verifier: CalloutVerifier,
    log: Arc<dyn MessageLog>,
    mode: Mode,
    config: ReceiverConfig,
    /// Requests being verified, logged and handled (not those whose body is still arriving).
    handlers: Semaphore,
}

impl CalloutReceiver {
    /// An inline receiver that verifies with `verifier`, deduplicates with `log` and hands each new
    /// message to `handler` inside the request, with the default [`ReceiverConfig`].
    ///
    /// The handler may be called again for a message it has seen (after a restart of an in-memory log,
    /// after it failed or overran, or when the vendor redelivers past the log's memory): make it
    /// idempotent. It is cancelled when it overruns the budget, so it should hand long work to a
    /// durable queue ([`inbox`](Self::inbox)) rather than do it inline.
    ///
    /// # Panics
    /// When `log`'s claim lease is not longer than the default 25 s budget; use
    /// [`try_new`](Self::try_new) for the typed error. This is configuration, checked once at startup.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use housecanary_partner::{CalloutAuth, SecretString};
    /// use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    ///
    /// let log = Arc::new(InMemoryMessageLog::new(50_000)); // keep a handle to inspect it
    /// let password = SecretString::from("a long shared password");
    /// let receiver = CalloutReceiver::new(
    ///     CalloutVerifier::new(CalloutAuth::basic("hc", password)?),
    ///     Arc::clone(&log),
    ///     |message| async move {
    ///         tracing::info!(message_id = ?message.message_id(), "callout");
    ///         Ok::<(), String>(())
    ///     },
    /// );
    /// # let _ = receiver;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new<L, F, Fut, E>(verifier: CalloutVerifier, log: L, handler: F) -> Self
    where
        L: MessageLog,
        F: Fn(CalloutMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<HandlerError>,
    {
        match Self::try_new(verifier, log, handler) {
            Ok(receiver) => receiver,
            Err(error) => panic!("{error}"),
        }
    }

    /// [`new`](Self::new), refusing a log whose claim lease is not longer than the default budget.
    ///
    /// # Errors
    /// [`ConfigError::LeaseShorterThanBudget`].
    pub fn try_new<L, F, Fut, E>(
        verifier: CalloutVerifier,
        log: L,
        handler: F,
    ) -> Result<Self, ConfigError>
    where
        L: MessageLog,
        F: Fn(CalloutMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<HandlerError>,
    {
        Self::build(
            verifier,
            Arc::new(log),
            Mode::Inline(handler::erase(handler)),
        )
        .with_config(ReceiverConfig::default())
    }

    /// A durable-inbox receiver: every verified callout is stored in `log` and acknowledged as soon
    /// as it is durable; [`InboxWorker`](super::InboxWorker)s sharing the same log run the handler.
    /// With a database-backed log the message survives a crash, a deploy and a handler that takes
    /// longer than the vendor's 30 s.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use housecanary_partner::{CalloutAuth, SecretString};
    /// use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog, InboxWorker};
    ///
    /// let log = Arc::new(InMemoryMessageLog::default());
    /// let auth = CalloutAuth::query_token("token", SecretString::from("t0ken-0123456789"))?;
    /// let receiver = CalloutReceiver::inbox(CalloutVerifier::new(auth), Arc::clone(&log));
    /// let worker = InboxWorker::new(log, |message| async move {
    ///     tracing::info!(kind = message.message_type(), "callout");
    ///     Ok::<(), String>(())
    /// })?;
    /// # let _ = (receiver, worker);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inbox<L: MessageLog>(verifier: CalloutVerifier, log: L) -> Self {
        Self::build(verifier, Arc::new(log), Mode::Inbox)
    }

    fn build(verifier: CalloutVerifier, log: Arc<dyn MessageLog>, mode: Mode) -> Self {
        let config = ReceiverConfig::default();
        Self {
            inner: Arc::new(Inner {
                verifier,
                log,
                mode,
                handlers: Semaphore::new(config.handler_slots),
                config,
            }),
        }
    }

    /// The receiver with `config` instead of its current settings (see [`ReceiverConfig`]).
    ///
    /// # Errors
    /// [`ConfigError::Zero`] for a zero limit or duration, [`ConfigError::TooLong`] for a duration
    /// past a year, [`ConfigError::LeaseShorterThanBudget`] when an inline receiver's log lease is
    /// not longer than the budget (a redelivery could take the claim over while the handler still
    /// runs).
    ///
    /// ```
    /// use std::time::Duration;
    /// use housecanary_partner::{CalloutAuth, SecretString};
    /// use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog, ReceiverConfig};
    ///
    /// let token = SecretString::from("t0ken-0123456789");
    /// let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", token)?);
    /// let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async {
    ///     Ok::<(), String>(())
    /// })
    /// .with_config(ReceiverConfig { budget: Duration::from_secs(20), ..ReceiverConfig::default() })?;
    /// assert_eq!(receiver.config().budget, Duration::from_secs(20));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_config(self, config: ReceiverConfig) -> Result<Self, ConfigError> {
        config.check()?;
        let lease = self.inner.log.claim_lease();
        if matches!(self.inner.mode, Mode::Inline(_)) && lease <= config.budget {
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
        let inner = Inner {
            verifier: self.inner.verifier.clone(),
            log: Arc::clone(&self.inner.log),
            mode: self.inner.mode.clone(),
            handlers: Semaphore::new(config.handler_slots),
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

    /// Handles one request given as `http` request parts and the complete body.
    ///
    /// The method is not checked (route only `POST` to it). See [`CalloutReceiver`] for the steps and
    /// [`CalloutOutcome::status`] for the answer.
    ///
    /// ```no_run
    /// # use bytes::Bytes;
    /// # use housecanary_partner::callouts::CalloutReceiver;
    /// # async fn serve(receiver: CalloutReceiver, request: http::Request<Bytes>) -> http::Response<String> {
    /// let (parts, body) = request.into_parts();
    /// let outcome = receiver.handle(&parts, body).await;
    /// let mut response = http::Response::new(outcome.body().to_owned());
    /// *response.status_mut() = outcome.status();
    /// response
    /// # }
    /// ```
    pub async fn handle(&self, parts: &http::request::Parts, body: Bytes) -> CalloutOutcome {
        self.handle_until(
            &parts.uri,
            &parts.headers,
            body,
            Instant::now() + self.inner.config.budget,
        )
        .await
    }

    /// Handles one request given as its URI (with the query string), headers and complete body.
    pub async fn handle_raw(
        &self,
        uri: &http::Uri,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> CalloutOutcome {
        self.handle_until(
            uri,
            headers,
            Bytes::copy_from_slice(body),
            Instant::now() + self.inner.config.budget,
        )
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
        let Ok(_slot) = self.inner.handlers.try_acquire() else {
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
        match &self.inner.mode {
            Mode::Inline(handler) => {
                self.process(handler, message, deadline)
                    .instrument(span)
                    .await
            }
            Mode::Inbox => {
                let message_id = message
                    .message_id()
                    .map_or_else(|| content_id("body", &body), str::to_owned);
                drop(message);
                self.store(message_id, body, deadline)
                    .instrument(span)
                    .await
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
        match timeout_at(deadline, self.inner.log.store_dead_letter(dead)).await {
            Ok(Ok(())) => CalloutOutcome::DeadLettered { message_id, error },
            Ok(Err(store_error)) => {
                tracing::error!(error = %store_error, "unparsed callout not stored: message log failed");
                CalloutOutcome::LogUnavailable { message_id }
            }
            Err(_) => {
                tracing::error!("unparsed callout not stored: message log did not answer in time");
                CalloutOutcome::LogUnavailable { message_id }
            }
        }
    }

    /// Inbox mode: stores the verified body for the workers.
    async fn store(&self, message_id: String, body: Bytes, deadline: Instant) -> CalloutOutcome {
        match timeout_at(deadline, self.inner.log.enqueue(&message_id, body)).await {
            Ok(Ok(enqueued)) => {
                tracing::info!(?enqueued, "callout stored in the inbox");
                CalloutOutcome::Stored {
                    message_id,
                    new: enqueued == Enqueued::Stored,
                }
            }
            Ok(Err(error)) => {
                tracing::error!(%error, "callout not stored: message log failed");
                CalloutOutcome::LogUnavailable { message_id }
            }
            Err(_) => {
                tracing::error!("callout not stored: message log did not answer in time");
                CalloutOutcome::LogUnavailable { message_id }
            }
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
            return match handler::run_guarded(|| handler(message), deadline).await {
                Ok(()) => CalloutOutcome::Processed { message_id: None },
                Err(failure) => self.handler_failed(failure, None),
            };
        };
        // A log that never answers must not hold the request past the vendor's 30 s.
        let token = match timeout_at(deadline, self.inner.log.try_begin(&message_id)).await {
            Ok(Ok(Begin::New(token))) => token,
            Ok(Ok(Begin::AlreadyProcessed)) => {
                tracing::info!(
                    "callout already processed: acknowledged without calling the handler"
                );
                return CalloutOutcome::AlreadyProcessed { message_id };
            }
            Ok(Ok(Begin::InProgress)) => {
                tracing::info!(
                    "callout being processed by another delivery: asking for a redelivery"
                );
                return CalloutOutcome::InProgress { message_id };
            }
            Ok(Err(error)) => {
                tracing::error!(%error, "callout not processed: message log failed");
                return CalloutOutcome::LogUnavailable { message_id };
            }
            Err(_) => {
                tracing::error!("callout not processed: message log did not answer in time");
                return CalloutOutcome::LogUnavailable { message_id };
            }
        };
        let mut claim = Claim {
            log: &self.inner.log,
            message_id: &message_id,
            token,
            resolved: false,
        };
        match handler::run_guarded(|| handler(message), deadline).await {
            Ok(()) => {
                let completed =
                    timeout_at(deadline, self.inner.log.complete(&message_id, token)).await;
                // Set only after the call finished: if it timed out, `Drop` abandons.
                claim.resolved = completed.is_ok();
                match completed {
                    Ok(Ok(())) => tracing::info!("callout processed"),
                    // The handler's work is done: acknowledging avoids a redelivery that would run
                    // it again; the log only misses the id for a possible later duplicate.
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "callout processed but not recorded in the message log")
                    }
                    Err(_) => tracing::warn!(
                        "callout processed but the message log did not record it in time"
                    ),
                }
                CalloutOutcome::Processed {
                    message_id: Some(message_id.clone()),
                }
            }
            Err(failure) => {
                let outcome = self.handler_failed(failure, Some(&message_id));
                let abandoned = timeout(ABANDON_GRACE, self.inner.log.abandon(&message_id, token));
                claim.resolved = true;
                match abandoned.await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "could not release the claim of a failed callout")
                    }
                    Err(_) => tracing::warn!(
                        "releasing the claim of a failed callout continues in the background"
                    ),
                }
                outcome
            }
        }
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

/// The claim on one `message_id` while its handler runs inline. A server drops the request future
/// when the client disconnects; without this guard the claim would then stay "in progress" and every
/// redelivery would be turned away until the lease ran out. Dropping an unresolved claim abandons
/// it on the current tokio runtime.
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
        let mode = match self.inner.mode {
            Mode::Inline(_) => "inline",
            Mode::Inbox => "inbox",
        };
        f.debug_struct("CalloutReceiver")
            .field("verifier", &self.inner.verifier)
            .field("mode", &mode)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}
