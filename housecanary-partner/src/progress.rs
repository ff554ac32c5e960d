//! Following an order's items until each is final, by callouts or by polling.
//!
//! Items of a `valueReport` order finish one by one: the vendor says so in callouts, and the API
//! says so to anyone who lists the order's items. [`OrderProgress`] keeps the last known status of
//! each item from either source and waits, up to a deadline, until every item is complete or
//! cancelled, reporting each change to a callback. An order or item waiting for the partner's own
//! review (`clientReview`) ends the wait at once with [`ProgressError::NeedsReview`]: only the
//! partner can move it on, and the review step has no known API (it is done in HouseCanary's
//! Order Manager).

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Ready;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::callouts::CalloutMessage;
use crate::client::Client;
use crate::error::Error;
use crate::orders::{Id, OrderItemDetails};
use crate::status::{OrderItemStatus, OrderStatus};

/// The last known state of one order item.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ItemProgress {
    /// The order it belongs to.
    pub order_id: Id,
    /// Its last status. A final status is never replaced by a later non-final one: callouts may
    /// arrive out of order and more than once.
    pub status: OrderItemStatus,
    /// Why it was cancelled or failed validation: the `reason` field of an item callout (the
    /// sandbox's name; the vendor's field names for its failed validation checks are UNKNOWN, so
    /// every field of the callout is kept in
    /// [`OrderItemStatusChange::extra`](crate::callouts::OrderItemStatusChange::extra)), or the
    /// item's `validation_errors` when polled.
    pub reason: Option<String>,
    /// Whether an `order_complete` callout for it arrived (its report is ready).
    pub report_delivered: bool,
}

/// How [`OrderProgress::wait_until_final`] learns about items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Follow {
    /// Callouts feed the tracker (through [`OrderProgress::handler`] in a callout receiver);
    /// the wait sleeps until one arrives.
    Callouts,
    /// The order's items are listed through the API at this interval.
    Polling {
        /// The pause between two listings.
        interval: Duration,
    },
}

/// Where the items stood at a moment of the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Items in a final status (complete or cancelled).
    pub finished: usize,
    /// Items followed.
    pub total: usize,
}

/// Why a wait for an order's items ended without all of them final.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProgressError {
    /// The deadline passed first.
    #[error(
        "order {order_id}: {finished} of {total} items were final when the {deadline:?} deadline passed"
    )]
    DeadlinePassed {
        /// The order followed.
        order_id: Id,
        /// Items final at the deadline.
        finished: usize,
        /// Items followed.
        total: usize,
        /// The deadline given.
        deadline: Duration,
    },
    /// The order, or some of its items, wait for the partner's review (`clientReview`): only the
    /// partner can move them on, so the wait ends instead of running into its deadline. The
    /// review step has no known API; it is done in HouseCanary's Order Manager.
    #[error(
        "order {order_id} waits for the partner's review (clientReview; {} of the followed items): \
         the review step has no known API, it is done in HouseCanary's Order Manager",
        items.len()
    )]
    NeedsReview {
        /// The order followed.
        order_id: Id,
        /// The followed items in `clientReview` (empty when the order itself is).
        items: Vec<Id>,
    },
    /// Listing the order's items failed (polling only).
    #[error(transparent)]
    Api(#[from] Error),
}

#[derive(Debug, Default)]
struct State {
    items: HashMap<Id, ItemProgress>,
    orders: HashMap<Id, OrderStatus>,
    callouts: u64,
}

