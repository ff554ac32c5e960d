//! The framework-agnostic receiver: verify, decode, then either run the handler inline (deduplicated,
//! within the budget) or store the callout durably for the inbox workers.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::{Instant, timeout};
use tracing::Instrument as _;

use super::admission::{
    Admission, DEFAULT_BODY_DEADLINE, DEFAULT_BODY_MEMORY, DEFAULT_MAX_IN_FLIGHT,
};
use super::claim::Claim;
use super::config_error::{ConfigError, at_most_a_year};
use super::deadline::within;
use super::error::CalloutError;
use super::handler::{self, DynHandler, HandlerError, HandlerFailure};
use super::memory_log::InMemoryMessageLog;
use super::message::CalloutMessage;
use super::message_log::{Begin, DeadLetter, Enqueued, MessageLog};
use super::outcome::CalloutOutcome;
use super::verifier::CalloutVerifier;

/// The vendor's deadline for a `2xx`.
const VENDOR_DEADLINE: Duration = Duration::from_secs(30);

/// Default handler budget: below the vendor's 30 s, leaving room for the network and the log.
const DEFAULT_BUDGET: Duration = Duration::from_secs(25);

/// Default body limit: an `order_complete` carries the whole report, base64-encoded (4/3 of its
/// size); 32 MiB fits a report PDF of about 24 MiB.
const DEFAULT_BODY_LIMIT: usize = 32 * 1024 * 1024;

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
/// 1. a body over the limit (default 32 MiB) → `413`;
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
///     SecretString::from("t0ken"),
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
#[derive(Clone)]
struct Inner {
    verifier: Arc<CalloutVerifier>,
    log: Arc<dyn MessageLog>,
    /// The same log when it is the embedded in-memory one, called directly: it never waits, so its
    /// answers need no boxed future, and a claim's lease can count from the request's arrival
    /// instead of reading the clock again.
    in_memory: Option<Arc<InMemoryMessageLog>>,
    mode: Mode,
    budget: Duration,
    body_limit: usize,
    admission: Arc<Admission>,
}

/// The default admission limits.
fn default_admission() -> Arc<Admission> {
    Arc::new(Admission::new(
        DEFAULT_MAX_IN_FLIGHT,
        DEFAULT_BODY_MEMORY,
        DEFAULT_BODY_DEADLINE,
    ))
}

