//! Configurations the callout receiver, its store and its workers refuse at construction.

use std::time::Duration;

/// A callout receiver, store or worker was configured in a way that would lose or duplicate work.
///
/// ```
/// use std::time::Duration;
/// use housecanary_partner::callouts::ConfigError;
/// let error = ConfigError::LeaseShorterThanBudget {
///     lease: Duration::from_secs(1),
///     budget: Duration::from_secs(4),
/// };
/// assert!(error.to_string().contains("lease"));
/// ```
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
    /// The longest duration setting accepted (a year): longer means "never" just as well, and
    /// deadlines computed from it could not be represented.
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
