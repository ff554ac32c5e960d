//! The receiver's and the inbox workers' settings, and the configurations they refuse.

use std::time::Duration;

use credit_valuation_core::Backoff;

/// How a [`CalloutReceiver`](super::CalloutReceiver) and its axum endpoint bound each request. A body
/// that pauses, crawls, or is the slowest when every slot is taken is answered `408`; body memory is
/// counted as bytes arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverConfig {
    /// The time a request gets, from its arrival to the answer (body, log and inline handler);
    /// past it the answer is `503`. Default 25 s: below the vendor's 30 s, with room for the network.
    pub budget: Duration,
    /// The largest body accepted, in bytes (default 32 MiB: an `order_complete` carrying a report
    /// of about 24 MiB, base64-encoded). Larger bodies are answered `413`.
    pub body_limit: usize,
    /// Bytes of bodies held at once across requests (default 40 MiB); a body that would pass it
    /// is answered `503`.
    pub body_memory: usize,
    /// Bodies read at once (default 64); a newcomer past it takes the slot of the slowest reader.
    pub body_slots: usize,
    /// Requests past their body, being verified, logged and handled at once (default 64); past it
    /// the answer is `503`.
    pub handler_slots: usize,
    /// The longest pause between two pieces of a body (default 2 s).
    pub idle_timeout: Duration,
    /// The slowest a body may arrive after its first second, in bytes a second (default 8 KiB).
    pub min_body_rate: u64,
    /// The longest time a client may take to send a request's head (default 5 s); applied by
    /// [`axum::serve`](super::axum::serve), the server setup the endpoint is meant for.
    pub head_timeout: Duration,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self {
            budget: Duration::from_secs(25),
            body_limit: 32 * 1024 * 1024,
            body_memory: 40 * 1024 * 1024,
            body_slots: 64,
            handler_slots: 64,
            idle_timeout: Duration::from_secs(2),
            min_body_rate: 8 * 1024,
            head_timeout: Duration::from_secs(5),
        }
    }
}

impl ReceiverConfig {
    /// Refuses zero limits and durations, and durations past a year.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        let counts = [
            ("body_limit", self.body_limit),
            ("body_memory", self.body_memory),
            ("body_slots", self.body_slots),
            ("handler_slots", self.handler_slots),
        ];
        let durations = [
            ("budget", self.budget),
            ("idle_timeout", self.idle_timeout),
            ("head_timeout", self.head_timeout),
        ];
        check(&counts, &durations)
    }
}

/// [`ConfigError::Zero`] for the first zero count or duration, then [`ConfigError::TooLong`] for
/// the first duration past a year.
fn check(
    counts: &[(&'static str, usize)],
    durations: &[(&'static str, Duration)],
) -> Result<(), ConfigError> {
    let zero = counts.iter().map(|&(what, count)| (what, count == 0));
    let zero_durations = durations
        .iter()
        .map(|&(what, value)| (what, value.is_zero()));
    if let Some((what, _)) = zero.chain(zero_durations).find(|&(_, zero)| zero) {
        return Err(ConfigError::Zero { what });
    }
    durations
        .iter()
        .try_for_each(|&(what, value)| at_most_a_year(what, value).map(drop))
}

/// How an [`InboxWorker`](super::InboxWorker) works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxConfig {
    /// The time a handler gets per attempt; past it, it is cancelled and the attempt failed
    /// (default 30 s; it must be shorter than the store's claim lease).
    pub budget: Duration,
    /// Attempts before a callout becomes a dead letter (default 8).
    pub max_attempts: u32,
    /// The retry delays: after the first failure, doubling per attempt up to the cap (default 1 s
    /// to 5 min, a quarter of each drawn at random so that the retries of a burst spread out).
    pub backoff: Backoff,
    /// The longest wait when nothing is due: a store announces new callouts sooner (default 5 s).
    pub idle_poll: Duration,
    /// Callouts claimed in one call to the store, their handlers run concurrently (default 4). With
    /// `PostgresMessageLog` a transactional worker holds a connection per callout in progress.
    pub batch: usize,
}

impl Default for InboxConfig {
    fn default() -> Self {
        Self {
            budget: Duration::from_secs(30),
            max_attempts: 8,
            backoff: Backoff::new(Duration::from_secs(1), Duration::from_secs(300)).jitter(0.25),
            idle_poll: Duration::from_secs(5),
            batch: 4,
        }
    }
}

impl InboxConfig {
    /// Refuses zero counts and budget, and durations past a year.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        let counts = [
            ("max_attempts", self.max_attempts as usize),
            ("batch", self.batch),
        ];
        check(&counts, &[("budget", self.budget)])?;
        at_most_a_year("backoff", self.backoff.max())?;
        at_most_a_year("idle_poll", self.idle_poll).map(drop)
    }
}

/// A callout receiver, store or worker was configured in a way that would lose or duplicate work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The store's claim lease is not longer than the handler's budget: a second delivery or worker
    /// could take the claim over while the first handler still runs, and run it twice.
    #[error(
        "the message log's claim lease ({lease:?}) must be longer than the handler budget ({budget:?}), or a live handler could be run twice"
    )]
    LeaseShorterThanBudget {
        /// The store's claim lease.
        lease: Duration,
        /// The handler's budget.
        budget: Duration,
    },
    /// Processed ids would be forgotten while the vendor may still redeliver them.
    #[error(
        "processed ids must be kept at least {horizon:?} (the vendor's redelivery horizon), not {retention:?}"
    )]
    RetentionBelowRedeliveryHorizon {
        /// The configured retention.
        retention: Duration,
        /// The shortest retention accepted.
        horizon: Duration,
    },
    /// A limit that must be at least 1 (or a duration that must be positive) is zero.
    #[error("{what} must not be zero")]
    Zero {
        /// The setting.
        what: &'static str,
    },
    /// A duration setting longer than [`ConfigError::LONGEST_DURATION`] (a year).
    #[error("{what} must be at most {max:?}, not {value:?}")]
    TooLong {
        /// The setting.
        what: &'static str,
        /// The configured value.
        value: Duration,
        /// The longest accepted.
        max: Duration,
    },
}

impl ConfigError {
    /// The longest duration setting accepted (a year).
    pub const LONGEST_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);
}

/// `value` if it is at most [`ConfigError::LONGEST_DURATION`], else [`ConfigError::TooLong`].
pub(crate) fn at_most_a_year(what: &'static str, value: Duration) -> Result<Duration, ConfigError> {
    if value > ConfigError::LONGEST_DURATION {
        Err(ConfigError::TooLong {
            what,
            value,
            max: ConfigError::LONGEST_DURATION,
        })
    } else {
        Ok(value)
    }
}
