//! A bounded, in-process [`MessageLog`]: the embedded default.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::message_log::{
    Begin, BoxFuture, ClaimToken, DeadLetter, Enqueued, MessageLog, MessageLogError, StoredCallout,
};

/// Processed ids remembered by default: the vendor redelivers for about an hour (10 attempts, at
/// least 5 minutes apart), and 100,000 ids (a few MiB) cover that window for most partners.
const DEFAULT_CAPACITY: usize = 100_000;

/// How long a claim holds before another delivery may take it over. Longer than the receiver's
/// default 25 s budget, so a live handler is never run twice.
const DEFAULT_CLAIM_LEASE: Duration = Duration::from_secs(60);

/// Inbox length past which resolved ids are removed from the middle too.
const INBOX_COMPACTION: usize = 4096;

/// A [`MessageLog`] in memory, bounded to `capacity` processed ids (the oldest processed id is
/// forgotten first, FIFO). Stored inbox callouts and dead letters are never evicted: they are
/// messages nobody has processed yet.
///
/// Delivery stays **at least once**: after a restart, or once an id has been evicted, a redelivery of
/// an already processed message runs the handler again, and the inbox does not survive a restart.
/// Use `PostgresMessageLog` (feature `postgres`) when that matters.
///
/// Claims follow the same rules as in the database: each carries a [`ClaimToken`], only its holder
/// can end it, and a claim not ended within the *claim lease* (default 60 s) is taken over with a new
/// token.
///
/// ```
/// use std::time::Duration;
/// use housecanary_partner::callouts::{InMemoryMessageLog, MessageLog};
///
/// let log = InMemoryMessageLog::new(10_000).with_claim_lease(Duration::from_secs(45));
/// assert_eq!(log.capacity(), 10_000);
/// assert_eq!(log.claim_lease(), Duration::from_secs(45));
/// ```
#[derive(Debug)]
pub struct InMemoryMessageLog {
    capacity: usize,
    claim_lease: Duration,
    state: Mutex<State>,
}

/// What the log knows of one id.
#[derive(Debug)]
enum Entry {
    /// Held by the token's owner until `until`. `body` is set for inbox callouts.
    Claimed {
        token: ClaimToken,
        until: Instant,
        body: Option<Bytes>,
        attempts: u32,
    },
    /// Stored, waiting for a worker from `due` on.
    Pending {
        body: Bytes,
        attempts: u32,
        due: Instant,
    },
    Processed,
    /// Boxed: rare, and the largest variant would otherwise size every entry.
    Dead(Box<DeadLetter>),
}

/// Everything behind the one lock; no `.await` happens while it is held.
#[derive(Debug, Default)]
struct State {
    /// Keyed by shared ids: the orders below hold the same allocation, not a copy.
    entries: HashMap<Arc<str>, Entry>,
    /// Processed ids in completion order, for FIFO eviction.
    processed_order: VecDeque<Arc<str>>,
    /// Inbox ids that are pending or claimed, in arrival order; resolved ones are dropped lazily.
    inbox: VecDeque<Arc<str>>,
    /// Dead-letter ids, oldest first.
    dead_order: Vec<Arc<str>>,
    /// Inline claims (no body), counted to prune those lost without complete/abandon.
    inline_claims: usize,
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

