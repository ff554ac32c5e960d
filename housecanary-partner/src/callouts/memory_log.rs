//! A bounded, in-process [`MessageLog`]: the embedded default.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use rustc_hash::FxSeededState;
use tokio::time::Instant;

use super::config_error::ConfigError;
use super::id_key::IdKey;
use super::message_log::{
    Begin, BoxFuture, ClaimToken, DeadLetter, Enqueued, MessageLog, MessageLogError, StoredCallout,
};

/// Processed ids remembered by default: the vendor redelivers for about an hour (11 deliveries, at
/// least 5 minutes apart), and 100,000 ids (about 25 MiB when full) cover that window for most
/// partners.
const DEFAULT_CAPACITY: usize = 100_000;

/// How long a claim holds before another delivery may take it over. Longer than the receiver's
/// default 25 s budget, so a live handler is never run twice.
const DEFAULT_CLAIM_LEASE: Duration = Duration::from_secs(60);

/// Inbox length (in one shard) past which resolved ids are removed from the middle too.
const INBOX_COMPACTION: usize = 4096;

/// Processed ids per shard below which a log is not split further. Small logs keep one shard, so
/// their eviction order is exact.
const IDS_PER_SHARD: usize = 4096;

/// Most shards a log is split into. Each callout locks one shard: receivers on different threads
/// then rarely wait for each other.
const MAX_SHARDS: usize = 16;

/// Which bits of an id's hash pick its shard: above those the tables use for a bucket (the low
/// bits) and for its tag (the top seven), so a shard's ids still spread over its whole table.
const SHARD_BITS_SHIFT: u32 = 40;

/// A [`MessageLog`] in memory, bounded to `capacity` processed ids (oldest forgotten first).
/// Stored inbox callouts and dead letters are never evicted: they are messages nobody has
/// processed yet.
///
/// Delivery stays **at least once**: after a restart, or once an id has been evicted, a redelivery of
/// an already processed message runs the handler again, and the inbox does not survive a restart.
/// Use `PostgresMessageLog` (feature `postgres`) when that matters.
///
/// Claims follow the same rules as in the database: each carries a [`ClaimToken`], only its holder
/// can end it, and a claim not ended within the *claim lease* (default 60 s) is taken over with a new
/// token.
///
/// A log of more than 4,096 ids is split into up to 16 shards by id, each with its own lock, so
/// concurrent callouts seldom contend. Eviction is oldest-first within a shard, each keeping its
/// share of `capacity`; the inbox hands out callouts in arrival order across shards.
///
/// A [`CalloutReceiver`](super::CalloutReceiver) given this log (by value or in an `Arc`) calls it
/// directly rather than through [`MessageLog`]'s boxed futures, and counts an inline claim's lease
/// from the request's arrival.
///
/// ```
/// use std::time::Duration;
/// use housecanary_partner::callouts::{InMemoryMessageLog, MessageLog};
///
/// let log = InMemoryMessageLog::new(10_000).with_claim_lease(Duration::from_secs(45));
/// assert_eq!(log.capacity(), 10_000);
/// assert_eq!(log.claim_lease(), Duration::from_secs(45));
/// ```
pub struct InMemoryMessageLog {
    capacity: usize,
    claim_lease: Duration,
    shards: Box<[ShardLock]>,
    /// Hashes ids for the shard tables and to pick a shard. Fx, seeded per log: ids reach the log
    /// only from authenticated callouts, so a flooding-resistant hash would cost time on every
    /// callout and protect against nobody.
    hasher: FxSeededState,
    /// Orders inbox arrivals and dead letters across shards.
    arrivals: AtomicU64,
}

/// A shard's lock on cache lines of its own: two threads working on neighbouring shards must not
/// pull the same line back and forth (128 bytes: adjacent-line prefetching pairs lines).
#[repr(align(128))]
struct ShardLock(Mutex<Shard>);

/// One shard: everything behind one lock; no `.await` happens while it is held.
struct Shard {
    /// This shard's share of the log's capacity.
    capacity: usize,
    /// Inline claims and processed ids: the large table, with small slots, touched once or twice
    /// per callout. Short ids sit inline in their keys; a long id's copies in the orders below
    /// share one allocation.
    ids: HashMap<IdKey, Slot, FxSeededState>,
    /// Inbox callouts (stored or claimed by a worker) and dead letters: never in `ids` at the
    /// same time, and empty for a receiver in inline mode, which then never looks here.
    stored: HashMap<IdKey, Stored, FxSeededState>,
    /// Processed ids in completion order, for FIFO eviction.
    processed_order: VecDeque<IdKey>,
    /// Inbox ids that are pending or claimed, by arrival number; resolved ones are dropped lazily.
    inbox: VecDeque<(u64, IdKey)>,
    /// Dead-letter ids by arrival number, oldest first.
    dead_order: Vec<(u64, IdKey)>,
    /// Inline claims, counted to prune those lost without complete/abandon.
    inline_claims: usize,
}