/// What the callouts (or polls) said about each order item. Clones share one record, so the
/// clone inside a callout handler feeds the one the application waits on.
///
/// ```
/// use housecanary_partner::callouts::CalloutMessage;
/// use housecanary_partner::progress::OrderProgress;
/// use housecanary_partner::status::OrderItemStatus;
///
/// let progress = OrderProgress::new();
/// let message = CalloutMessage::from_slice(br#"{"message_type":"order_item_status_change",
///     "message_id":"m1","order_id":7,"order_item_id":8,"new_status":"cancelled",
///     "reason":"invalid address"}"#).unwrap();
/// progress.record(&message);
/// // The callout sent numbers; an id compares equal however it was sent.
/// let item = progress.item(&8_u64.into()).unwrap();
/// assert_eq!(item.status, OrderItemStatus::Cancelled);
/// assert_eq!(item.reason.as_deref(), Some("invalid address"));
/// ```
#[derive(Debug, Clone)]
pub struct OrderProgress {
    state: Arc<Mutex<State>>,
    changed: watch::Sender<u64>,
}

impl Default for OrderProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl OrderProgress {
    /// An empty record.
    ///
    /// ```
    /// let progress = housecanary_partner::progress::OrderProgress::new();
    /// assert_eq!(progress.callouts_received(), 0);
    /// ```
    pub fn new() -> Self {
        Self {
            state: Arc::default(),
            changed: watch::channel(0).0,
        }
    }

    /// Records one verified callout: item status changes, order status changes and
    /// `order_complete` deliveries; other messages only count.
    ///
    /// ```
    /// let progress = housecanary_partner::progress::OrderProgress::new();
    /// let message = housecanary_partner::callouts::CalloutMessage::from_slice(
    ///     br#"{"message_type":"order_status_change","message_id":"m","order_id":"7","new_status":"accepted"}"#,
    /// ).unwrap();
    /// progress.record(&message);
    /// assert_eq!(progress.callouts_received(), 1);
    /// assert!(progress.order_status(&"7".into()).is_some());
    /// ```
    pub fn record(&self, message: &CalloutMessage) {
        {
            let mut state = self.lock();
            state.callouts += 1;
            match message {
                CalloutMessage::OrderItemStatusChange(change) => {
                    let reason = change
                        .extra
                        .get("reason")
                        .and_then(|reason| reason.as_str())
                        .map(str::to_owned);
                    state.update(
                        change.order_id.clone(),
                        change.order_item_id.clone(),
                        change.new_status.clone(),
                        reason,
                    );
                }
                CalloutMessage::OrderStatusChange(change) => {
                    state
                        .orders
                        .insert(change.order_id.clone(), change.new_status.clone());
                }
                CalloutMessage::OrderComplete(complete) => {
                    if let Some(item_id) = &complete.order_item_id {
                        let order_id = complete.order_id.clone();
                        state
                            .items
                            .entry(item_id.clone())
                            .or_insert_with(|| ItemProgress {
                                order_id,
                                status: OrderItemStatus::Complete,
                                reason: None,
                                report_delivered: false,
                            })
                            .report_delivered = true;
                    }
                }
                _ => {}
            }
        }
        self.notify();
    }