    /// How long a claim holds before another delivery may take the id over (keep it longer than the
    /// receiver's budget: a receiver refuses a shorter one).
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
        self.lock().processed_order.len()
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
        let lease = self.claim_lease;
        let mut state = self.lock();
        match state.entries.get(message_id) {
            Some(Entry::Processed | Entry::Dead(_) | Entry::Pending { .. }) => {
                return Begin::AlreadyProcessed;
            }
            Some(Entry::Claimed { until, body, .. }) => {
                if *until > now {
                    return Begin::InProgress;
                }
                if body.is_some() {
                    // An inbox callout: stored already; its worker's lease is the workers' business.
                    return Begin::AlreadyProcessed;
                }
                tracing::warn!(
                    message_id,
                    "callout claim outlived its lease; taking it over"
                );
                state.inline_claims = state.inline_claims.saturating_sub(1);
            }
            None => {}
        }
        // Claims lost without complete/abandon would otherwise accumulate.
        if state.inline_claims >= self.capacity {
            state.entries.retain(|_, entry| {
                !matches!(entry, Entry::Claimed { until, body: None, .. } if *until <= now)
            });
            state.inline_claims = state
                .entries
                .values()
                .filter(|entry| matches!(entry, Entry::Claimed { body: None, .. }))
                .count();
        }
        let token = ClaimToken::random();
        state.entries.insert(
            Arc::from(message_id),
            Entry::Claimed {
                token,
                until: now + lease,
                body: None,
                attempts: 1,
            },
        );
        state.inline_claims += 1;
        Begin::New(token)
    }

    /// Resolves a claim held by `token` with `resolve`, or reports it lost.
    fn with_claim(
        &self,
        message_id: &str,
        token: ClaimToken,
        resolve: impl FnOnce(&mut State, Arc<str>, Option<Bytes>, u32) -> Entry,
    ) -> Result<(), MessageLogError> {
        let mut state = self.lock();
        // Taken out and put back: two table operations, and the shared key for `resolve`.
        let Some((key, entry)) = state.entries.remove_entry(message_id) else {
            return Err(MessageLogError::claim_lost(message_id));
        };
        let (body, attempts) = match entry {
            Entry::Claimed {
                token: held,
                body,
                attempts,
                ..
            } if held == token => (body, attempts),
            other => {
                state.entries.insert(key, other);
                return Err(MessageLogError::claim_lost(message_id));
            }
        };
        if body.is_none() {
            state.inline_claims = state.inline_claims.saturating_sub(1);
        }
        let entry = resolve(&mut state, Arc::clone(&key), body, attempts);
        state.entries.insert(key, entry);
        Ok(())
    }

    fn complete_now(&self, message_id: &str, token: ClaimToken) -> Result<(), MessageLogError> {
        let capacity = self.capacity;
        self.with_claim(message_id, token, |state, key, _, _| {
            state.processed_order.push_back(key);
            while state.processed_order.len() > capacity {
                if let Some(oldest) = state.processed_order.pop_front() {
                    if matches!(state.entries.get(&oldest), Some(Entry::Processed)) {
                        state.entries.remove(&oldest);
                    }
                }
            }
            Entry::Processed
        })
    }

    fn abandon_now(&self, message_id: &str, token: ClaimToken) {
        let mut state = self.lock();
        let held = matches!(
            state.entries.get(message_id),
            Some(Entry::Claimed { token: held, body: None, .. }) if *held == token
        );
        if held {
            state.entries.remove(message_id);
            state.inline_claims = state.inline_claims.saturating_sub(1);
        }
    }

    fn enqueue_now(&self, message_id: &str, body: Bytes) -> Enqueued {
        let mut state = self.lock();
        if state.entries.contains_key(message_id) {
            return Enqueued::AlreadyKnown;
        }
        let key: Arc<str> = Arc::from(message_id);
        state.entries.insert(
            Arc::clone(&key),
            Entry::Pending {
                body,
                attempts: 0,
                due: Instant::now(),
            },
        );
        state.inbox.push_back(key);
        Enqueued::Stored
    }

    fn claim_next_now(&self) -> Option<StoredCallout> {
        let now = Instant::now();
        let lease = self.claim_lease;
        let mut state = self.lock();
        let State { entries, inbox, .. } = &mut *state;
        let open = |id: &Arc<str>| {
            matches!(
                entries.get(id),
                Some(Entry::Pending { .. } | Entry::Claimed { body: Some(_), .. })
            )
        };
        // Resolved ids leave from the front, so the scan stays short without a pass over all.
        while inbox.front().is_some_and(|id| !open(id)) {
            inbox.pop_front();
        }
        // Behind a callout waiting for a late retry, resolved ids would pile up.
        if inbox.len() > INBOX_COMPACTION {
            inbox.retain(open);
        }
        for id in inbox.iter() {
            let Some(entry) = entries.get_mut(id) else {
                continue;
            };
            let (body, attempts) = match entry {
                Entry::Pending {
                    body,
                    attempts,
                    due,
                } if *due <= now => (body.clone(), *attempts),
                Entry::Claimed {
                    until,
                    body: Some(body),
                    attempts,
                    ..
                } if *until <= now => {
                    tracing::warn!(message_id = %id, "inbox claim outlived its lease; taking it over");
                    (body.clone(), *attempts)
                }
                _ => continue,
            };
            let token = ClaimToken::random();
            let attempts = attempts.saturating_add(1);
            *entry = Entry::Claimed {
                token,
                until: now + lease,
                body: Some(body.clone()),
                attempts,
            };
            return Some(StoredCallout::new(id.to_string(), body, attempts, token));
        }
        None
    }

    fn store_dead_letter_now(&self, dead: DeadLetter) {
        let mut state = self.lock();
        if state.entries.contains_key(dead.message_id.as_str()) {
            return;
        }
        let key: Arc<str> = Arc::from(dead.message_id.as_str());
        state.dead_order.push(Arc::clone(&key));
        state.entries.insert(key, Entry::Dead(Box::new(dead)));
    }

    fn dead_letters_now(&self, limit: usize) -> Vec<DeadLetter> {
        let state = self.lock();
        state
            .dead_order
            .iter()
            .filter_map(|id| match state.entries.get(id) {
                Some(Entry::Dead(dead)) => Some(DeadLetter::clone(dead)),
                _ => None,
            })
            .take(limit)
            .collect()
    }
}

