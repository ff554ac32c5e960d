//! What a receiver lets in before the body is read: requests in flight, bytes buffered, and how
//! long a body may take to arrive.
// Only the axum endpoint admits requests; without it the limits are configuration only.
#![cfg_attr(not(feature = "axum"), allow(dead_code))]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Default limit of requests whose body is being read or processed at once.
pub(crate) const DEFAULT_MAX_IN_FLIGHT: usize = 64;
/// Default bytes of bodies buffered at once, across all requests: one largest body (32 MiB) and
/// room for the small ones, so forged bodies cannot grow memory without bound.
pub(crate) const DEFAULT_BODY_MEMORY: usize = 40 * 1024 * 1024;
/// Default time a body may take to arrive once its headers did.
pub(crate) const DEFAULT_BODY_DEADLINE: Duration = Duration::from_secs(10);

/// Shared limits of one receiver (and its clones).
#[derive(Debug)]
pub(crate) struct Admission {
    counters: Arc<Counters>,
    pub(crate) body_deadline: Duration,
}

/// Counters, not semaphores: nobody waits for room (a full receiver answers 503 at once), and a
/// counter is released without the lock a semaphore takes on every release.
#[derive(Debug)]
struct Counters {
    in_flight: Counter,
    body_bytes: Counter,
}

#[derive(Debug)]
struct Counter {
    used: AtomicUsize,
    limit: usize,
}

impl Counter {
    fn new(limit: usize) -> Self {
        Self {
            used: AtomicUsize::new(0),
            limit,
        }
    }

    /// Takes `amount` if it fits under the limit.
    ///
    /// One add, undone when it overshoots, instead of a compare-and-swap loop: this runs twice per
    /// request. Two requests racing for the last room may then both be refused for an instant,
    /// which only happens at the limit, where a `503` is the answer anyway.
    fn try_take(&self, amount: usize) -> bool {
        if amount > self.limit {
            return false;
        }
        // Every amount added is at most `limit` and is taken back at once when it overshoots, so
        // the sum stays far from overflowing.
        let before = self.used.fetch_add(amount, Ordering::AcqRel);
        if before.saturating_add(amount) <= self.limit {
            true
        } else {
            self.used.fetch_sub(amount, Ordering::AcqRel);
            false
        }
    }

    fn give_back(&self, amount: usize) {
        self.used.fetch_sub(amount, Ordering::AcqRel);
    }
}

/// What one admitted request holds until it is answered.
#[derive(Debug)]
pub(crate) struct Ticket {
    counters: Arc<Counters>,
    body_bytes: usize,
}

impl Admission {
    pub(crate) fn new(max_in_flight: usize, body_memory: usize, body_deadline: Duration) -> Self {
        Self {
            counters: Arc::new(Counters {
                in_flight: Counter::new(max_in_flight),
                body_bytes: Counter::new(body_memory),
            }),
            body_deadline,
        }
    }

    pub(crate) fn max_in_flight(&self) -> usize {
        self.counters.in_flight.limit
    }

    pub(crate) fn body_memory(&self) -> usize {
        self.counters.body_bytes.limit
    }

    /// A place among the requests in flight, or `None` when all are taken (answer 503 at once).
    pub(crate) fn admit(&self) -> Option<Ticket> {
        if !self.counters.in_flight.try_take(1) {
            return None;
        }
        Some(Ticket {
            counters: Arc::clone(&self.counters),
            body_bytes: 0,
        })
    }
}

impl Ticket {
    /// Reserves `bytes` more of the shared body memory; `false` when it is not free now.
    pub(crate) fn reserve(&mut self, bytes: usize) -> bool {
        if bytes == 0 {
            return true;
        }
        if !self.counters.body_bytes.try_take(bytes) {
            return false;
        }
        self.body_bytes += bytes;
        true
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.counters.body_bytes.give_back(self.body_bytes);
        self.counters.in_flight.give_back(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_and_body_bytes_come_back_when_a_ticket_is_dropped() {
        let admission = Admission::new(2, 100, DEFAULT_BODY_DEADLINE);
        let mut first = admission.admit().expect("a first place");
        let second = admission.admit().expect("a second place");
        assert!(admission.admit().is_none(), "two in flight at most");
        assert!(first.reserve(60));
        assert!(!first.reserve(41), "100 bytes at most");
        assert!(first.reserve(40));
        drop(first);
        drop(second);
        let mut again = admission.admit().expect("places came back");
        assert!(again.reserve(100), "bytes came back");
    }
}
