//! Workers of the durable inbox: claim due callouts, run the handler, retry with backoff,
//! dead-letter after too many failures.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{BoxFuture, join_all};
use tokio::time::Instant;
use tracing::Instrument as _;

use super::config::{ConfigError, InboxConfig};
use super::message::CalloutMessage;
use super::message_log::{MessageLog, MessageLogError, StoredCallout};
use super::receiver::{self, DynHandler, HandlerError, HandlerFailure};

/// How often a running worker refreshes the inbox gauges.
const STATS_EVERY: Duration = Duration::from_secs(10);

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
            receiver::run_guarded(|| (self.handler)(message), deadline)
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
    /// The handler failed for the last allowed time (or the body does not parse): a dead letter.
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

/// Processes the callouts a [durable-inbox receiver](super::CalloutReceiver::inbox) stored: claims
/// batches of due callouts, runs their handlers within the budget, retries failures with backoff and
/// dead-letters them after `max_attempts`. Run as many workers in as many processes as you like.
/// The handler runs **at least once** per callout; [`InboxWorker::transactional`] makes its
/// database writes exactly once. See [`CalloutReceiver::inbox`](super::CalloutReceiver::inbox) for
/// an example.
#[derive(Clone)]
pub struct InboxWorker {
    log: Arc<dyn MessageLog>,
    processor: Arc<dyn ProcessClaimed>,
    config: InboxConfig,
}

impl InboxWorker {
    /// A worker taking callouts from `log` for `handler`, with the default [`InboxConfig`] (its
    /// budget lowered to half the log's claim lease when that is shorter).
    ///
    /// # Errors
    /// [`ConfigError::Zero`] when `log`'s claim lease is zero.
    pub fn new<F, Fut, E>(log: Arc<dyn MessageLog>, handler: F) -> Result<Self, ConfigError>
    where
        F: Fn(CalloutMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<HandlerError>,
    {
        let processor = Arc::new(PlainHandler {
            log: Arc::clone(&log),
            handler: receiver::erase(handler),
        });
        Self::with_processor(log, processor)
    }

    pub(crate) fn with_processor(
        log: Arc<dyn MessageLog>,
        processor: Arc<dyn ProcessClaimed>,
    ) -> Result<Self, ConfigError> {
        let mut config = InboxConfig::default();
        config.budget = config.budget.min(log.claim_lease() / 2);
        if config.budget.is_zero() {
            return Err(ConfigError::Zero {
                what: "claim lease",
            });
        }
        Ok(Self {
            log,
            processor,
            config,
        })
    }

    /// The worker with `config` instead of its current settings.
    ///
    /// # Errors
    /// [`ConfigError::Zero`] for a zero budget, attempt count or batch; [`ConfigError::TooLong`]
    /// for a duration past a year; [`ConfigError::LeaseShorterThanBudget`] when the log's claim
    /// lease is not longer than the budget.
    pub fn with_config(mut self, config: InboxConfig) -> Result<Self, ConfigError> {
        config.check()?;
        let lease = self.log.claim_lease();
        if lease <= config.budget {
            return Err(ConfigError::LeaseShorterThanBudget {
                lease,
                budget: config.budget,
            });
        }
        self.config = config;
        Ok(self)
    }

    /// The worker's settings.
    pub fn config(&self) -> &InboxConfig {
        &self.config
    }

    /// Claims up to [`InboxConfig::batch`] due callouts and processes them; an empty list when
    /// nothing is due.
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
    /// let worker = InboxWorker::new(log.clone(), |_| async { Ok::<(), String>(()) })?;
    /// assert_eq!(worker.run_once().await?, [WorkOutcome::Processed { message_id: "m1".into() }]);
    /// assert_eq!(worker.run_once().await?, []);
    /// # Ok(()) }
    /// ```
    pub async fn run_once(&self) -> Result<Vec<WorkOutcome>, MessageLogError> {
        let claimed = self.log.claim_due(self.config.batch).await?;
        Ok(join_all(claimed.into_iter().map(|stored| {
            let span = tracing::info_span!(
                "callout_worker",
                message_id = %stored.message_id,
                attempts = stored.attempts
            );
            self.process(stored).instrument(span)
        }))
        .await)
    }

    /// Processes due callouts until `shutdown` completes (finishing those in progress), waiting
    /// for new work when none is due and backing off after a store failure.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut published: Option<Instant> = None;
        loop {
            if published.is_none_or(|at| at.elapsed() >= STATS_EVERY) {
                published = Some(Instant::now());
                match self.log.inbox_stats().await {
                    Ok(stats) => crate::metrics::inbox_observed(&stats),
                    Err(error) => tracing::warn!(%error, "could not read the inbox's size"),
                }
            }
            let pause: BoxFuture<'_, ()> = match self.run_once().await {
                Ok(done) if !done.is_empty() => Box::pin(std::future::ready(())),
                Ok(_) => self.log.wait_for_work(self.config.idle_poll),
                Err(error) => {
                    tracing::error!(%error, "callout inbox unavailable; retrying");
                    let pause = self.config.idle_poll.max(Duration::from_secs(1));
                    Box::pin(tokio::time::sleep(pause))
                }
            };
            tokio::select! {
                biased;
                () = &mut shutdown => return,
                () = pause => {}
            }
        }
    }

    async fn process(&self, stored: StoredCallout) -> WorkOutcome {
        let message_id = stored.message_id.clone();
        let (reason, last) = match CalloutMessage::from_slice(&stored.body) {
            Err(error) => (error.to_string(), true),
            Ok(message) => {
                let deadline = Instant::now() + self.config.budget;
                match self.processor.process(&stored, message, deadline).await {
                    Ok(()) => {
                        tracing::info!("callout processed");
                        return WorkOutcome::Processed { message_id };
                    }
                    Err(ProcessFailure::Store(error)) => {
                        tracing::warn!(%error, "callout not marked processed; it is retried when its claim's lease ends");
                        return WorkOutcome::Interrupted { message_id };
                    }
                    Err(ProcessFailure::Handler(failure)) => (
                        failure.describe(),
                        stored.attempts >= self.config.max_attempts,
                    ),
                }
            }
        };
        let (id, token, attempts) = (message_id.as_str(), stored.token, stored.attempts);
        let recorded = if last {
            tracing::error!(%reason, "callout does not parse or failed for the last time: dead letter");
            let dead = self.log.dead_letter(id, token, &reason).await;
            dead.map(|()| WorkOutcome::DeadLettered {
                message_id: stored.message_id,
            })
        } else {
            let delay = self.config.backoff.delay(attempts.saturating_sub(1));
            tracing::warn!(%reason, ?delay, "callout handler failed: retrying later");
            let retry = self.log.retry_later(id, token, &reason, delay).await;
            retry.map(|()| WorkOutcome::Retrying {
                message_id: stored.message_id,
                attempts,
                delay,
            })
        };
        recorded.unwrap_or_else(|error| {
            tracing::warn!(%error, "could not record the failure; the claim's lease will retry it");
            WorkOutcome::Interrupted { message_id }
        })
    }
}

impl fmt::Debug for InboxWorker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InboxWorker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