impl Default for InMemoryMessageLog {
    /// Capacity 100,000 ids, claim lease 60 s.
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl MessageLog for InMemoryMessageLog {
    fn claim_lease(&self) -> Duration {
        self.claim_lease
    }

    fn try_begin<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<Begin, MessageLogError>> {
        Box::pin(async move { Ok(self.begin_now(message_id)) })
    }

    fn complete<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async move { self.complete_now(message_id, token) })
    }

    fn abandon<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async move {
            self.abandon_now(message_id, token);
            Ok(())
        })
    }

    fn enqueue<'a>(
        &'a self,
        message_id: &'a str,
        body: Bytes,
    ) -> BoxFuture<'a, Result<Enqueued, MessageLogError>> {
        Box::pin(async move { Ok(self.enqueue_now(message_id, body)) })
    }

    fn claim_next(&self) -> BoxFuture<'_, Result<Option<StoredCallout>, MessageLogError>> {
        Box::pin(async move { Ok(self.claim_next_now()) })
    }

    fn retry_later<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
        _reason: &'a str,
        delay: Duration,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async move {
            self.with_claim(message_id, token, |_, _, body, attempts| Entry::Pending {
                body: body.unwrap_or_default(),
                attempts,
                due: Instant::now() + delay,
            })
        })
    }

    fn dead_letter<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async move {
            self.with_claim(message_id, token, |state, key, body, attempts| {
                state.dead_order.push(key);
                Entry::Dead(Box::new(DeadLetter::new(
                    message_id,
                    body.unwrap_or_default(),
                    reason,
                    attempts,
                )))
            })
        })
    }

    fn store_dead_letter(&self, dead: DeadLetter) -> BoxFuture<'_, Result<(), MessageLogError>> {
        Box::pin(async move {
            self.store_dead_letter_now(dead);
            Ok(())
        })
    }

    fn dead_letters(
        &self,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<DeadLetter>, MessageLogError>> {
        Box::pin(async move { Ok(self.dead_letters_now(limit)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_token(begin: Begin) -> ClaimToken {
        match begin {
            Begin::New(token) => token,
            other => panic!("expected a new claim, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_oldest_processed_id_is_evicted_first() {
        let log = InMemoryMessageLog::new(3);
        for id in ["1", "2", "3", "4"] {
            let token = new_token(log.try_begin(id).await.unwrap());
            log.complete(id, token).await.unwrap();
        }
        assert_eq!(log.len(), 3);
        new_token(log.try_begin("1").await.unwrap());
        for id in ["2", "3", "4"] {
            assert_eq!(log.try_begin(id).await.unwrap(), Begin::AlreadyProcessed);
        }
    }

    #[tokio::test]
    async fn a_wrong_token_changes_nothing() {
        let log = InMemoryMessageLog::new(3);
        let token = new_token(log.try_begin("a").await.unwrap());
        let other = ClaimToken::from_i64(token.as_i64().wrapping_add(1));
        assert!(log.complete("a", other).await.unwrap_err().is_claim_lost());
        log.abandon("a", other).await.unwrap();
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::InProgress);
        log.complete("a", token).await.unwrap();
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::AlreadyProcessed);
    }
}
