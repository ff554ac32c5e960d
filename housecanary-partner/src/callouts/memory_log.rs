//! A bounded, in-process [`MessageLog`]: the embedded default. One map of ids and three queues
//! behind one lock; no `.await` happens while it is held.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::config::ConfigError;
use super::message_log::{
    Begin, BoxFuture, ClaimToken, DeadLetter, Enqueued, MessageLog, MessageLogError, StoredCallout,
};

/// Processed ids remembered by default: the vendor redelivers for about an hour (11 deliveries, at
/// least 5 minutes apart), and 100,000 ids cover that window for most partners.
const DEFAULT_CAPACITY: usize = 100_000;
/// How long a claim holds before another delivery may take it over: longer than the receiver's
/// default 25 s budget, so a live handler is never run twice.
const DEFAULT_CLAIM_LEASE: Duration = Duration::from_secs(60);
/// Dead letters kept by default, and the bytes of their bodies.
const DEFAULT_DEAD_LETTERS: usize = 1_000;
const DEFAULT_DEAD_LETTER_BYTES: usize = 64 * 1024 * 1024;

/// A [`MessageLog`] in memory, bounded to `capacity` processed ids (oldest forgotten first) and to
/// a number and bytes of dead letters (oldest dropped first, and counted). Inbox callouts waiting
/// for a worker are never dropped.
///
/// Delivery stays **at least once**: after a restart, or once an id has been forgotten, a
/// redelivery of an already processed message runs the handler again, and the inbox does not
/// survive a restart. Use `PostgresMessageLog` (feature `postgres`) when that matters.
///
/// Claims follow the same rules as in the database: each carries a [`ClaimToken`], only its holder
/// can end it, and a claim not ended within the *claim lease* (default 60 s) is taken over.
///
/// ```
/// use std::time::Duration;
/// use housecanary_partner::callouts::{InMemoryMessageLog, MessageLog};
///
/// let log = InMemoryMessageLog::new(10_000)
///     .with_claim_lease(Duration::from_secs(45))
///     .with_dead_letter_limits(100, 16 * 1024 * 1024);
/// assert_eq!(log.capacity(), 10_000);
/// assert_eq!(log.claim_lease(), Duration::from_secs(45));
/// ```
pub struct InMemoryMessageLog {
    capacity: usize,
    claim_lease: Duration,
    max_dead: usize,
    max_dead_bytes: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<String, Entry>,
    /// Processed ids in completion order, for eviction.
    processed: VecDeque<String>,
    /// Inbox ids in arrival order; ids no longer waiting are skipped and pruned from the front.
    inbox: VecDeque<String>,
    /// Dead-letter ids, oldest first.
    dead: VecDeque<String>,
    dead_bytes: usize,
    dead_dropped: u64,
}