/// An id handled inline.
#[derive(Debug)]
enum Slot {
    /// Held by the token's owner until `until`.
    Claimed {
        token: ClaimToken,
        until: Instant,
    },
    Processed,
}

impl Slot {
    fn is_held_by(&self, token: ClaimToken) -> bool {
        matches!(self, Self::Claimed { token: held, .. } if *held == token)
    }
}

/// An id stored for the inbox, or dead.
#[derive(Debug)]
enum Stored {
    /// Waiting for a worker from `due` on.
    Pending {
        body: Bytes,
        attempts: u32,
        due: Instant,
    },
    /// Held by a worker's token until `until`.
    Claimed {
        token: ClaimToken,
        until: Instant,
        body: Bytes,
        attempts: u32,
    },
    /// Boxed: rare, and the largest variant would otherwise size every entry.
    Dead(Box<DeadLetter>),
}

/// A claim taken out of the shard to be resolved: its shared id, the stored body (inbox claims
/// only) and the claims so far.
struct TakenClaim {
    key: IdKey,
    body: Option<Bytes>,
    attempts: u32,
}

impl InMemoryMessageLog {
    /// A log remembering up to `capacity` processed ids (at least 1).
    ///
    /// ```
    /// use housecanary_partner::callouts::InMemoryMessageLog;
    /// assert_eq!(InMemoryMessageLog::new(0).capacity(), 1);
    /// ```
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let hasher = FxSeededState::with_seed(fastrand::usize(..));
        let count = (capacity / IDS_PER_SHARD).clamp(1, MAX_SHARDS);
        let shards = (0..count)
            .map(|index| {
                // Shares that add up to `capacity` exactly.
                let share = capacity / count + usize::from(index < capacity % count);
                ShardLock(Mutex::new(Shard {
                    capacity: share,
                    ids: HashMap::with_hasher(hasher.clone()),
                    stored: HashMap::with_hasher(hasher.clone()),
                    processed_order: VecDeque::new(),
                    inbox: VecDeque::new(),
                    dead_order: Vec::new(),
                    inline_claims: 0,
                }))
            })
            .collect();
        Self {
            capacity,
            claim_lease: DEFAULT_CLAIM_LEASE,
            shards,
            hasher,
            arrivals: AtomicU64::new(0),
        }
    }

    /// How long a claim holds before another delivery may take the id over (keep it longer than the
    /// receiver's budget: a receiver refuses a shorter one). At most a year: a longer lease means
    /// "never taken over" just as well, and the clock could not count that far.
    ///
    /// ```
    /// use std::time::Duration;
    /// use housecanary_partner::callouts::{InMemoryMessageLog, MessageLog};
    /// let log = InMemoryMessageLog::default().with_claim_lease(Duration::from_secs(120));
    /// assert_eq!(log.claim_lease(), Duration::from_secs(120));
    /// let forever = InMemoryMessageLog::default().with_claim_lease(Duration::MAX);
    /// assert_eq!(forever.claim_lease(), Duration::from_secs(365 * 24 * 3600));
    /// ```
    pub fn with_claim_lease(mut self, lease: Duration) -> Self {
        self.claim_lease = lease.min(ConfigError::LONGEST_DURATION);
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
        self.shards
            .iter()
            .map(|shard| lock(shard).processed_order.len())
            .sum()
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

    /// The shard holding `message_id`, locked.
    fn shard(&self, message_id: &str) -> MutexGuard<'_, Shard> {
        let index = if self.shards.len() == 1 {
            0
        } else {
            let bits = self.hasher.hash_one(message_id) >> SHARD_BITS_SHIFT;
            // The modulo keeps the index in range on every target width.
            (bits % self.shards.len() as u64) as usize
        };
        lock(&self.shards[index])
    }

    /// Every shard, locked in index order (the only order in which two locks are ever held).
    fn all_shards(&self) -> Vec<MutexGuard<'_, Shard>> {
        self.shards.iter().map(lock).collect()
    }

    fn next_arrival(&self) -> u64 {
        self.arrivals.fetch_add(1, Ordering::Relaxed)
    }

    fn begin_now(&self, message_id: &str) -> Begin {
        self.begin_at(message_id, Instant::now())
    }

    /// [`MessageLog::try_begin`] answered at once, the claim's lease counted from `now` (a
    /// receiver passes its request's arrival, which it has read already).
    pub(crate) fn begin_at(&self, message_id: &str, now: Instant) -> Begin {
        let until = now + self.claim_lease;
        let mut shard = self.shard(message_id);
        let shard = &mut *shard;
        // Only a log that also serves an inbox has anything here.
        if !shard.stored.is_empty() {
            match shard.stored.get(message_id) {
                Some(Stored::Claimed { until, .. }) if *until > now => return Begin::InProgress,
                // Stored: its worker's lease is the workers' business.
                Some(_) => return Begin::AlreadyProcessed,
                None => {}
            }
        }
        let token = ClaimToken::random();
        // Claims lost without complete/abandon would otherwise accumulate.
        if shard.inline_claims >= shard.capacity {
            shard
                .ids
                .retain(|_, slot| !matches!(slot, Slot::Claimed { until, .. } if *until <= now));
            shard.inline_claims = shard
                .ids
                .values()
                .filter(|slot| matches!(slot, Slot::Claimed { .. }))
                .count();
        }
        // One probe: a short key costs no allocation, so it is built before knowing it is new.
        match shard.ids.entry(IdKey::new(message_id)) {
            Entry::Occupied(occupied) => match occupied.into_mut() {
                Slot::Processed => return Begin::AlreadyProcessed,
                Slot::Claimed { until: held, .. } if *held > now => return Begin::InProgress,
                slot => {
                    tracing::warn!(
                        message_id,
                        "callout claim outlived its lease; taking it over"
                    );
                    *slot = Slot::Claimed { token, until };
                    return Begin::New(token);
                }
            },
            Entry::Vacant(vacant) => {
                vacant.insert(Slot::Claimed { token, until });
            }
        }
        shard.inline_claims += 1;
        Begin::New(token)
    }

    /// [`MessageLog::complete`] answered at once.
    pub(crate) fn complete_now(
        &self,
        message_id: &str,
        token: ClaimToken,
    ) -> Result<(), MessageLogError> {
        let mut shard = self.shard(message_id);
        let shard = &mut *shard;
        // The common case, an inline claim, is resolved in place.
        let held_inline = match shard.ids.get_mut(message_id) {
            Some(slot) if slot.is_held_by(token) => {
                *slot = Slot::Processed;
                true
            }
            _ => false,
        };
        let key = match shard.ids.get_key_value(message_id) {
            // The table's own key: a long id's copy in the order shares its allocation.
            Some((key, _)) if held_inline => {
                shard.inline_claims = shard.inline_claims.saturating_sub(1);
                key.clone()
            }
            _ => {
                let taken = shard
                    .take_stored_claim(message_id, token)
                    .ok_or_else(|| MessageLogError::claim_lost(message_id))?;
                shard.ids.insert(taken.key.clone(), Slot::Processed);
                taken.key
            }
        };
        shard.processed_order.push_back(key);
        while shard.processed_order.len() > shard.capacity {
            let Some(oldest) = shard.processed_order.pop_front() else {
                break;
            };
            // An id in this order is processed for good, but a claim must never be dropped here:
            // taken out, and put back if it is anything else.
            if let Some((key, slot)) = shard.ids.remove_entry(&oldest) {
                if matches!(slot, Slot::Claimed { .. }) {
                    shard.ids.insert(key, slot);
                }
            }
        }
        Ok(())
    }

    fn abandon_now(&self, message_id: &str, token: ClaimToken) {
        let mut shard = self.shard(message_id);
        let held = matches!(
            shard.ids.get(message_id),
            Some(Slot::Claimed { token: held, .. }) if *held == token
        );
        if held {
            shard.ids.remove(message_id);
            shard.inline_claims = shard.inline_claims.saturating_sub(1);
        }
    }

    /// Takes out the claim held by `token` (inline or inbox) and files the id with `resolve`.
    fn resolve_claim(
        &self,
        message_id: &str,
        token: ClaimToken,
        resolve: impl FnOnce(&mut Shard, TakenClaim),
    ) -> Result<(), MessageLogError> {
        let mut shard = self.shard(message_id);
        let shard = &mut *shard;
        let taken = match shard.ids.get(message_id) {
            Some(Slot::Claimed { token: held, .. }) if *held == token => {
                let (key, _) = shard
                    .ids
                    .remove_entry(message_id)
                    .ok_or_else(|| MessageLogError::claim_lost(message_id))?;
                shard.inline_claims = shard.inline_claims.saturating_sub(1);
                TakenClaim {
                    key,
                    body: None,
                    attempts: 1,
                }
            }
            _ => shard
                .take_stored_claim(message_id, token)
                .ok_or_else(|| MessageLogError::claim_lost(message_id))?,
        };
        resolve(shard, taken);
        Ok(())
    }

    fn enqueue_now(&self, message_id: &str, body: Bytes) -> Enqueued {
        let mut shard = self.shard(message_id);
        if shard.knows(message_id) {
            return Enqueued::AlreadyKnown;
        }
        let key: IdKey = IdKey::new(message_id);
        shard.stored.insert(
            key.clone(),
            Stored::Pending {
                body,
                attempts: 0,
                due: Instant::now(),
            },
        );
        let arrival = self.next_arrival();
        shard.inbox.push_back((arrival, key));
        Enqueued::Stored
    }

    fn claim_next_now(&self) -> Option<StoredCallout> {
        let now = Instant::now();
        let lease = self.claim_lease;
        let mut shards = self.all_shards();
        // The earliest arrival that is claimable now, across shards.
        let (index, id) = shards
            .iter_mut()
            .enumerate()
            .filter_map(|(index, shard)| {
                first_claimable(shard, now).map(|(arrival, id)| (arrival, index, id))
            })
            .min_by_key(|(arrival, _, _)| *arrival)
            .map(|(_, index, id)| (index, id))?;
        let stored = shards[index].stored.get_mut(&id)?;
        let (body, attempts) = match stored {
            Stored::Pending { body, attempts, .. } => (body.clone(), *attempts),
            Stored::Claimed { body, attempts, .. } => {
                tracing::warn!(message_id = %id, "inbox claim outlived its lease; taking it over");
                (body.clone(), *attempts)
            }
            Stored::Dead(_) => return None,
        };
        let token = ClaimToken::random();
        let attempts = attempts.saturating_add(1);
        *stored = Stored::Claimed {
            token,
            until: now + lease,
            body: body.clone(),
            attempts,
        };
        Some(StoredCallout::new(id.to_string(), body, attempts, token))
    }

    fn store_dead_letter_now(&self, dead: DeadLetter) {
        let mut shard = self.shard(&dead.message_id);
        if shard.knows(&dead.message_id) {
            return;
        }
        let key: IdKey = IdKey::new(&dead.message_id);
        let arrival = self.next_arrival();
        shard.dead_order.push((arrival, key.clone()));
        shard.stored.insert(key, Stored::Dead(Box::new(dead)));
    }

    fn dead_letters_now(&self, limit: usize) -> Vec<DeadLetter> {
        let shards = self.all_shards();
        let mut dead: Vec<(u64, &DeadLetter)> = shards
            .iter()
            .flat_map(|shard| {
                shard
                    .dead_order
                    .iter()
                    .filter_map(|(arrival, id)| match shard.stored.get(id) {
                        Some(Stored::Dead(dead)) => Some((*arrival, &**dead)),
                        _ => None,
                    })
            })
            .collect();
        dead.sort_unstable_by_key(|(arrival, _)| *arrival);
        dead.into_iter()
            .take(limit)
            .map(|(_, dead)| dead.clone())
            .collect()
    }
}

