//! Workers of the durable inbox: claim a stored callout, run the handler, retry with backoff,
//! dead-letter after too many failures.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument as _;

use super::config::{ConfigError, at_most_a_year};
use super::handler::{self, DynHandler, HandlerError, HandlerFailure};
use super::message::CalloutMessage;
use super::message_log::{BoxFuture, MessageLog, MessageLogError, StoredCallout};

/// Default time a handler gets per attempt.
const DEFAULT_BUDGET: Duration = Duration::from_secs(30);
/// Default attempts before a callout becomes a dead letter.
const DEFAULT_MAX_ATTEMPTS: u32 = 8;
/// Default first retry delay; it doubles per attempt up to [`DEFAULT_MAX_BACKOFF`].
const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// Default longest retry delay.
const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Default wait when the inbox has nothing due.
const DEFAULT_IDLE_POLL: Duration = Duration::from_millis(200);

/// Why processing a claimed callout did not finish.
pub(crate) enum ProcessFailure {
    /// The handler failed, panicked or overran: retry later.
    Handler(HandlerFailure),
    /// The store failed, or the claim was lost: leave the entry to its lease.
    Store(MessageLogError),
}

/// Runs the handler for one claimed callout and marks it processed (how depends on the handler:
/// plain, or inside the store's database transaction).
pub(crate) trait ProcessClaimed: Send + Sync + 'static {
    fn process<'a>(
        &'a self,
        stored: &'a StoredCallout,
        message: CalloutMessage,
        deadline: Instant,
    ) -> BoxFuture<'a, Result<(), ProcessFailure>>;
}

/// A plain handler: run it, then complete the claim.
struct PlainHandler {
    log: Arc<dyn MessageLog>,
    handler: Arc<DynHandler>,
}

impl ProcessClaimed for PlainHandler {
    fn process<'a>(
        &'a self,
        stored: &'a StoredCallout,
        message: CalloutMessage,
        deadline: Instant,
    ) -> BoxFuture<'a, Result<(), ProcessFailure>> {
        Box::pin(async move {
            let handler = Arc::clone(&self.handler);
            handler::run_guarded(|| handler(message), deadline)
                .await
                .map_err(ProcessFailure::Handler)?;
            self.log
                .complete(&stored.message_id, stored.token)
                .await
                .map_err(ProcessFailure::Store)
        })
    }
}

/// What [`InboxWorker::run_once`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkOutcome {
    /// The handler succeeded and the callout is marked processed.
    Processed {
        /// The id.
        message_id: String,
    },
    /// The handler failed; the callout is due again after `delay`.
    Retrying {
        /// The id.
        message_id: String,
        /// Attempts so far.
        attempts: u32,
        /// Until the next attempt.
        delay: Duration,
    },
    /// The handler failed for the last allowed time (or the body cannot be parsed): the callout is
    /// a dead letter now, with the reason.
    DeadLettered {
        /// The id.
        message_id: String,
    },
    /// The store failed or the claim was lost mid-way; the entry is retried when its lease ends.
    Interrupted {
        /// The id.
        message_id: String,
    },
}

impl WorkOutcome {
    /// The id worked on.
    pub fn message_id(&self) -> &str {
        match self {
            Self::Processed { message_id }
            | Self::Retrying { message_id, .. }
            | Self::DeadLettered { message_id }
            | Self::Interrupted { message_id } => message_id,
        }
    }
}

/// Processes the callouts a [durable-inbox receiver](super::CalloutReceiver::inbox) stored: claims
/// one that is due, runs the handler within a budget, marks it processed; on failure retries it with
/// exponential backoff and after `max_attempts` failures keeps it as a dead letter with the last
/// reason. Run as many workers, in as many processes, as you like: a claim is exclusive, and a claim
/// whose worker died is taken over when its lease ends.
///
/// The handler runs **at least once** per callout (a worker can die after the handler's effect and
/// before the processed mark); with `PostgresMessageLog` use
/// [`InboxWorker::transactional`] to commit the handler's writes together with the mark: exactly
/// once.
///
/// ```no_run
/// use std::sync::Arc;
/// use housecanary_partner::callouts::{InMemoryMessageLog, InboxWorker};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let log = Arc::new(InMemoryMessageLog::default());
/// let worker = InboxWorker::new(log, |message| async move {
///     println!("{}", message.message_type());
///     Ok::<(), std::io::Error>(())
/// })?
/// .with_max_attempts(5)?;
/// worker.run(std::future::pending::<()>()).await; // until shutdown
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct InboxWorker {
    log: Arc<dyn MessageLog>,
    processor: Arc<dyn ProcessClaimed>,
    budget: Duration,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    idle_poll: Duration,
}

