//! A bounded, in-process [`MessageLog`]: the embedded default. One map of ids and three queues
//! behind one lock; no `.await` happens while it is held.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::ready;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::config::ConfigError;
use super::message_log::{
    Begin, ClaimToken, DeadLetter, Enqueued, InboxStats, MessageLog, MessageLogError, StoredCallout,
};

/// Processed ids remembered by default: the vendor redelivers for about an hour (11 deliveries, at
/// least 5 minutes apart), and 100,000 ids cover that window for most partners.
const DEFAULT_CAPACITY: usize = 100_000;

/// A [`MessageLog`] in memory, bounded to `capacity` processed ids and to a count and bytes of dead
/// letters (oldest dropped first); the inbox is never dropped, but nothing survives a restart: use
/// `PostgresMessageLog` when that matters.
///
/// ```
/// use std::time::Duration;
/// use housecanary_partner::callouts::{InMemoryMessageLog, MessageLog};
///
/// let log = InMemoryMessageLog::new(10_000)
///     .lease(Duration::from_secs(45))
///     .dead_letter_limits(100, 16 * 1024 * 1024);
/// assert_eq!(log.claim_lease(), Duration::from_secs(45));
/// ```
pub struct InMemoryMessageLog {
    capacity: usize,
    claim_lease: Duration,
    max_dead: usize,
    max_dead_bytes: usize,
    state: Mutex<State>,
    /// Wakes a waiting worker when a callout is stored or redriven.
    work: Notify,
}

#[derive(Default)]
struct State {
    entries: HashMap<String, Entry>,
    /// Processed ids in completion order, for eviction.
    processed: VecDeque<String>,
    /// Inbox ids with when they were stored, in that order; ids no longer waiting are skipped, and
    /// pruned from the front.
    inbox: VecDeque<(String, Instant)>,
    /// Dead letters, oldest first (their ids are `Entry::Dead`).
    dead: VecDeque<DeadLetter>,
    dead_bytes: usize,
    dead_dropped: u64,
}

enum Entry {
    /// Handled inline, held by `token` until `until`.
    Claimed {
        token: ClaimToken,
        until: Instant,
    },
    /// In the inbox: due from `due` on; while `claim` holds it, `due` is the end of its lease.
    Inbox {
        body: Bytes,
        attempts: u32,
        due: Instant,
        claim: Option<ClaimToken>,
    },
    Processed,
    Dead,
}

impl InMemoryMessageLog {
    /// A log remembering up to `capacity` processed ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            // Longer than the receiver's default 25 s budget: a live handler is never run twice.
            claim_lease: Duration::from_secs(60),
            max_dead: 1_000,
            max_dead_bytes: 64 * 1024 * 1024,
            state: Mutex::default(),
            work: Notify::new(),
        }
    }

    /// How long a claim holds before another delivery may take the id over (keep it longer than the
    /// receiver's budget: a receiver refuses a shorter one). At most a year.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.claim_lease = lease.min(ConfigError::LONGEST_DURATION);
        self
    }

    /// Keeps at most `count` dead letters holding at most `bytes` of bodies (defaults 1,000 and
    /// 64 MiB); past either, the oldest are dropped and counted in
    /// [`dead_letters_dropped`](Self::dead_letters_dropped).
    pub fn dead_letter_limits(mut self, count: usize, bytes: usize) -> Self {
        self.max_dead = count;
        self.max_dead_bytes = bytes;
        self
    }

    /// Dead letters dropped so far to stay within the limits.
    pub fn dead_letters_dropped(&self) -> u64 {
        self.lock().dead_dropped
    }

    /// The state survives a panic elsewhere while locked: every update leaves it consistent.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts `body` in the inbox, due now, and wakes a worker.
    fn queue(&self, state: &mut State, message_id: &str, body: Bytes) {
        let due = Instant::now();
        let pending = Entry::Inbox {
            body,
            attempts: 0,
            due,
            claim: None,
        };
        state.entries.insert(message_id.to_owned(), pending);
        state.inbox.push_back((message_id.to_owned(), due));
        self.work.notify_one();
    }

    /// Files `dead`, then drops the oldest dead letters past the limits.
    fn bury(&self, state: &mut State, dead: DeadLetter) {
        state.dead_bytes += dead.body.len();
        state.entries.insert(dead.message_id.clone(), Entry::Dead);
        state.dead.push_back(dead);
        while state.dead.len() > self.max_dead || state.dead_bytes > self.max_dead_bytes {
            let Some(oldest) = state.dead.front().map(|dead| dead.message_id.clone()) else {
                break;
            };
            unbury(state, &oldest);
            state.dead_dropped += 1;
            tracing::warn!(message_id = %oldest, "dead letter dropped: the in-memory log is full");
        }
    }
}