impl Shard {
    /// Whether the id is claimed, stored, dead or processed.
    fn knows(&self, message_id: &str) -> bool {
        self.ids.contains_key(message_id) || self.stored.contains_key(message_id)
    }

    /// Takes out an inbox claim held by `token`.
    fn take_stored_claim(&mut self, message_id: &str, token: ClaimToken) -> Option<TakenClaim> {
        let held = matches!(
            self.stored.get(message_id),
            Some(Stored::Claimed { token: held, .. }) if *held == token
        );
        if !held {
            return None;
        }
        match self.stored.remove_entry(message_id)? {
            (key, Stored::Claimed { body, attempts, .. }) => Some(TakenClaim {
                key,
                body: Some(body),
                attempts,
            }),
            (key, other) => {
                self.stored.insert(key, other);
                None
            }
        }
    }
}

impl fmt::Debug for InMemoryMessageLog {
    /// Sizes and settings only: the entries hold callout bodies, which carry addresses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryMessageLog")
            .field("capacity", &self.capacity)
            .field("claim_lease", &self.claim_lease)
            .field("shards", &self.shards.len())
            .field("processed", &self.len())
            .finish_non_exhaustive()
    }
}

/// The state survives a panic elsewhere while locked: every update leaves it consistent.
fn lock(shard: &ShardLock) -> MutexGuard<'_, Shard> {
    shard.0.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The shard's earliest inbox callout that a worker may claim at `now` (pending and due, or claimed
