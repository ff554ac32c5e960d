//! The framework-agnostic receiver: verify, decode, deduplicate, run the handler within the budget.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt as _;
use tokio::time::{Instant, timeout, timeout_at};
use tracing::Instrument as _;

use super::claim::Claim;
use super::message::CalloutMessage;
use super::message_log::{Begin, BoxFuture, MessageLog};
use super::outcome::CalloutOutcome;
use super::verifier::CalloutVerifier;

/// The error an application handler returns: anything that converts into a boxed error
/// (`std::io::Error`, `anyhow::Error`, `String`, `&str`, …).
///
/// ```
/// use housecanary_partner::callouts::HandlerError;
///
/// let from_text: HandlerError = "order store unavailable".into();
/// let from_io: HandlerError = std::io::Error::other("disk full").into();
/// assert_eq!(from_text.to_string(), "order store unavailable");
/// # let _ = from_io;
/// ```
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// The handler, type-erased so the receiver is one concrete, cheaply cloned type.
type DynHandler =
    dyn Fn(CalloutMessage) -> BoxFuture<'static, Result<(), HandlerError>> + Send + Sync;

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

/// Receives callouts for any HTTP server: give it the request's URI, headers and body, answer with
/// the [`CalloutOutcome`]'s status.
///
/// For each request, in order:
/// 1. a body over the limit (default 32 MiB) → `413`;
/// 2. authentication with the [`CalloutVerifier`] over the raw request → `401` when it fails (the
///    reason goes to the log, never to the sender); nothing is parsed before this;
/// 3. decoding → `400` for a body that is not a callout;
/// 4. deduplication through the [`MessageLog`] → `200` without calling the handler for an id
///    processed before, `503` while another delivery of the same id is being processed;
/// 5. the handler, within the budget (default 25 s, below the vendor's 30 s) → `200` after it
///    succeeded and the id was marked processed; `500` when it failed or panicked, `503` when it ran
///    out of time (it is then cancelled). In both failure cases the id stays unprocessed, so the
///    vendor's redelivery runs it again.
///
/// Concurrent deliveries of one id are answered `503` rather than held until the first finishes:
/// holding would tie up a connection for up to the whole budget, and a `2xx` cannot be given before
/// the first delivery's outcome is known (it might fail). The vendor redelivers later and the log
/// then answers for it.
///
/// Messages without a `message_id` (only possible for unknown message types) cannot be deduplicated
/// and reach the handler on every delivery.
///
/// Clones share the handler, the log and the verifier.
///
/// ```
/// use bytes::Bytes;
/// use common_auth::{CalloutAuth, SecretString};
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
    verifier: Arc<CalloutVerifier>,
    log: Arc<dyn MessageLog>,
    handler: Arc<DynHandler>,
    budget: Duration,
    body_limit: usize,
}