    /// Records an item as the API listed it (what polling does); the reason is the item's
    /// `validation_errors`, joined, when it has any.
    ///
    /// ```
    /// use housecanary_partner::orders::OrderItemDetails;
    /// let progress = housecanary_partner::progress::OrderProgress::new();
    /// let item: OrderItemDetails = serde_json::from_str(r#"{"id": 8, "status": "complete"}"#).unwrap();
    /// progress.record_item(&7_u64.into(), &item);
    /// assert_eq!(progress.finished(&[8_u64.into()]), 1);
    /// ```
    pub fn record_item(&self, order_id: &Id, item: &OrderItemDetails) {
        let Some(status) = item.status.clone() else {
            return;
        };
        let reason = item
            .extra
            .get("validation_errors")
            .and_then(|errors| errors.as_array())
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|error| error.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|reason| !reason.is_empty());
        self.lock()
            .update(order_id.clone(), item.id.clone(), status, reason);
        self.notify();
    }

    /// The last known state of an item.
    ///
    /// ```
    /// let progress = housecanary_partner::progress::OrderProgress::new();
    /// assert!(progress.item(&1_u64.into()).is_none());
    /// ```
    pub fn item(&self, item_id: &Id) -> Option<ItemProgress> {
        self.lock().items.get(item_id).cloned()
    }

    /// The last status an `order_status_change` callout gave an order.
    ///
    /// ```
    /// let progress = housecanary_partner::progress::OrderProgress::new();
    /// assert!(progress.order_status(&1_u64.into()).is_none());
    /// ```
    pub fn order_status(&self, order_id: &Id) -> Option<OrderStatus> {
        self.lock().orders.get(order_id).cloned()
    }

    /// How many callouts were recorded (a receiver does not pass on redeliveries it
    /// recognised, so they are not counted).
    ///
    /// ```
    /// assert_eq!(housecanary_partner::progress::OrderProgress::new().callouts_received(), 0);
    /// ```
    pub fn callouts_received(&self) -> u64 {
        self.lock().callouts
    }

    /// How many of `item_ids` are in a final status.
    ///
    /// ```
    /// let progress = housecanary_partner::progress::OrderProgress::new();
    /// assert_eq!(progress.finished(&[1_u64.into(), 2_u64.into()]), 0);
    /// ```
    pub fn finished(&self, item_ids: &[Id]) -> usize {
        let state = self.lock();
        item_ids
            .iter()
            .filter(|id| {
                state
                    .items
                    .get(id)
                    .is_some_and(|item| item.status.is_terminal())
            })
            .count()
    }

    /// The handler to give a callout receiver: it records each message and accepts it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// use housecanary_partner::{CalloutAuth, SecretString};
    ///
    /// let progress = housecanary_partner::progress::OrderProgress::new();
    /// let header = http::HeaderName::from_static("x-signature");
    /// let auth = CalloutAuth::hmac_sha1(header, SecretString::from("a callout secret")).unwrap();
    /// let receiver = CalloutReceiver::new(
    ///     CalloutVerifier::new(auth),
    ///     Arc::new(InMemoryMessageLog::default()),
    ///     progress.handler(),
    /// ).unwrap();
    /// # let _ = receiver;
    /// ```
    pub fn handler(
        &self,
    ) -> impl Fn(CalloutMessage) -> Ready<Result<(), Infallible>> + Clone + Send + Sync + 'static
    {
        let progress = self.clone();
        move |message| {
            progress.record(&message);
            std::future::ready(Ok(()))
        }
    }

    /// Waits until every item of `item_ids` (of order `order_id`) is complete or cancelled,
    /// calling `on_progress` first and then on every change of the count. With
    /// [`Follow::Polling`] it lists the order's items through `client` at each interval; with
    /// [`Follow::Callouts`] it waits for [`OrderProgress::record`] calls (a receiver using
    /// [`OrderProgress::handler`]) and never calls the API.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use housecanary_partner::progress::{Follow, OrderProgress};
    /// # async fn run(client: housecanary_partner::Client, order: housecanary_partner::orders::Order)
    /// #     -> Result<(), housecanary_partner::progress::ProgressError> {
    /// let items: Vec<_> = order.items.iter().flatten().map(|item| item.id.clone()).collect();
    /// let progress = OrderProgress::new();
    /// let follow = Follow::Polling { interval: Duration::from_secs(30) };
    /// progress
    ///     .wait_until_final(&client, &order.id, &items, follow, Duration::from_secs(3600), |now| {
    ///         println!("{}/{} items final", now.finished, now.total);
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_until_final(
        &self,
        client: &Client,
        order_id: &Id,
        item_ids: &[Id],
        follow: Follow,
        deadline: Duration,
        mut on_progress: impl FnMut(Progress),
    ) -> Result<Progress, ProgressError> {
        let deadline_at = Instant::now() + deadline;
        let mut changes = self.changed.subscribe();
        let total = item_ids.len();
        let mut reported = None;
        loop {
            changes.borrow_and_update();
            if let Follow::Polling { .. } = follow {
                for item in client.list_order_items(order_id).await? {
                    self.record_item(order_id, &item);
                }
            }
            let now = Progress {
                finished: self.finished(item_ids),
                total,
            };
            if reported != Some(now) {
                on_progress(now);
                reported = Some(now);
            }
            if now.finished == total {
                return Ok(now);
            }
            if let Some(items) = self.in_client_review(order_id, item_ids) {
                return Err(ProgressError::NeedsReview {
                    order_id: order_id.clone(),
                    items,
                });
            }
            let remaining = deadline_at.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(ProgressError::DeadlinePassed {
                    order_id: order_id.clone(),
                    finished: now.finished,
                    total,
                    deadline,
                });
            }
            match follow {
                Follow::Polling { interval } => tokio::time::sleep(interval.min(remaining)).await,
                // `self` holds the sender, so `changed` ends only by a change or the timeout.
                Follow::Callouts => {
                    let _ = tokio::time::timeout(remaining, changes.changed()).await;
                }
            }
        }
    }

    /// The followed items in `clientReview`, or an empty list when the order itself is; `None`
    /// when nothing waits for the partner.
    fn in_client_review(&self, order_id: &Id, item_ids: &[Id]) -> Option<Vec<Id>> {
        let state = self.lock();
        let items: Vec<Id> = item_ids
            .iter()
            .filter(|id| {
                state
                    .items
                    .get(id)
                    .is_some_and(|item| item.status == OrderItemStatus::ClientReview)
            })
            .cloned()
            .collect();
        let order_waits = state.orders.get(order_id) == Some(&OrderStatus::ClientReview);
        (order_waits || !items.is_empty()).then_some(items)
    }

    fn notify(&self) {
        self.changed.send_modify(|generation| *generation += 1);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves a record that is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    fn update(
        &mut self,
        order_id: Id,
        item_id: Id,
        status: OrderItemStatus,
        reason: Option<String>,
    ) {
        let item = self.items.entry(item_id).or_insert_with(|| ItemProgress {
            order_id,
            status: status.clone(),
            reason: None,
            report_delivered: false,
        });
        // Delivery is at least once and unordered: a late `reportPending` must not undo `complete`.
        if !item.status.is_terminal() || status.is_terminal() {
            item.status = status;
        }
        if reason.is_some() {
            item.reason = reason;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_non_final_status_does_not_undo_a_final_one() {
        let mut state = State::default();
        state.update(1_u64.into(), 2_u64.into(), OrderItemStatus::Complete, None);
        state.update(
            1_u64.into(),
            2_u64.into(),
            OrderItemStatus::ReportPending,
            None,
        );
        assert_eq!(
            state.items.get(&Id::from(2_u64)).map(|item| &item.status),
            Some(&OrderItemStatus::Complete)
        );
    }

    #[tokio::test]
    async fn a_callout_wakes_a_wait_and_the_deadline_ends_it() {
        let progress = OrderProgress::new();
        let client = Client::new(crate::Config::new(
            crate::Environment::Custom("http://127.0.0.1:9/".parse().unwrap()),
            "unused".into(),
        ))
        .unwrap();
        let feeder = progress.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let done = CalloutMessage::from_slice(
                br#"{"message_type":"order_item_status_change","message_id":"m",
                    "order_id":"1","order_item_id":"2","new_status":"complete"}"#,
            )
            .unwrap();
            feeder.record(&done);
        });
        let mut seen = Vec::new();
        let items = [Id::from("2")];
        let done = progress
            .wait_until_final(
                &client,
                &Id::from("1"),
                &items,
                Follow::Callouts,
                Duration::from_secs(5),
                |now| seen.push(now.finished),
            )
            .await
            .unwrap();
        assert_eq!((done.finished, seen), (1, vec![0, 1]));

        let never = [Id::from("3")];
        let err = progress
            .wait_until_final(
                &client,
                &Id::from("1"),
                &never,
                Follow::Callouts,
                Duration::from_millis(30),
                |_| {},
            )
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            ProgressError::DeadlinePassed {
                finished: 0,
                total: 1,
                ..
            }
        ));
    }
}
