//! When and how long to wait before sending a request again.
//!
//! The one rule for both vendors: never resend what may have been processed, retry what certainly
//! was not. An [`Idempotency::Idempotent`] call is retried on 429, 502, 503, 504 and transport
//! failures; a [`Idempotency::NotIdempotent`] one (a credit inquiry, an order, an export) only when
//! the connection was never established or the vendor answered 429. Waits grow exponentially with
//! full jitter; a server's `Retry-After` (seconds or an HTTP date) is honoured up to a cap.

use std::time::{Duration, SystemTime};

/// Whether a request may be sent again after it may have reached the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Sending it twice has the effect of sending it once (GET): retried on 429/502/503/504 and on
    /// any transport failure.
    Idempotent,
    /// Sending it twice may act twice (an inquiry, an order): retried only on a failed connection
    /// or a 429.
    NotIdempotent,
}

impl Idempotency {
    /// Whether an answer with `status` is worth another attempt.
    pub(crate) fn retries_status(self, status: u16) -> bool {
        match self {
            Idempotency::Idempotent => matches!(status, 429 | 502 | 503 | 504),
            Idempotency::NotIdempotent => status == 429,
        }
    }
}

/// How requests are retried.
///
/// ```
/// use std::time::Duration;
/// use credit_valuation_core::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(200))
///     .max_backoff(Duration::from_secs(10))
///     .max_retry_after(Duration::from_secs(60))
///     .overall_deadline(Duration::from_secs(90));
/// assert_eq!(policy.attempts(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    overall_deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    /// 4 attempts in all, backoff from 500 ms up to 30 s, `Retry-After` honoured up to 120 s, no
    /// overall deadline beyond the per-attempt timeout.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            overall_deadline: None,
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request exactly once.
    ///
    /// ```
    /// assert_eq!(credit_valuation_core::RetryPolicy::never().attempts(), 1);
    /// ```
    pub fn never() -> Self {
        Self::default().max_attempts(1)
    }

    /// Total attempts including the first (at least 1). The one resend after a 401 that refreshed a
    /// bearer token is not counted.
    ///
    /// ```
    /// assert_eq!(credit_valuation_core::RetryPolicy::default().max_attempts(0).attempts(), 1);
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff ceiling before the first retry; it doubles per retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff ceiling.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` that is waited for; a longer one ends the retries and the call
    /// fails with the server's answer.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// No retry starts whose wait would end later than this after the call began.
    pub fn overall_deadline(mut self, deadline: Duration) -> Self {
        self.overall_deadline = Some(deadline);
        self
    }

    /// Total attempts including the first.
    ///
    /// ```
    /// assert_eq!(credit_valuation_core::RetryPolicy::default().attempts(), 4);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The overall deadline, if one is set.
    pub fn deadline(&self) -> Option<Duration> {
        self.overall_deadline
    }

    /// The wait before retry number `retry` (0 for the first retry): full jitter over an
    /// exponentially growing ceiling, or the server's `Retry-After` when it gave one. `None` means:
    /// do not retry (the server asked for longer than the cap).
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(wanted) = retry_after {
            return (wanted <= self.max_retry_after).then_some(wanted);
        }
        let factor = 2_u32.saturating_pow(retry.min(31));
        let ceiling = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Some(Duration::from_millis(fastrand::u64(0..=ceiling_ms)))
    }
}

/// Parses `Retry-After`: delta-seconds or an HTTP date (relative to `now`; a past date is 0).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    // A date past what `SystemTime` holds is a wait longer than any cap.
    let Ok(when) = SystemTime::try_from(when) else {
        return Some(Duration::MAX);
    };
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn backoff_is_jittered_under_a_growing_capped_ceiling() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        for _ in 0..200 {
            assert!(policy.delay(0, None).unwrap() <= Duration::from_millis(100));
            assert!(policy.delay(1, None).unwrap() <= Duration::from_millis(200));
            assert!(policy.delay(9, None).unwrap() <= Duration::from_millis(350));
        }
        assert!(policy.delay(40, None).unwrap() <= Duration::from_millis(350));
    }

    #[test]
    fn retry_after_beyond_the_cap_stops_retrying() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(10));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(10))),
            Some(Duration::from_secs(10))
        );
        assert_eq!(policy.delay(0, Some(Duration::from_secs(11))), None);
    }

    #[test]
    fn only_idempotent_calls_retry_gateway_failures() {
        for status in [502, 503, 504] {
            assert!(Idempotency::Idempotent.retries_status(status));
            assert!(!Idempotency::NotIdempotent.retries_status(status));
        }
        assert!(Idempotency::NotIdempotent.retries_status(429));
        assert!(!Idempotency::Idempotent.retries_status(500));
    }
}