impl CalloutReceiver {
    /// A receiver that verifies with `verifier`, deduplicates with `log` and hands each new message to
    /// `handler`.
    ///
    /// The handler may be called again for a message it has seen (after a restart of an in-memory log,
    /// after it failed or overran, or when the vendor redelivers past the log's memory): make it
    /// idempotent. It is cancelled when it overruns the budget, so it should hand long work to a
    /// durable queue rather than do it inline.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use common_auth::{CalloutAuth, SecretString};
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
    /// ```
    pub fn new<L, F, Fut, E>(verifier: CalloutVerifier, log: L, handler: F) -> Self
    where
        L: MessageLog,
        F: Fn(CalloutMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<HandlerError>,
    {
        let handler: Arc<DynHandler> = Arc::new(move |message| {
            let future = handler(message);
            Box::pin(async move { future.await.map_err(Into::into) })
        });
        Self {
            verifier: Arc::new(verifier),
            log: Arc::new(log),
            handler,
            budget: DEFAULT_BUDGET,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    /// The time the handler gets before the receiver answers `503` and cancels it (default 25 s).
    /// Keep it below the vendor's 30 s, with room for the network: an answer after 30 s counts as a
    /// failure on the vendor's side even when it is a `2xx`.
    ///
    /// ```
    /// use std::time::Duration;
    /// # use common_auth::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x")).expect("non-empty credentials"));
    /// let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async {
    ///     Ok::<(), String>(())
    /// })
    /// .with_budget(Duration::from_secs(20));
    /// assert_eq!(receiver.budget(), Duration::from_secs(20));
    /// ```
    pub fn with_budget(mut self, budget: Duration) -> Self {
        if budget >= VENDOR_DEADLINE {
            tracing::warn!(
                ?budget,
                "callout budget is not below the vendor's 30 s: late answers count as failures"
            );
        }
        self.budget = budget;
        self
    }

    /// The largest body accepted, in bytes (default 32 MiB, enough for an `order_complete` carrying a
    /// report of about 24 MiB). Larger bodies are answered `413`.
    ///
    /// ```
    /// # use common_auth::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x")).expect("non-empty credentials"));
    /// let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async {
    ///     Ok::<(), String>(())
    /// })
    /// .with_body_limit(64 * 1024 * 1024);
    /// assert_eq!(receiver.body_limit(), 64 * 1024 * 1024);
    /// ```
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The handler's time budget.
    ///
    /// ```
    /// # use common_auth::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x")).expect("non-empty credentials"));
    /// # let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async { Ok::<(), String>(()) });
    /// assert_eq!(receiver.budget(), std::time::Duration::from_secs(25));
    /// ```
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// The body limit, in bytes.
    ///
    /// ```
    /// # use common_auth::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x")).expect("non-empty credentials"));
    /// # let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async { Ok::<(), String>(()) });
    /// assert_eq!(receiver.body_limit(), 32 * 1024 * 1024);
    /// ```
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// The verifier in use.
    ///
    /// ```
    /// # use common_auth::{CalloutAuth, SecretString};
    /// # use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// # let verifier = CalloutVerifier::new(CalloutAuth::query_token("t", SecretString::from("x")).expect("non-empty credentials"));
    /// # let receiver = CalloutReceiver::new(verifier, InMemoryMessageLog::default(), |_| async { Ok::<(), String>(()) });
    /// let uri: http::Uri = "/cb?t=x".parse()?;
    /// assert!(receiver.verifier().verify(&uri, &http::HeaderMap::new(), b"").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verifier(&self) -> &CalloutVerifier {
        &self.verifier
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
        self.handle_raw(&parts.uri, &parts.headers, &body).await
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
        self.handle_until(uri, headers, body, Instant::now() + self.budget)
            .await
    }

    /// [`Self::handle_raw`] with the budget counted from an earlier instant (when the request
    /// arrived, before its body was read), so reading the body uses up the budget too.
    pub(crate) async fn handle_until(
        &self,
        uri: &http::Uri,
        headers: &http::HeaderMap,
        body: &[u8],
        deadline: Instant,
    ) -> CalloutOutcome {
        if body.len() > self.body_limit {
            tracing::warn!(
                size = body.len(),
                limit = self.body_limit,
                "callout rejected: body too large"
            );
            return CalloutOutcome::TooLarge {
                limit: self.body_limit,
            };
        }
        // Never log the URI or headers: they may carry the token.
        if let Err(reason) = self.verifier.verify(uri, headers, body) {
            tracing::warn!(%reason, "callout rejected: authentication failed");
            return CalloutOutcome::Unauthorized;
        }
        let message = match CalloutMessage::from_slice(body) {
            Ok(message) => message,
            Err(error) => {
                tracing::warn!(%error, "callout rejected: not a callout body");
                return CalloutOutcome::NotACallout(error);
            }
        };
        let span = tracing::info_span!(
            "callout",
            message_type = message.message_type(),
            message_id = message.message_id().unwrap_or("")
        );
        self.process(message, deadline).instrument(span).await
    }

    /// Deduplicates and runs the handler until `deadline`; `message` is verified and decoded.
    async fn process(&self, message: CalloutMessage, deadline: Instant) -> CalloutOutcome {
        let Some(message_id) = message.message_id().map(str::to_owned) else {
            tracing::info!("callout without message_id: not deduplicated");
            return match self.run_handler(message, None, deadline).await {
                Ok(()) => CalloutOutcome::Processed { message_id: None },
                Err(outcome) => outcome,
            };
        };

        // A log that never answers must not hold the request past the vendor's 30 s.
        let begin = match timeout_at(deadline, self.log.try_begin(&message_id)).await {
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
        match begin {
            Begin::New => {}
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
        }

        let claim = Claim::new(Arc::clone(&self.log), message_id.clone());
        match self.run_handler(message, Some(&message_id), deadline).await {
            Ok(()) => {
                match timeout_at(deadline, claim.complete()).await {
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
            Err(outcome) => {
                match timeout(ABANDON_GRACE, claim.abandon()).await {
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

    /// Runs the handler until `deadline`, catching panics. `Err` holds the failure outcome.
    async fn run_handler(
        &self,
        message: CalloutMessage,
        message_id: Option<&str>,
        deadline: Instant,
    ) -> Result<(), CalloutOutcome> {
        let handler = Arc::clone(&self.handler);
        // The call itself runs inside the guarded future, so a panic while creating the future is
        // caught too.
        let guarded = AssertUnwindSafe(async move { handler(message).await }).catch_unwind();
        match timeout_at(deadline, guarded).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(error))) => {
                tracing::warn!(%error, "callout handler failed: the vendor will redeliver");
                Err(CalloutOutcome::HandlerFailed {
                    message_id: message_id.map(str::to_owned),
                    error,
                })
            }
            Ok(Err(_panic)) => {
                tracing::error!("callout handler panicked: the vendor will redeliver");
                Err(CalloutOutcome::HandlerFailed {
                    message_id: message_id.map(str::to_owned),
                    error: "the callout handler panicked".into(),
                })
            }
            Err(_) => {
                tracing::warn!(budget = ?self.budget, "callout handler overran its budget: cancelled; the vendor will redeliver");
                Err(CalloutOutcome::TimedOut {
                    message_id: message_id.map(str::to_owned),
                    budget: self.budget,
                })
            }
        }
    }
}

impl fmt::Debug for CalloutReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CalloutReceiver")
            .field("verifier", &self.verifier)
            .field("budget", &self.budget)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}