impl CalloutReceiver {
    /// An inline receiver that verifies with `verifier`, deduplicates with `log` and hands each new
    /// message to `handler` inside the request.
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
    /// let receiver = CalloutReceiver::new(
    ///     CalloutVerifier::new(CalloutAuth::basic("hc", SecretString::from("pw"))?),
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
    ///
    /// ```
    /// use std::time::Duration;
    /// use housecanary_partner::{CalloutAuth, SecretString};
    /// use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, ConfigError, InMemoryMessageLog};
    ///
    /// let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// let short = InMemoryMessageLog::default().with_claim_lease(Duration::from_secs(1));
    /// let refused = CalloutReceiver::try_new(verifier, short, |_| async { Ok::<(), String>(()) });
    /// assert!(matches!(refused, Err(ConfigError::LeaseShorterThanBudget { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
        let (log, in_memory) = shared_log(log);
        let receiver = Self {
            inner: Arc::new(Inner {
                verifier: Arc::new(verifier),
                log,
                in_memory,
                mode: Mode::Inline(handler::erase(handler)),
                budget: DEFAULT_BUDGET,
                body_limit: DEFAULT_BODY_LIMIT,
                admission: default_admission(),
            }),
        };
        receiver.check_lease(DEFAULT_BUDGET)?;
        Ok(receiver)
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
    /// let auth = CalloutAuth::query_token("token", SecretString::from("t0ken"))?;
    /// let receiver = CalloutReceiver::inbox(CalloutVerifier::new(auth), Arc::clone(&log));
    /// let worker = InboxWorker::new(log, |message| async move {
    ///     tracing::info!(kind = message.message_type(), "callout");
    ///     Ok::<(), String>(())
    /// })?;
    /// # let _ = (receiver, worker);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inbox<L: MessageLog>(verifier: CalloutVerifier, log: L) -> Self {
        let (log, in_memory) = shared_log(log);
        Self {
            inner: Arc::new(Inner {
                verifier: Arc::new(verifier),
                log,
                in_memory,
                mode: Mode::Inbox,
                budget: DEFAULT_BUDGET,
                body_limit: DEFAULT_BODY_LIMIT,
                admission: default_admission(),
            }),
        }
    }

    /// The time a request gets (reading the body, the log, and inline the handler) before the
    /// receiver answers `503` (default 25 s). Keep it below the vendor's 30 s, with room for the
    /// network: an answer after 30 s counts as a failure on the vendor's side even when it is a
    /// `2xx`.
    ///
    /// # Errors
    /// [`ConfigError::LeaseShorterThanBudget`] when an inline receiver's log lease is not longer
    /// than `budget`: a redelivery could take the claim over while the handler still runs.
    /// [`ConfigError::Zero`] for a zero budget, [`ConfigError::TooLong`] past a year.
    ///
    /// ```
    /// use std::time::Duration;
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async {
    ///     Ok::<(), String>(())
    /// })
    /// .with_budget(Duration::from_secs(20))?;
    /// assert_eq!(receiver.budget(), Duration::from_secs(20));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_budget(mut self, budget: Duration) -> Result<Self, ConfigError> {
        if budget.is_zero() {
            return Err(ConfigError::Zero { what: "budget" });
        }
        at_most_a_year("budget", budget)?;
        self.check_lease(budget)?;
        if budget >= VENDOR_DEADLINE {
            tracing::warn!(
                ?budget,
                "callout budget is not below the vendor's 30 s: late answers count as failures"
            );
        }
        Arc::make_mut(&mut self.inner).budget = budget;
        Ok(self)
    }

    fn check_lease(&self, budget: Duration) -> Result<(), ConfigError> {
        let lease = self.inner.log.claim_lease();
        if matches!(self.inner.mode, Mode::Inline(_)) && lease <= budget {
            return Err(ConfigError::LeaseShorterThanBudget { lease, budget });
        }
        Ok(())
    }

    /// The largest body accepted, in bytes (default 32 MiB, enough for an `order_complete` carrying a
    /// report of about 24 MiB). Larger bodies are answered `413`.
    ///
    /// ```
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async {
    ///     Ok::<(), String>(())
    /// })
    /// .with_body_limit(64 * 1024 * 1024);
    /// assert_eq!(receiver.body_limit(), 64 * 1024 * 1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        Arc::make_mut(&mut self.inner).body_limit = bytes;
        self
    }

    /// At most `requests` requests are read and processed at once (default 64); the next is answered
    /// `503` before a byte of its body is read (the `axum` receiver applies it).
    ///
    /// # Errors
    /// [`ConfigError::Zero`] for zero.
    ///
    /// ```
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// let receiver = CalloutReceiver::inbox(verifier, InMemoryMessageLog::default()).with_max_in_flight(16)?;
    /// assert_eq!(receiver.max_in_flight(), 16);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_max_in_flight(self, requests: usize) -> Result<Self, ConfigError> {
        if requests == 0 {
            return Err(ConfigError::Zero {
                what: "max_in_flight",
            });
        }
        let body_memory = self.inner.admission.body_memory();
        let deadline = self.inner.admission.body_deadline;
        Ok(self.with_admission(Admission::new(requests, body_memory, deadline)))
    }

    /// At most `bytes` of request bodies are held at once across all requests (default 40 MiB); a
    /// body that does not fit now is answered `503` (the vendor redelivers later), so forged bodies
    /// cannot grow memory without bound. Keep it at least the body limit.
    ///
    /// # Errors
    /// [`ConfigError::Zero`] for zero.
    ///
    /// ```
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// let receiver = CalloutReceiver::inbox(verifier, InMemoryMessageLog::default())
    ///     .with_body_memory(128 * 1024 * 1024)?;
    /// assert_eq!(receiver.body_memory(), 128 * 1024 * 1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_body_memory(self, bytes: usize) -> Result<Self, ConfigError> {
        if bytes == 0 {
            return Err(ConfigError::Zero {
                what: "body_memory",
            });
        }
        let requests = self.inner.admission.max_in_flight();
        let deadline = self.inner.admission.body_deadline;
        Ok(self.with_admission(Admission::new(requests, bytes, deadline)))
    }

    /// How long a body may take to arrive once the headers did (default 10 s; the whole request
    /// also stays within the budget). A slower body is answered `503`.
    ///
    /// # Errors
    /// [`ConfigError::Zero`] for zero, [`ConfigError::TooLong`] past a year.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// let receiver = CalloutReceiver::inbox(verifier, InMemoryMessageLog::default())
    ///     .with_body_deadline(Duration::from_secs(5))?;
    /// assert_eq!(receiver.body_deadline(), Duration::from_secs(5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_body_deadline(self, deadline: Duration) -> Result<Self, ConfigError> {
        if deadline.is_zero() {
            return Err(ConfigError::Zero {
                what: "body_deadline",
            });
        }
        at_most_a_year("body_deadline", deadline)?;
        let requests = self.inner.admission.max_in_flight();
        let body_memory = self.inner.admission.body_memory();
        Ok(self.with_admission(Admission::new(requests, body_memory, deadline)))
    }

    fn with_admission(mut self, admission: Admission) -> Self {
        Arc::make_mut(&mut self.inner).admission = Arc::new(admission);
        self
    }

    /// The limit of requests in flight.
    ///
    /// ```
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// let receiver = CalloutReceiver::inbox(verifier, InMemoryMessageLog::default());
    /// assert_eq!(receiver.max_in_flight(), 64);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_in_flight(&self) -> usize {
        self.inner.admission.max_in_flight()
    }

    /// The bytes of bodies held at once, across requests.
    ///
    /// ```
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// let receiver = CalloutReceiver::inbox(verifier, InMemoryMessageLog::default());
    /// assert_eq!(receiver.body_memory(), 40 * 1024 * 1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn body_memory(&self) -> usize {
        self.inner.admission.body_memory()
    }

    /// How long a body may take to arrive.
    ///
    /// ```
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// let receiver = CalloutReceiver::inbox(verifier, InMemoryMessageLog::default());
    /// assert_eq!(receiver.body_deadline(), std::time::Duration::from_secs(10));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn body_deadline(&self) -> Duration {
        self.inner.admission.body_deadline
    }

    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn admission(&self) -> &Admission {
        &self.inner.admission
    }

    /// The request's time budget.
    ///
    /// ```
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// # let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async { Ok::<(), String>(()) });
    /// assert_eq!(receiver.budget(), std::time::Duration::from_secs(25));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn budget(&self) -> Duration {
        self.inner.budget
    }

    /// The body limit, in bytes.
    ///
    /// ```
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// # let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async { Ok::<(), String>(()) });
    /// assert_eq!(receiver.body_limit(), 32 * 1024 * 1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn body_limit(&self) -> usize {
        self.inner.body_limit
    }

    /// The verifier in use.
    ///
    /// ```
    /// # use housecanary_partner::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x"))?);
    /// # let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async { Ok::<(), String>(()) });
    /// let uri: http::Uri = "/cb?t=x".parse()?;
    /// assert!(receiver.verifier().verify(&uri, &http::HeaderMap::new(), b"").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
            Instant::now() + self.inner.budget,
        )
        .await
    }

    /// Handles one request given as its URI (with the query string), headers and complete body.
    ///
    /// ```no_run
    /// # use housecanary_partner::callouts::CalloutReceiver;
    /// # async fn f(receiver: CalloutReceiver, uri: http::Uri, headers: http::HeaderMap, body: Vec<u8>) {
    /// let outcome = receiver.handle_raw(&uri, &headers, &body).await;
    /// println!("answer {}", outcome.status());
    /// # }
    /// ```
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
            Instant::now() + self.inner.budget,
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
        if body.len() > self.inner.body_limit {
            tracing::warn!(
                size = body.len(),
                limit = self.inner.body_limit,
                "callout rejected: body too large"
            );
            return CalloutOutcome::TooLarge {
                limit: self.inner.body_limit,
            };
        }
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
        match within(deadline, self.inner.log.store_dead_letter(dead)).await {
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
        match within(deadline, self.inner.log.enqueue(&message_id, body)).await {
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
    ///
    /// A plain function returning an `async move` block, not an `async fn`: an `async fn` keeps a
    /// second copy of its by-value arguments (the message is a few hundred bytes) in its future.
    #[allow(clippy::manual_async_fn)]
    fn process<'a>(
        &'a self,
        handler: &'a Arc<DynHandler>,
        message: CalloutMessage,
        deadline: Instant,
    ) -> impl Future<Output = CalloutOutcome> + Send + 'a {
        async move {
            let Some(message_id) = message.message_id().map(str::to_owned) else {
                tracing::info!("callout without message_id: not deduplicated");
                return match handler::run_guarded(|| handler(message), deadline).await {
                    Ok(()) => CalloutOutcome::Processed { message_id: None },
                    Err(failure) => self.handler_failed(failure, None),
                };
            };

            // A log that never answers must not hold the request past the vendor's 30 s.
            let begin = match &self.inner.in_memory {
                Some(log) => {
                    // The lease counts from the request's arrival: it still ends after `deadline`.
                    let arrival = deadline
                        .checked_sub(self.inner.budget)
                        .unwrap_or_else(Instant::now);
                    Ok(Ok(log.begin_at(&message_id, arrival)))
                }
                None => within(deadline, self.inner.log.try_begin(&message_id)).await,
            };
            let begin = match begin {
                Ok(Ok(begin)) => begin,
                Ok(Err(error)) => {
                    tracing::error!(%error, "callout not processed: message log failed");
                    return CalloutOutcome::LogUnavailable { message_id };
                }
                Err(_) => {
                    tracing::error!("callout not processed: message log did not answer in time");
                    return CalloutOutcome::LogUnavailable { message_id };
                }
            };
            let token = match begin {
                Begin::New(token) => token,
                Begin::AlreadyProcessed => {
                    tracing::info!(
                        "callout already processed: acknowledged without calling the handler"
                    );
                    return CalloutOutcome::AlreadyProcessed { message_id };
                }
                Begin::InProgress => {
                    tracing::info!(
                        "callout being processed by another delivery: asking for a redelivery"
                    );
                    return CalloutOutcome::InProgress { message_id };
                }
            };

            let claim = Claim::new(&self.inner.log, &message_id, token);
            match handler::run_guarded(|| handler(message), deadline).await {
                Ok(()) => {
                    let completed = match &self.inner.in_memory {
                        Some(log) => {
                            Ok(claim.complete_with(|id, token| log.complete_now(id, token)))
                        }
                        None => claim.complete_within(deadline).await,
                    };
                    match completed {
                        Ok(Ok(())) => tracing::info!("callout processed"),
                        // The handler's work is done: acknowledging avoids a redelivery that would run
                        // it again; the log only misses the id for a possible later duplicate.
                        Ok(Err(error)) => {
                            tracing::warn!(%error, "callout processed but not recorded in the message log")
                        }
                        Err(_) => {
                            tracing::warn!(
                                "callout processed but the message log did not record it in time"
                            )
                        }
                    }
                    CalloutOutcome::Processed {
                        message_id: Some(message_id),
                    }
                }
                Err(failure) => {
                    let outcome = self.handler_failed(failure, Some(&message_id));
                    // Boxed: a failure path, kept out of every request's future.
                    match Box::pin(timeout(ABANDON_GRACE, claim.abandon())).await {
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
    }

    /// The outcome of a handler run that failed or overran its budget (the vendor redelivers).
    fn handler_failed(&self, failure: HandlerFailure, message_id: Option<&str>) -> CalloutOutcome {
        match failure {
            HandlerFailure::Failed(error) => {
                tracing::warn!(%error, "callout handler failed: the vendor will redeliver");
                CalloutOutcome::HandlerFailed {
                    message_id: message_id.map(str::to_owned),
                    error,
                }
            }
            HandlerFailure::TimedOut => {
                tracing::warn!(budget = ?self.inner.budget, "callout handler overran its budget: cancelled; the vendor will redeliver");
                CalloutOutcome::TimedOut {
                    message_id: message_id.map(str::to_owned),
                    budget: self.inner.budget,
                }
            }
        }
    }
}

/// `log` shared, and also as the in-memory log when it is one (by value or in an `Arc`).
fn shared_log<L: MessageLog>(log: L) -> (Arc<dyn MessageLog>, Option<Arc<InMemoryMessageLog>>) {
    let log = Arc::new(log);
    // `log` is an `Arc<InMemoryMessageLog>` exactly when `L` is the in-memory log.
    if let Some(in_memory) = (&log as &dyn Any).downcast_ref::<Arc<InMemoryMessageLog>>() {
        let in_memory = Arc::clone(in_memory);
        return (log, Some(in_memory));
    }
    if let Some(in_memory) = (&*log as &dyn Any).downcast_ref::<Arc<InMemoryMessageLog>>() {
        let in_memory = Arc::clone(in_memory);
        return (log, Some(in_memory));
    }
    (log, None)
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
            .field(
                "mode",
                &match self.inner.mode {
                    Mode::Inline(_) => "inline",
                    Mode::Inbox => "inbox",
                },
            )
            .field("budget", &self.inner.budget)
            .field("body_limit", &self.inner.body_limit)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callouts::{BoxFuture, ClaimToken, MessageLogError};

    /// A log of the application's own, behind the trait only.
    struct Forgetful;

    impl MessageLog for Forgetful {
        fn claim_lease(&self) -> Duration {
            Duration::from_secs(60)
        }
        fn try_begin<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Begin, MessageLogError>> {
            Box::pin(async { Ok(Begin::New(ClaimToken::from_i64(1))) })
        }
        fn complete<'a>(
            &'a self,
            _: &'a str,
            _: ClaimToken,
        ) -> BoxFuture<'a, Result<(), MessageLogError>> {
            Box::pin(async { Ok(()) })
        }
        fn abandon<'a>(
            &'a self,
            _: &'a str,
            _: ClaimToken,
        ) -> BoxFuture<'a, Result<(), MessageLogError>> {
            Box::pin(async { Ok(()) })
        }
        fn store_dead_letter(&self, _: DeadLetter) -> BoxFuture<'_, Result<(), MessageLogError>> {
            Box::pin(async { Ok(()) })
        }
    }

    #[test]
    fn the_in_memory_log_is_found_by_value_and_in_an_arc_and_no_other_log_is_taken_for_it() {
        let (_, by_value) = shared_log(InMemoryMessageLog::default());
        assert!(by_value.is_some());
        let shared = Arc::new(InMemoryMessageLog::default());
        let (_, found) = shared_log(Arc::clone(&shared));
        assert!(found.is_some_and(|found| Arc::ptr_eq(&found, &shared)));
        assert!(shared_log(Forgetful).1.is_none());
        assert!(shared_log(Arc::new(Forgetful)).1.is_none());
    }
}
