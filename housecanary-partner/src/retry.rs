//! When and how long to wait before sending a request again.
//!
//! GETs are retried on 429, 502, 503, 504 and transport failures; a POST only when it was
//! certainly not processed (a connection failure, or a 429). Waits grow exponentially with full
//! jitter, and a server's `Retry-After` (seconds or an HTTP date) is honoured up to a cap.

use std::time::{Duration, SystemTime};

/// How requests are retried.
///
/// ```
/// use std::time::Duration;
/// use housecanary_partner::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(200))
///     .max_backoff(Duration::from_secs(10))
///     .max_retry_after(Duration::from_secs(60));
/// assert_eq!(policy.attempts(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts in all, backoff from 500 ms up to 30 s, `Retry-After` honoured up to 120 s.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request exactly once.
    ///
    /// ```
    /// assert_eq!(housecanary_partner::RetryPolicy::never().attempts(), 1);
    /// ```
    pub fn never() -> Self {
        Self::default().max_attempts(1)
    }

    /// Total attempts including the first (at least 1).
    ///
    /// ```
    /// let policy = housecanary_partner::RetryPolicy::default().max_attempts(0);
    /// assert_eq!(policy.attempts(), 1);
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff ceiling before the first retry; it doubles per retry.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let policy = housecanary_partner::RetryPolicy::default().initial_backoff(Duration::from_millis(100));
    /// # let _ = policy;
    /// ```
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff ceiling.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let policy = housecanary_partner::RetryPolicy::default().max_backoff(Duration::from_secs(5));
    /// # let _ = policy;
    /// ```
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` that is waited for; a longer one ends the retries and the call
    /// fails with the server's answer (its `retry_after` filled in).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let policy = housecanary_partner::RetryPolicy::default().max_retry_after(Duration::from_secs(30));
    /// # let _ = policy;
    /// ```
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Total attempts including the first.
    ///
    /// ```
    /// assert_eq!(housecanary_partner::RetryPolicy::default().attempts(), 4);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before retry number `retry` (0 for the first retry): full jitter over an
    /// exponentially growing ceiling, or the server's `Retry-After` when it gave one.
    /// `None` means: do not retry (the server asked for longer than the cap).
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

/// Whether a status is worth another try of a request that is safe to repeat.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
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
    let when = SystemTime::from(when);
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
        assert_eq!(
            policy
                .delay(40, None)
                .map(|d| d <= Duration::from_millis(350)),
            Some(true)
        );
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
}