impl InboxWorker {
    /// A worker taking callouts from `log` and handing them to `handler`.
    ///
    /// The handler's budget per attempt defaults to 30 s, or half the log's claim lease when that is
    /// shorter.
    ///
    /// # Errors
    /// [`ConfigError::Zero`] when `log`'s claim lease is zero.
    ///
    /// ```
    /// use housecanary_partner::callouts::{InMemoryMessageLog, InboxWorker};
    /// let worker = InboxWorker::new(InMemoryMessageLog::default(), |_| async { Ok::<(), String>(()) })?;
    /// # let _ = worker;
    /// # Ok::<(), housecanary_partner::callouts::ConfigError>(())
    /// ```
    pub fn new<L, F, Fut, E>(log: L, handler: F) -> Result<Self, ConfigError>
    where
        L: MessageLog,
        F: Fn(CalloutMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<HandlerError>,
    {
        let log: Arc<dyn MessageLog> = Arc::new(log);
        let processor = Arc::new(PlainHandler {
            log: Arc::clone(&log),
            handler: handler::erase(handler),
        });
        Self::with_processor(log, processor)
    }

    pub(crate) fn with_processor(
        log: Arc<dyn MessageLog>,
        processor: Arc<dyn ProcessClaimed>,
    ) -> Result<Self, ConfigError> {
        // A short lease lowers the default budget rather than refusing the worker; an explicit
        // budget not shorter than the lease is refused by `with_budget`.
        let budget = DEFAULT_BUDGET.min(log.claim_lease() / 2);
        let worker = Self {
            log,
            processor,
            budget,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            idle_poll: DEFAULT_IDLE_POLL,
        };
        if budget.is_zero() {
            return Err(ConfigError::Zero {
                what: "claim lease",
            });
        }
        Ok(worker)
    }

    fn check_lease(&self, budget: Duration) -> Result<(), ConfigError> {
        let lease = self.log.claim_lease();
        if lease <= budget {
            return Err(ConfigError::LeaseShorterThanBudget { lease, budget });
        }
        Ok(())
    }

    /// The time the handler gets per attempt (default 30 s, or half the claim lease when shorter;
    /// it is cancelled past it and the attempt counts as failed).
    ///
    /// # Errors
    /// [`ConfigError::LeaseShorterThanBudget`] when the log's claim lease is not longer;
    /// [`ConfigError::Zero`] for zero; [`ConfigError::TooLong`] past a year.
    pub fn with_budget(mut self, budget: Duration) -> Result<Self, ConfigError> {
        if budget.is_zero() {
            return Err(ConfigError::Zero { what: "budget" });
        }
        at_most_a_year("budget", budget)?;
        self.check_lease(budget)?;
        self.budget = budget;
        Ok(self)
    }

    /// Attempts before a callout becomes a dead letter (default 8).
    ///
    /// # Errors
    /// [`ConfigError::Zero`] for zero.
    pub fn with_max_attempts(mut self, attempts: u32) -> Result<Self, ConfigError> {
        if attempts == 0 {
            return Err(ConfigError::Zero {
                what: "max_attempts",
            });
        }
        self.max_attempts = attempts;
        Ok(self)
    }

    /// Retry delays: `initial` after the first failure, doubling up to `max`, with up to 25 % jitter
    /// (defaults 1 s and 5 min). Both are capped at [`ConfigError::LONGEST_DURATION`].
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        let longest = ConfigError::LONGEST_DURATION;
        self.initial_backoff = initial.min(longest);
        self.max_backoff = max.min(longest).max(self.initial_backoff);
        self
    }

    /// How long [`run`](Self::run) waits when nothing is due (default 200 ms).
    pub fn with_idle_poll(mut self, interval: Duration) -> Self {
        self.idle_poll = interval;
        self
    }

