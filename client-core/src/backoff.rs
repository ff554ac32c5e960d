//! Exponential backoff with a cap and jitter: how long to wait before trying again.

use std::time::Duration;

/// Waits that double from `initial` per retry up to `max`, a share of each drawn at random so that
/// the retries of many callers spread out.
///
/// With the default full jitter a wait is uniform between zero and its ceiling (what the transport
/// uses); [`Backoff::jitter`] narrows the random share, down to fixed waits.
///
/// ```
/// use std::time::Duration;
/// use credit_valuation_core::Backoff;
/// let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(300)).jitter(0.25);
/// assert_eq!(backoff.ceiling(3), Duration::from_secs(8));
/// let wait = backoff.delay(3);
/// assert!(wait >= Duration::from_secs(6) && wait <= Duration::from_secs(8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    jitter: f64,
}

// The jitter share is never NaN (`Backoff::jitter` keeps it in [0, 1]), so equality is total.
impl Eq for Backoff {}

impl Backoff {
    /// Waits from `initial` (before the first retry), doubling up to `max`, with full jitter.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max,
            jitter: 1.0,
        }
    }

    /// The share of each wait drawn at random, from 0.0 (every wait is its ceiling) to 1.0 (the
    /// default: uniform between zero and the ceiling); out-of-range values are clamped.
    pub fn jitter(mut self, share: f64) -> Self {
        // NaN is no share at all: keep full jitter.
        self.jitter = if share.is_nan() {
            1.0
        } else {
            share.clamp(0.0, 1.0)
        };
        self
    }

    /// The wait before the first retry.
    pub fn initial(&self) -> Duration {
        self.initial
    }

    /// The largest wait.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The longest wait before retry number `retry` (0 for the first): `initial × 2^retry`, capped.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2_u32.saturating_pow(retry.min(31));
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// A wait before retry number `retry` (0 for the first), its random share drawn now.
    pub fn delay(&self, retry: u32) -> Duration {
        self.delay_drawn(retry, fastrand::f64())
    }

    /// The wait before retry number `retry` for a random `draw` in `[0, 1)`: the ceiling less
    /// `draw` of its random share. Deterministic, for the retry decision and its tests.
    pub(crate) fn delay_drawn(&self, retry: u32, draw: f64) -> Duration {
        let ceiling = self.ceiling(retry);
        let factor = 1.0 - self.jitter * draw.clamp(0.0, 1.0);
        // A ceiling near `Duration::MAX` may round up past it as a float: keep the ceiling then.
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * factor).unwrap_or(ceiling)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(350));
        let ceilings: Vec<u128> = (0..4).map(|n| backoff.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 350, 350]);
        assert_eq!(backoff.ceiling(u32::MAX), Duration::from_millis(350));
        let unbounded = Backoff::new(Duration::from_secs(1), Duration::MAX);
        assert_eq!(unbounded.delay_drawn(u32::MAX, 0.0), unbounded.ceiling(40));
    }

    #[test]
    fn jitter_takes_its_share_of_the_ceiling() {
        let full = Backoff::new(Duration::from_secs(8), Duration::from_secs(8));
        assert_eq!(full.delay_drawn(0, 0.0), Duration::from_secs(8));
        assert_eq!(full.delay_drawn(0, 0.5), Duration::from_secs(4));
        let quarter = full.jitter(0.25);
        assert_eq!(quarter.delay_drawn(0, 0.5), Duration::from_secs(7));
        let fixed = full.jitter(0.0);
        assert_eq!(fixed.delay_drawn(0, 0.99), Duration::from_secs(8));
        assert_eq!(full.jitter(f64::NAN), full);
        for _ in 0..100 {
            assert!(quarter.delay(0) >= Duration::from_secs(6));
            assert!(full.delay(0) <= Duration::from_secs(8));
        }
    }
}