/// The body and attempts of the claim `token` holds on `message_id`.
fn held(state: &State, id: &str, token: ClaimToken) -> Result<(Bytes, u32), MessageLogError> {
    match state.entries.get(id) {
        Some(Entry::Claimed { token: held, .. }) if *held == token => Ok((Bytes::new(), 1)),
        Some(Entry::Inbox {
            claim: Some(held),
            body,
            attempts,
            ..
        }) if *held == token => Ok((body.clone(), *attempts)),
        _ => Err(MessageLogError::claim_lost(id)),
    }
}

/// Takes the dead letter `message_id` out (a linear pass over the dead letters, which are few).
fn unbury(state: &mut State, message_id: &str) -> Option<DeadLetter> {
    let position = state
        .dead
        .iter()
        .position(|dead| dead.message_id == message_id)?;
    let dead = state.dead.remove(position)?;
    state.entries.remove(message_id);
    state.dead_bytes -= dead.body.len();
    Some(dead)
}

/// Whether an entry is in the inbox: waiting, due for a retry, or being processed.
fn waiting(entry: Option<&Entry>) -> bool {
    matches!(entry, Some(Entry::Inbox { .. }))
}

impl fmt::Debug for InMemoryMessageLog {
    /// Sizes and settings only: the entries hold callout bodies, which carry addresses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryMessageLog")
            .field("capacity", &self.capacity)
            .field("claim_lease", &self.claim_lease)
            .field("processed", &self.lock().processed.len())
            .finish_non_exhaustive()
    }
}

impl Default for InMemoryMessageLog {
    /// Capacity 100,000 ids, claim lease 60 s, 1,000 dead letters of at most 64 MiB in all.
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

// Every method does its work under the lock, with no `.await`, and returns a ready future.
impl MessageLog for InMemoryMessageLog {
    fn claim_lease(&self) -> Duration {
        self.claim_lease
    }

    fn try_begin<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<Begin, MessageLogError>> {
        let now = Instant::now();
        let mut state = self.lock();
        match state.entries.get(message_id) {
            Some(
                Entry::Claimed { until: end, .. }
                | Entry::Inbox {
                    claim: Some(_),
                    due: end,
                    ..
                },
            ) if *end > now => return Box::pin(ready(Ok(Begin::InProgress))),
            Some(Entry::Claimed { .. }) => {
                tracing::warn!(
                    message_id,
                    "callout claim outlived its lease; taking it over"
                );
            }
            None => {}
            // Processed, dead, or in the inbox (a lapsed worker claim is still the workers').
            Some(_) => return Box::pin(ready(Ok(Begin::AlreadyProcessed))),
        }
        let token = ClaimToken::random();
        let until = now + self.claim_lease;
        let claim = Entry::Claimed { token, until };
        state.entries.insert(message_id.to_owned(), claim);
        Box::pin(ready(Ok(Begin::New(token))))
    }

    fn complete<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        let mut state = self.lock();
        if let Err(lost) = held(&state, message_id, token) {
            return Box::pin(ready(Err(lost)));
        }
        state
            .entries
            .insert(message_id.to_owned(), Entry::Processed);
        state.processed.push_back(message_id.to_owned());
        if state.processed.len() > self.capacity {
            if let Some(oldest) = state.processed.pop_front() {
                if matches!(state.entries.get(&oldest), Some(Entry::Processed)) {
                    state.entries.remove(&oldest);
                }
            }
        }
        Box::pin(ready(Ok(())))
    }