    /// The handler's budget per attempt.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Attempts before a dead letter.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Claims one due callout and processes it. `Ok(None)` when nothing is due.
    ///
    /// # Errors
    /// The store's error when the claim itself failed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use housecanary_partner::callouts::{InMemoryMessageLog, InboxWorker, MessageLog, WorkOutcome};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = Arc::new(InMemoryMessageLog::default());
    /// let body = br#"{"message_type":"order_status_change","message_id":"m1","order_id":1,"new_status":"new"}"#;
    /// log.enqueue("m1", body.as_slice().into()).await?;
    /// let worker = InboxWorker::new(Arc::clone(&log), |_| async { Ok::<(), String>(()) })?;
    /// assert_eq!(worker.run_once().await?, Some(WorkOutcome::Processed { message_id: "m1".into() }));
    /// assert_eq!(worker.run_once().await?, None);
    /// # Ok(()) }
    /// ```
    pub async fn run_once(&self) -> Result<Option<WorkOutcome>, MessageLogError> {
        let Some(stored) = self.log.claim_next().await? else {
            return Ok(None);
        };
        let span = tracing::info_span!(
            "callout_worker",
            message_id = %stored.message_id,
            attempts = stored.attempts
        );
        Ok(Some(self.process(stored).instrument(span).await))
    }

    /// Runs until `shutdown` completes: processes due callouts one after another, waits the idle
    /// poll interval when none is due, and backs off after a store failure. A callout in progress
    /// when `shutdown` fires is finished first.
    ///
    /// ```no_run
    /// # use housecanary_partner::callouts::InboxWorker;
    /// # async fn f(worker: InboxWorker) {
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// # drop(stop);
    /// worker.run(async { stopped.await.ok(); }).await; // until `stop` is sent or dropped
    /// # }
    /// ```
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let pause = match self.run_once().await {
                Ok(Some(_)) => Duration::ZERO,
                Ok(None) => self.idle_poll,
                Err(error) => {
                    tracing::error!(%error, "callout inbox unavailable; retrying");
                    self.idle_poll.max(Duration::from_secs(1))
                }
            };
            tokio::select! {
                biased;
                () = &mut shutdown => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    async fn process(&self, stored: StoredCallout) -> WorkOutcome {
        let message_id = stored.message_id.clone();
        let message = match CalloutMessage::from_slice(&stored.body) {
            Ok(message) => message,
            Err(error) => {
                tracing::warn!(%error, "stored callout does not parse: dead letter");
                return self.give_up(&stored, &error.to_string()).await;
            }
        };
        let deadline = Instant::now() + self.budget;
        match self.processor.process(&stored, message, deadline).await {
            Ok(()) => {
                tracing::info!("callout processed");
                WorkOutcome::Processed { message_id }
            }
            Err(ProcessFailure::Store(error)) => {
                tracing::warn!(%error, "callout not marked processed; it is retried when its claim's lease ends");
                WorkOutcome::Interrupted { message_id }
            }
            Err(ProcessFailure::Handler(failure)) => {
                let reason = failure.describe();
                if stored.attempts >= self.max_attempts {
                    tracing::error!(%reason, "callout handler failed for the last time: dead letter");
                    return self.give_up(&stored, &reason).await;
                }
                let delay = self.backoff(stored.attempts);
                tracing::warn!(%reason, ?delay, "callout handler failed: retrying later");
                match self
                    .log
                    .retry_later(&stored.message_id, stored.token, &reason, delay)
                    .await
                {
                    Ok(()) => WorkOutcome::Retrying {
                        message_id,
                        attempts: stored.attempts,
                        delay,
                    },
                    Err(error) => {
                        tracing::warn!(%error, "could not schedule the retry; the lease will");
                        WorkOutcome::Interrupted { message_id }
                    }
                }
            }
        }
    }

    async fn give_up(&self, stored: &StoredCallout, reason: &str) -> WorkOutcome {
        let message_id = stored.message_id.clone();
        match self
            .log
            .dead_letter(&stored.message_id, stored.token, reason)
            .await
        {
            Ok(()) => WorkOutcome::DeadLettered { message_id },
            Err(error) => {
                tracing::warn!(%error, "could not store the dead letter; the lease will retry it");
                WorkOutcome::Interrupted { message_id }
            }
        }
    }

    /// `initial * 2^(attempts-1)`, capped, plus up to 25 % jitter so retries of a burst spread out.
    fn backoff(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(20);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff);
        base + base.mul_f64(fastrand::f64() * 0.25)
    }
}

impl fmt::Debug for InboxWorker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InboxWorker")
            .field("budget", &self.budget)
            .field("max_attempts", &self.max_attempts)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .finish_non_exhaustive()
    }
}