enum Entry {
    /// Held by `token` until `until`; `body` is `Some` for an inbox callout, `None` inline.
    Claimed {
        token: ClaimToken,
        until: Instant,
        body: Option<Bytes>,
        attempts: u32,
    },
    /// In the inbox, due from `due` on.
    Pending {
        body: Bytes,
        attempts: u32,
        due: Instant,
    },
    Processed,
    Dead(DeadLetter),
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
            max_dead: DEFAULT_DEAD_LETTERS,
            max_dead_bytes: DEFAULT_DEAD_LETTER_BYTES,
            state: Mutex::default(),
        }
    }

    /// How long a claim holds before another delivery may take the id over (keep it longer than the
    /// receiver's budget: a receiver refuses a shorter one). At most a year.
    pub fn with_claim_lease(mut self, lease: Duration) -> Self {
        self.claim_lease = lease.min(ConfigError::LONGEST_DURATION);
        self
    }

    /// Keeps at most `count` dead letters holding at most `bytes` of bodies (defaults 1,000 and
    /// 64 MiB); past either, the oldest are dropped and counted in
    /// [`dead_letters_dropped`](Self::dead_letters_dropped).
    pub fn with_dead_letter_limits(mut self, count: usize, bytes: usize) -> Self {
        self.max_dead = count;
        self.max_dead_bytes = bytes;
        self
    }

    /// The most processed ids remembered.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many processed ids are remembered now.
    pub fn len(&self) -> usize {
        self.lock().processed.len()
    }

    /// Whether no processed id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Dead letters dropped so far to stay within the limits.
    pub fn dead_letters_dropped(&self) -> u64 {
        self.lock().dead_dropped
    }

    /// The state survives a panic elsewhere while locked: every update leaves it consistent.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn begin(&self, message_id: &str) -> Begin {
        let now = Instant::now();
        let mut state = self.lock();
        match state.entries.get(message_id) {
            Some(Entry::Claimed { until, .. }) if *until > now => return Begin::InProgress,
            // An inbox callout whose worker's lease ran out is still the workers' business.
            Some(Entry::Claimed { body: Some(_), .. })
            | Some(Entry::Processed | Entry::Pending { .. } | Entry::Dead(_)) => {
                return Begin::AlreadyProcessed;
            }
            Some(Entry::Claimed { body: None, .. }) => {
                tracing::warn!(
                    message_id,
                    "callout claim outlived its lease; taking it over"
                );
            }
            None => {}
        }
        let token = ClaimToken::random();
        let claim = Entry::Claimed {
            token,
            until: now + self.claim_lease,
            body: None,
            attempts: 1,
        };
        state.entries.insert(message_id.to_owned(), claim);
        Begin::New(token)
    }

    /// Removes the claim `token` holds on `message_id`, returning its body and attempts.
    fn take_claim(
        state: &mut State,
        message_id: &str,
        token: ClaimToken,
    ) -> Result<(Option<Bytes>, u32), MessageLogError> {
        match state.entries.remove(message_id) {
            Some(Entry::Claimed {
                token: held,
                body,
                attempts,
                ..
            }) if held == token => Ok((body, attempts)),
            Some(other) => {
                state.entries.insert(message_id.to_owned(), other);
                Err(MessageLogError::claim_lost(message_id))
            }
            None => Err(MessageLogError::claim_lost(message_id)),
        }
    }

    fn complete_claim(&self, message_id: &str, token: ClaimToken) -> Result<(), MessageLogError> {
        let mut state = self.lock();
        Self::take_claim(&mut state, message_id, token)?;
        state
            .entries
            .insert(message_id.to_owned(), Entry::Processed);
        state.processed.push_back(message_id.to_owned());
        while state.processed.len() > self.capacity {
            if let Some(oldest) = state.processed.pop_front() {
                if matches!(state.entries.get(&oldest), Some(Entry::Processed)) {
                    state.entries.remove(&oldest);
                }
            }
        }
        Ok(())
    }

    fn abandon_now(&self, message_id: &str, token: ClaimToken) {
        let mut state = self.lock();
        let inline = matches!(
            state.entries.get(message_id),
            Some(Entry::Claimed { token: held, body: None, .. }) if *held == token
        );
        if inline {
            state.entries.remove(message_id);
        }
    }

    fn enqueue_now(&self, message_id: &str, body: Bytes) -> Enqueued {
        let mut state = self.lock();
        if state.entries.contains_key(message_id) {
            return Enqueued::AlreadyKnown;
        }
        let pending = Entry::Pending {
            body,
            attempts: 0,
            due: Instant::now(),
        };
        state.entries.insert(message_id.to_owned(), pending);
        state.inbox.push_back(message_id.to_owned());
        Enqueued::Stored
    }

    fn claim_next_now(&self) -> Option<StoredCallout> {
        let now = Instant::now();
        let mut state = self.lock();
        let State { entries, inbox, .. } = &mut *state;
        let waiting = |entry: Option<&Entry>| {
            matches!(
                entry,
                Some(Entry::Pending { .. } | Entry::Claimed { body: Some(_), .. })
            )
        };
        while inbox.front().is_some_and(|id| !waiting(entries.get(id))) {
            inbox.pop_front();
        }
        let id = inbox.iter().find(|id| match entries.get(*id) {
            Some(Entry::Pending { due, .. }) => *due <= now,
            Some(Entry::Claimed {
                body: Some(_),
                until,
                ..
            }) => *until <= now,
            _ => false,
        })?;
        let entry = entries.get_mut(id)?;
        let (body, attempts) = match entry {
            Entry::Pending { body, attempts, .. } => (body.clone(), *attempts + 1),
            Entry::Claimed {
                body: Some(body),
                attempts,
                ..
            } => {
                tracing::warn!(message_id = %id, "inbox claim outlived its lease; taking it over");
                (body.clone(), *attempts + 1)
            }
            _ => return None,
        };
        let token = ClaimToken::random();
        *entry = Entry::Claimed {
            token,
            until: now + self.claim_lease,
            body: Some(body.clone()),
            attempts,
        };
        Some(StoredCallout::new(id.clone(), body, attempts, token))
    }

    /// Files `dead` unless its id is known, then drops the oldest dead letters past the limits.
    fn bury(&self, state: &mut State, dead: DeadLetter) {
        state.dead_bytes += dead.body.len();
        state.dead.push_back(dead.message_id.clone());
        state
            .entries
            .insert(dead.message_id.clone(), Entry::Dead(dead));
        while state.dead.len() > self.max_dead || state.dead_bytes > self.max_dead_bytes {
            let Some(oldest) = state.dead.front().cloned() else {
                break;
            };
            Self::unbury(state, &oldest);
            state.dead_dropped += 1;
            tracing::warn!(message_id = %oldest, "dead letter dropped: the in-memory log is full");
        }
    }

    /// Takes the dead letter `message_id` out (a linear pass over the dead letters, which are few).
    fn unbury(state: &mut State, message_id: &str) -> Option<DeadLetter> {
        match state.entries.remove(message_id) {
            Some(Entry::Dead(dead)) => {
                state.dead.retain(|id| id != message_id);
                state.dead_bytes -= dead.body.len();
                Some(dead)
            }
            Some(other) => {
                state.entries.insert(message_id.to_owned(), other);
                None
            }
            None => None,
        }
    }

    fn redrive_now(&self, message_id: &str) -> bool {
        let mut state = self.lock();
        let Some(dead) = Self::unbury(&mut state, message_id) else {
            return false;
        };
        let pending = Entry::Pending {
            body: dead.body,
            attempts: 0,
            due: Instant::now(),
        };
        state.entries.insert(message_id.to_owned(), pending);
        state.inbox.push_back(message_id.to_owned());
        true
    }

    fn dead_letters_now(&self, after: Option<&str>, limit: usize) -> Vec<DeadLetter> {
        let state = self.lock();
        let start = match after {
            None => 0,
            Some(after) => match state.dead.iter().position(|id| id == after) {
                Some(position) => position + 1,
                None => return Vec::new(),
            },
        };
        state
            .dead
            .iter()
            .skip(start)
            .filter_map(|id| match state.entries.get(id) {
                Some(Entry::Dead(dead)) => Some(dead.clone()),
                _ => None,
            })
            .take(limit)
            .collect()
    }
}