    fn abandon<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        let mut state = self.lock();
        if matches!(
            state.entries.get(message_id),
            Some(Entry::Claimed { token: held, .. }) if *held == token
        ) {
            state.entries.remove(message_id);
        }
        Box::pin(ready(Ok(())))
    }

    fn store_dead_letter(&self, dead: DeadLetter) -> BoxFuture<'_, Result<(), MessageLogError>> {
        let mut state = self.lock();
        if !state.entries.contains_key(&dead.message_id) {
            self.bury(&mut state, dead);
        }
        Box::pin(ready(Ok(())))
    }

    fn enqueue<'a>(
        &'a self,
        message_id: &'a str,
        body: Bytes,
    ) -> BoxFuture<'a, Result<Enqueued, MessageLogError>> {
        let mut state = self.lock();
        let enqueued = if state.entries.contains_key(message_id) {
            Enqueued::AlreadyKnown
        } else {
            self.queue(&mut state, message_id, body);
            Enqueued::Stored
        };
        Box::pin(ready(Ok(enqueued)))
    }

    fn claim_due(
        &self,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<StoredCallout>, MessageLogError>> {
        let now = Instant::now();
        let mut state = self.lock();
        let State { entries, inbox, .. } = &mut *state;
        while inbox
            .front()
            .is_some_and(|(id, _)| !waiting(entries.get(id)))
        {
            inbox.pop_front();
        }
        let mut claimed = Vec::new();
        for (id, _) in inbox.iter() {
            if claimed.len() >= limit {
                break;
            }
            let Some(Entry::Inbox {
                body,
                attempts,
                due,
                claim,
            }) = entries.get_mut(id)
            else {
                continue;
            };
            if *due > now {
                continue;
            }
            if claim.is_some() {
                tracing::warn!(message_id = %id, "inbox claim outlived its lease; taking it over");
            }
            let token = ClaimToken::random();
            *attempts += 1;
            *due = now + self.claim_lease;
            *claim = Some(token);
            let stored = StoredCallout::new(id.clone(), body.clone(), *attempts, token);
            claimed.push(stored);
        }
        Box::pin(ready(Ok(claimed)))
    }

    fn inbox_stats(&self) -> BoxFuture<'_, Result<InboxStats, MessageLogError>> {
        let state = self.lock();
        let oldest = state
            .inbox
            .iter()
            .find(|(id, _)| waiting(state.entries.get(id)));
        let stats = InboxStats {
            pending: state.entries.values().filter(|e| waiting(Some(e))).count() as u64,
            oldest_pending: oldest.map(|(_, since)| since.elapsed()).unwrap_or_default(),
            dead_letters: state.dead.len() as u64,
        };
        Box::pin(ready(Ok(stats)))
    }

    fn wait_for_work(&self, longest: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let _ = tokio::time::timeout(longest, self.work.notified()).await;
        })
    }

    fn retry_later<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
        _reason: &'a str,
        delay: Duration,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        let mut state = self.lock();
        let result = held(&state, message_id, token).map(|(body, attempts)| {
            let due = Instant::now() + delay;
            let pending = Entry::Inbox {
                body,
                attempts,
                due,
                claim: None,
            };
            state.entries.insert(message_id.to_owned(), pending);
        });
        Box::pin(ready(result))
    }

    fn dead_letter<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        let mut state = self.lock();
        let result = held(&state, message_id, token).map(|(body, attempts)| {
            let dead = DeadLetter::new(message_id, body, reason, attempts);
            self.bury(&mut state, dead);
        });
        Box::pin(ready(result))
    }

    fn dead_letters<'a>(
        &'a self,
        after: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<DeadLetter>, MessageLogError>> {
        let state = self.lock();
        let position = |after| state.dead.iter().position(|dead| dead.message_id == after);
        let page = match after.map(position) {
            Some(None) => Vec::new(),
            start => {
                let start = start.flatten().map_or(0, |position| position + 1);
                state.dead.iter().skip(start).take(limit).cloned().collect()
            }
        };
        Box::pin(ready(Ok(page)))
    }

    fn redrive<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<bool, MessageLogError>> {
        let mut state = self.lock();
        let dead = unbury(&mut state, message_id);
        let redriven = dead.map(|dead| self.queue(&mut state, message_id, dead.body));
        Box::pin(ready(Ok(redriven.is_some())))
    }

    fn redrive_all(&self) -> BoxFuture<'_, Result<u64, MessageLogError>> {
        let mut state = self.lock();
        let dead = std::mem::take(&mut state.dead);
        state.dead_bytes = 0;
        let redriven = dead.len() as u64;
        for dead in dead {
            self.queue(&mut state, &dead.message_id, dead.body);
        }
        Box::pin(ready(Ok(redriven)))
    }

    fn delete_dead_letter<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<bool, MessageLogError>> {
        let deleted = unbury(&mut self.lock(), message_id).is_some();
        Box::pin(ready(Ok(deleted)))
    }
}