/// with an expired lease), with its arrival number. Prunes resolved ids on the way.
fn first_claimable(shard: &mut Shard, now: Instant) -> Option<(u64, IdKey)> {
    let Shard { stored, inbox, .. } = shard;
    let open = |(_, id): &(u64, IdKey)| {
        matches!(
            stored.get(id),
            Some(Stored::Pending { .. } | Stored::Claimed { .. })
        )
    };
    // Resolved ids leave from the front, so the scan stays short without a pass over all.
    while inbox.front().is_some_and(|queued| !open(queued)) {
        inbox.pop_front();
    }
    // Behind a callout waiting for a late retry, resolved ids would pile up.
    if inbox.len() > INBOX_COMPACTION {
        inbox.retain(open);
    }
    inbox.iter().find_map(|(arrival, id)| {
        let claimable = match stored.get(id) {
            Some(Stored::Pending { due, .. }) => *due <= now,
            Some(Stored::Claimed { until, .. }) => *until <= now,
            _ => false,
        };
        claimable.then(|| (*arrival, id.clone()))
    })
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
            self.resolve_claim(message_id, token, |shard, taken| {
                let pending = Stored::Pending {
                    body: taken.body.unwrap_or_default(),
                    attempts: taken.attempts,
                    due: Instant::now() + delay,
                };
                shard.stored.insert(taken.key, pending);
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
            let arrival = self.next_arrival();
            self.resolve_claim(message_id, token, |shard, taken| {
                shard.dead_order.push((arrival, taken.key.clone()));
                let body = taken.body.unwrap_or_default();
                let dead = DeadLetter::new(message_id, body, reason, taken.attempts);
                shard.stored.insert(taken.key, Stored::Dead(Box::new(dead)));
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
    async fn a_large_log_is_sharded_and_keeps_its_capacity_exactly() {
        let log = InMemoryMessageLog::new(2 * IDS_PER_SHARD + 1);
        assert_eq!(log.shards.len(), 2);
        let ids: Vec<String> = (0..20_000).map(|n| format!("m-{n}")).collect();
        for id in &ids {
            let token = new_token(log.try_begin(id).await.unwrap());
            log.complete(id, token).await.unwrap();
        }
        // Each shard filled its share (about 10,000 ids went to each), and the shares add up.
        assert_eq!(log.len(), log.capacity());
        for id in &ids[ids.len() - 1_000..] {
            assert_eq!(
                log.try_begin(id).await.unwrap(),
                Begin::AlreadyProcessed,
                "{id}"
            );
        }
        new_token(log.try_begin(&ids[0]).await.unwrap());
    }

    #[tokio::test]
    async fn the_inbox_and_the_dead_letters_keep_arrival_order_across_shards() {
        let log = InMemoryMessageLog::default();
        assert_eq!(log.shards.len(), MAX_SHARDS);
        let ids: Vec<String> = (0..300).map(|n| format!("in-{n}")).collect();
        for id in &ids {
            assert_eq!(
                log.enqueue(id, Bytes::from_static(b"{}")).await.unwrap(),
                Enqueued::Stored
            );
        }
        let mut claimed = Vec::new();
        while let Some(stored) = log.claim_next().await.unwrap() {
            claimed.push(stored.message_id.clone());
            if claimed.len() % 2 == 0 {
                log.dead_letter(&stored.message_id, stored.token, "poisoned")
                    .await
                    .unwrap();
            } else {
                log.complete(&stored.message_id, stored.token)
                    .await
                    .unwrap();
            }
        }
        assert_eq!(claimed, ids);
        let dead: Vec<String> = log
            .dead_letters(usize::MAX)
            .await
            .unwrap()
            .into_iter()
            .map(|dead| dead.message_id)
            .collect();
        let expected: Vec<String> = ids.iter().skip(1).step_by(2).cloned().collect();
        assert_eq!(dead, expected);
        assert_eq!(log.dead_letters(3).await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn the_longest_lease_claims_without_overflowing_the_clock() {
        let log = InMemoryMessageLog::default().with_claim_lease(Duration::MAX);
        let token = new_token(log.try_begin("m").await.unwrap());
        assert_eq!(log.try_begin("m").await.unwrap(), Begin::InProgress);
        log.complete("m", token).await.unwrap();
        log.enqueue("s", Bytes::from_static(b"{}")).await.unwrap();
        assert!(log.claim_next().await.unwrap().is_some());
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