impl fmt::Debug for InMemoryMessageLog {
    /// Sizes and settings only: the entries hold callout bodies, which carry addresses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryMessageLog")
            .field("capacity", &self.capacity)
            .field("claim_lease", &self.claim_lease)
            .field("processed", &self.len())
            .finish_non_exhaustive()
    }
}

impl Default for InMemoryMessageLog {
    /// Capacity 100,000 ids, claim lease 60 s, 1,000 dead letters of at most 64 MiB in all.
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
        Box::pin(async move { Ok(self.begin(message_id)) })
    }

    fn complete<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async move { self.complete_claim(message_id, token) })
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

    fn store_dead_letter(&self, dead: DeadLetter) -> BoxFuture<'_, Result<(), MessageLogError>> {
        Box::pin(async move {
            let mut state = self.lock();
            if !state.entries.contains_key(&dead.message_id) {
                self.bury(&mut state, dead);
            }
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
            let mut state = self.lock();
            let (body, attempts) = Self::take_claim(&mut state, message_id, token)?;
            let pending = Entry::Pending {
                body: body.unwrap_or_default(),
                attempts,
                due: Instant::now() + delay,
            };
            state.entries.insert(message_id.to_owned(), pending);
            Ok(())
        })
    }

    fn dead_letter<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async move {
            let mut state = self.lock();
            let (body, attempts) = Self::take_claim(&mut state, message_id, token)?;
            let dead = DeadLetter::new(message_id, body.unwrap_or_default(), reason, attempts);
            self.bury(&mut state, dead);
            Ok(())
        })
    }

    fn dead_letters<'a>(
        &'a self,
        after: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<DeadLetter>, MessageLogError>> {
        Box::pin(async move { Ok(self.dead_letters_now(after, limit)) })
    }

    fn redrive<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<bool, MessageLogError>> {
        Box::pin(async move { Ok(self.redrive_now(message_id)) })
    }

    fn redrive_all(&self) -> BoxFuture<'_, Result<u64, MessageLogError>> {
        Box::pin(async move {
            let ids = self.lock().dead.clone();
            Ok(ids.iter().filter(|id| self.redrive_now(id)).count() as u64)
        })
    }

    fn delete_dead_letter<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<bool, MessageLogError>> {
        Box::pin(async move { Ok(Self::unbury(&mut self.lock(), message_id).is_some()) })
    }
}
