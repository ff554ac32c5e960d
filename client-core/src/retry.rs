//! When and how long to wait before sending a request again.
//!
//! The one rule for both vendors: never resend what may have been processed, retry what certainly
//! was not. An [`Idempotency::Idempotent`] call is retried on 429, 502, 503, 504 and transport
//! failures; a [`Idempotency::NotIdempotent`] one (a credit inquiry, an order, an export) only when
//! the connection was never established or the vendor answered 429. Waits grow exponentially with
//! full jitter; a server's `Retry-After` (seconds or an HTTP date) is honoured up to a cap.

use std::time::{Duration, SystemTime};

use crate::backoff::Backoff;
use crate::delivery::Delivery;

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
    backoff: Backoff,
    max_retry_after: Duration,
    overall_deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    /// 4 attempts in all, backoff from 500 ms up to 30 s, `Retry-After` honoured up to 120 s, no
    /// overall deadline beyond the per-attempt timeout.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(30)),
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
        self.backoff = Backoff::new(backoff, self.backoff.max());
        self
    }

    /// The largest backoff ceiling.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = Backoff::new(self.backoff.initial(), backoff);
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
}

/// What an attempt came to, as far as the retry decision is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The connection was never established: nothing reached the vendor.
    NotConnected,
    /// The exchange failed after the request may have been sent (a timeout, a reset).
    Interrupted,
    /// The vendor answered with a status that is not a success, and maybe a `Retry-After`.
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
}

impl Outcome {
    /// How far a failed exchange got (an answer's delivery is decided by its status elsewhere).
    pub(crate) fn delivery(self) -> Delivery {
        match self {
            Outcome::NotConnected => Delivery::NotSent,
            _ => Delivery::MayHaveBeenProcessed,
        }
    }
}

/// Where the call stands when an attempt failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    /// Retries already made (the resend after a token refresh is not one).
    pub(crate) retries: u32,
    /// Whether a 401 may be answered by dropping the bearer token and resending once.
    pub(crate) token_refreshable: bool,
    /// Time left before the call's deadline, if it has one.
    pub(crate) time_left: Option<Duration>,
    /// A random number in `[0, 1)` for the backoff's jitter.
    pub(crate) draw: f64,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Send again after this wait.
    Retry(Duration),
    /// Drop the rejected bearer token and send again at once.
    RefreshToken,
    /// Stop: the failure is the call's answer.
    GiveUp,
}

/// The one retry rule, decided without touching the network or the clock: a 401 to a bearer token
/// not yet refreshed is resent once with a new token (a 401 means the request was not acted on);
/// otherwise a failure is retried only when it is retryable for the request's idempotency, an
/// attempt is left, the server's `Retry-After` is within the cap, and the wait ends before the
/// deadline.
pub(crate) fn decide(
    outcome: Outcome,
    attempt: &Attempt,
    policy: &RetryPolicy,
    idempotency: Idempotency,
) -> Next {
    let (retryable, retry_after) = match outcome {
        Outcome::Status { status: 401, .. } if attempt.token_refreshable => {
            return Next::RefreshToken;
        }
        Outcome::Status {
            status,
            retry_after,
        } => (idempotency.retries_status(status), retry_after),
        Outcome::NotConnected => (true, None),
        Outcome::Interrupted => (idempotency == Idempotency::Idempotent, None),
    };
    if !retryable || attempt.retries + 1 >= policy.max_attempts {
        return Next::GiveUp;
    }
    let delay = match retry_after {
        Some(wanted) if wanted > policy.max_retry_after => return Next::GiveUp,
        Some(wanted) => wanted,
        None => policy.backoff.delay_drawn(attempt.retries, attempt.draw),
    };
    match attempt.time_left {
        Some(left) if delay >= left => Next::GiveUp,
        _ => Next::Retry(delay),
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

    /// The retry rule as a table: outcome, retries made, whether a token may be refreshed, time
    /// left, idempotency, and the decision (the policy: 3 attempts, backoff 100 ms doubling up to
    /// 150 ms, `Retry-After` up to 10 s; the jitter draw 0.5 takes half of full jitter).
    /// Outcome, retries made, token refreshable, time left, idempotency, decision.
    type Row = (Outcome, u32, bool, Option<Duration>, Idempotency, Next);

    #[test]
    fn the_decision_table() {
        use Idempotency::{Idempotent as Idem, NotIdempotent as NotIdem};
        use Next::{GiveUp, RefreshToken, Retry};
        let policy = RetryPolicy::default()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(150))
            .max_retry_after(Duration::from_secs(10));
        let status = |status| Outcome::Status {
            status,
            retry_after: None,
        };
        let after = |status, secs| Outcome::Status {
            status,
            retry_after: Some(Duration::from_secs(secs)),
        };
        let ms = Duration::from_millis;
        #[rustfmt::skip]
        let table: &[Row] = &[
            // Nothing reached the vendor: every request is retried.
            (Outcome::NotConnected, 0, false, None, NotIdem, Retry(ms(50))),
            (Outcome::NotConnected, 0, false, None, Idem, Retry(ms(50))),
            // The backoff doubles, capped at 150 ms (half of it drawn away).
            (Outcome::NotConnected, 1, false, None, Idem, Retry(ms(75))),
            // The last attempt was made.
            (Outcome::NotConnected, 2, false, None, Idem, GiveUp),
            // It may have been processed: only an idempotent request is resent.
            (Outcome::Interrupted, 0, false, None, Idem, Retry(ms(50))),
            (Outcome::Interrupted, 0, false, None, NotIdem, GiveUp),
            // 429 was not acted on; 502/503/504 may have been.
            (status(429), 0, false, None, NotIdem, Retry(ms(50))),
            (status(503), 0, false, None, Idem, Retry(ms(50))),
            (status(502), 0, false, None, NotIdem, GiveUp),
            (status(504), 0, false, None, NotIdem, GiveUp),
            // Other statuses are answers, never retried.
            (status(500), 0, false, None, Idem, GiveUp),
            (status(404), 0, false, None, Idem, GiveUp),
            // A 401 to a bearer token: one resend with a new one, even on the last attempt.
            (status(401), 2, true, None, NotIdem, RefreshToken),
            (status(401), 0, false, None, Idem, GiveUp),
            // The server's Retry-After is waited for, up to the cap.
            (after(429, 3), 0, false, None, NotIdem, Retry(Duration::from_secs(3))),
            (after(503, 11), 0, false, None, Idem, GiveUp),
            (after(500, 1), 0, false, None, Idem, GiveUp),
            // No wait ends at or past the deadline.
            (after(429, 3), 0, false, Some(Duration::from_secs(3)), Idem, GiveUp),
            (after(429, 3), 0, false, Some(ms(3001)), Idem, Retry(Duration::from_secs(3))),
            (Outcome::NotConnected, 0, false, Some(Duration::ZERO), Idem, GiveUp),
        ];
        for &(outcome, retries, token_refreshable, time_left, idempotency, expected) in table {
            let attempt = Attempt {
                retries,
                token_refreshable,
                time_left,
                draw: 0.5,
            };
            assert_eq!(
                decide(outcome, &attempt, &policy, idempotency),
                expected,
                "{outcome:?} after {retries} retries, {idempotency:?}, {time_left:?} left"
            );
        }
    }
}
