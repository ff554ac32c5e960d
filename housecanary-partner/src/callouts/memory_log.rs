//! A bounded, in-process [`MessageLog`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::message_log::{Begin, BoxFuture, MessageLog, MessageLogError};

/// Processed ids remembered by default: the vendor redelivers for about an hour (10 attempts, at
/// least 5 minutes apart), and 100,000 ids (a few MiB) cover that window for most partners.
const DEFAULT_CAPACITY: usize = 100_000;

/// How long a claim may stay in progress before another delivery may take it over. Longer than the
/// receiver's default 25 s budget, so a live handler is never run twice.
const DEFAULT_CLAIM_LEASE: Duration = Duration::from_secs(60);

/// A [`MessageLog`] in memory, bounded to `capacity` processed ids (the oldest completed id is
/// forgotten first, FIFO).
///
/// Delivery stays **at least once**: after a restart, or once an id has been evicted, a redelivery of
/// an already processed message runs the handler again. Use a persistent [`MessageLog`] when that
/// matters, and keep handlers idempotent either way.
///
/// A claim not completed or abandoned within the *claim lease* (default 60 s) is treated as abandoned,
/// so a lost claim can never block an id for good. Keep the lease longer than the receiver's budget.
///
/// ```
/// use std::time::Duration;
/// use housecanary_partner::callouts::InMemoryMessageLog;
///
/// let log = InMemoryMessageLog::new(10_000).with_claim_lease(Duration::from_secs(45));
/// assert_eq!(log.capacity(), 10_000);
/// ```
#[derive(Debug)]
pub struct InMemoryMessageLog {
    capacity: usize,
    claim_lease: Duration,
    state: Mutex<State>,
}

/// Everything behind the one lock; no `.await` happens while it is held.
#[derive(Debug, Default)]
struct State {
    processed: HashSet<String>,
    /// Processed ids in completion order, for FIFO eviction.
    order: VecDeque<String>,
    /// Claimed ids and when they were claimed.
    in_progress: HashMap<String, Instant>,
}

impl InMemoryMessageLog {
    /// A log remembering up to `capacity` processed ids (at least 1).
    ///
    /// ```
    /// use housecanary_partner::callouts::InMemoryMessageLog;
    /// assert_eq!(InMemoryMessageLog::new(0).capacity(), 1);
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            claim_lease: DEFAULT_CLAIM_LEASE,
            state: Mutex::new(State::default()),
        }
    }

    /// How long a claim may stay in progress before another delivery may take the id over.
    ///
    /// ```
    /// use std::time::Duration;
    /// use housecanary_partner::callouts::InMemoryMessageLog;
    /// let log = InMemoryMessageLog::default().with_claim_lease(Duration::from_secs(120));
    /// # let _ = log;
    /// ```
    pub fn with_claim_lease(mut self, lease: Duration) -> Self {
        self.claim_lease = lease;
        self
    }

    /// The most processed ids remembered.
    ///
    /// ```
    /// use housecanary_partner::callouts::InMemoryMessageLog;
    /// assert_eq!(InMemoryMessageLog::default().capacity(), 100_000);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many processed ids are remembered now.
    ///
    /// ```
    /// use housecanary_partner::callouts::InMemoryMessageLog;
    /// assert_eq!(InMemoryMessageLog::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.lock().processed.len()
    }

    /// Whether no processed id is remembered.
    ///
    /// ```
    /// use housecanary_partner::callouts::InMemoryMessageLog;
    /// assert!(InMemoryMessageLog::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The state survives a panic elsewhere while locked: every update below leaves it consistent.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn begin_now(&self, message_id: &str) -> Begin {
        let now = Instant::now();
        let mut state = self.lock();
        if state.processed.contains(message_id) {
            return Begin::AlreadyProcessed;
        }
        if let Some(claimed_at) = state.in_progress.get(message_id) {
            if now.saturating_duration_since(*claimed_at) < self.claim_lease {
                return Begin::InProgress;
            }
            tracing::warn!(
                message_id,
                "callout claim outlived its lease; taking it over"
            );
        }
        // Claims lost without complete/abandon would otherwise accumulate.
        if state.in_progress.len() >= self.capacity {
            let lease = self.claim_lease;
            state
                .in_progress
                .retain(|_, claimed_at| now.saturating_duration_since(*claimed_at) < lease);
        }
        state.in_progress.insert(message_id.to_owned(), now);
        Begin::New
    }

    fn complete_now(&self, message_id: &str) {
        let mut state = self.lock();
        state.in_progress.remove(message_id);
        if state.processed.insert(message_id.to_owned()) {
            state.order.push_back(message_id.to_owned());
        }
        while state.order.len() > self.capacity {
            if let Some(oldest) = state.order.pop_front() {
                state.processed.remove(&oldest);
            }
        }
    }

    fn abandon_now(&self, message_id: &str) {
        self.lock().in_progress.remove(message_id);
    }
}

impl Default for InMemoryMessageLog {
    /// Capacity 100,000 ids, claim lease 60 s.
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl MessageLog for InMemoryMessageLog {
    fn try_begin<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<Begin, MessageLogError>> {
        Box::pin(async move { Ok(self.begin_now(message_id)) })
    }

    fn complete<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async move {
            self.complete_now(message_id);
            Ok(())
        })
    }

    fn abandon<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async move {
            self.abandon_now(message_id);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn claim_complete_and_abandon() {
        let log = InMemoryMessageLog::new(10);
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::New);
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::InProgress);
        log.abandon("a").await.unwrap();
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::New);
        log.complete("a").await.unwrap();
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::AlreadyProcessed);
        assert_eq!(log.len(), 1);
    }

    #[tokio::test]
    async fn the_oldest_processed_id_is_evicted_first() {
        let log = InMemoryMessageLog::new(3);
        for id in ["1", "2", "3", "4"] {
            assert_eq!(log.try_begin(id).await.unwrap(), Begin::New);
            log.complete(id).await.unwrap();
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.try_begin("1").await.unwrap(), Begin::New);
        for id in ["2", "3", "4"] {
            assert_eq!(log.try_begin(id).await.unwrap(), Begin::AlreadyProcessed);
        }
    }

    #[tokio::test]
    async fn completing_twice_keeps_one_entry() {
        let log = InMemoryMessageLog::new(3);
        log.complete("x").await.unwrap();
        log.complete("x").await.unwrap();
        assert_eq!(log.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_claim_past_its_lease_can_be_taken_over() {
        let log = InMemoryMessageLog::new(10).with_claim_lease(Duration::from_secs(30));
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::New);
        tokio::time::advance(Duration::from_secs(29)).await;
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::InProgress);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::New);
    }
}
