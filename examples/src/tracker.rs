//! What the callouts (or polls) said about each order item, and waiting until every item of an
//! order is finished.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use housecanary_partner::callouts::CalloutMessage;
use housecanary_partner::status::{OrderItemStatus, OrderStatus};
use tokio::sync::watch;

/// The last known state of one order item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemState {
    /// The order it belongs to.
    pub order_id: String,
    /// Its last status (a final status is never replaced: callouts may arrive out of order).
    pub status: OrderItemStatus,
    /// Why it was cancelled, when the vendor said.
    pub reason: Option<String>,
    /// Whether an `order_complete` with its report arrived.
    pub delivered: bool,
}

#[derive(Debug, Default)]
struct State {
    items: HashMap<String, ItemState>,
    orders: HashMap<String, OrderStatus>,
    callouts: u64,
}

/// Shared record of item statuses, fed by the callout handler or by polling. Clones share it.
///
/// ```
/// use housecanary_partner::callouts::CalloutMessage;
/// use housecanary_partner::status::OrderItemStatus;
///
/// let tracker = examples::CalloutTracker::default();
/// let message = CalloutMessage::from_slice(br#"{"message_type":"order_item_status_change",
///     "message_id":"m1","order_id":"7","order_item_id":"8","new_status":"cancelled",
///     "reason":"invalid address"}"#).unwrap();
/// tracker.record(&message);
/// let item = tracker.item("8").unwrap();
/// assert_eq!(item.status, OrderItemStatus::Cancelled);
/// assert_eq!(item.reason.as_deref(), Some("invalid address"));
/// ```
#[derive(Debug, Clone)]
pub struct CalloutTracker {
    state: Arc<Mutex<State>>,
    changed: watch::Sender<u64>,
}

impl Default for CalloutTracker {
    fn default() -> Self {
        Self {
            state: Arc::default(),
            changed: watch::channel(0).0,
        }
    }
}

impl CalloutTracker {
    /// Records one verified callout.
    ///
    /// ```
    /// let tracker = examples::CalloutTracker::default();
    /// let message = housecanary_partner::callouts::CalloutMessage::from_slice(
    ///     br#"{"message_type":"order_status_change","message_id":"m","order_id":"7","new_status":"accepted"}"#,
    /// ).unwrap();
    /// tracker.record(&message);
    /// assert_eq!(tracker.callouts_received(), 1);
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
                    update(
                        &mut state,
                        &change.order_id,
                        &change.order_item_id,
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
                        let item = state.items.entry(item_id.clone()).or_insert(ItemState {
                            order_id: complete.order_id.clone(),
                            status: OrderItemStatus::Complete,
                            reason: None,
                            delivered: false,
                        });
                        item.delivered = true;
                    }
                }
                _ => {}
            }
        }
        self.notify();
    }

    /// Records a status read from the API (the polling mode).
    ///
    /// ```
    /// use housecanary_partner::status::OrderItemStatus;
    /// let tracker = examples::CalloutTracker::default();
    /// tracker.record_status("7", "8", OrderItemStatus::Complete, None);
    /// assert!(tracker.item("8").unwrap().status.is_terminal());
    /// ```
    pub fn record_status(
        &self,
        order_id: &str,
        item_id: &str,
        status: OrderItemStatus,
        reason: Option<String>,
    ) {
        update(&mut self.lock(), order_id, item_id, status, reason);
        self.notify();
    }

    /// The last known state of an item.
    ///
    /// ```
    /// assert!(examples::CalloutTracker::default().item("1").is_none());
    /// ```
    pub fn item(&self, item_id: &str) -> Option<ItemState> {
        self.lock().items.get(item_id).cloned()
    }

    /// The last status an `order_status_change` gave for an order.
    ///
    /// ```
    /// assert!(examples::CalloutTracker::default().order_status("1").is_none());
    /// ```
    pub fn order_status(&self, order_id: &str) -> Option<OrderStatus> {
        self.lock().orders.get(order_id).cloned()
    }

    /// How many callouts were recorded (redeliveries that the receiver deduplicated are not).
    ///
    /// ```
    /// assert_eq!(examples::CalloutTracker::default().callouts_received(), 0);
    /// ```
    pub fn callouts_received(&self) -> u64 {
        self.lock().callouts
    }

    /// How many of `item_ids` are in a final status (complete or cancelled).
    ///
    /// ```
    /// use housecanary_partner::status::OrderItemStatus;
    /// let tracker = examples::CalloutTracker::default();
    /// tracker.record_status("7", "8", OrderItemStatus::Cancelled, None);
    /// assert_eq!(tracker.finished(&["8".to_owned(), "9".to_owned()]), 1);
    /// ```
    pub fn finished(&self, item_ids: &[String]) -> usize {
        let state = self.lock();
        item_ids
            .iter()
            .filter(|id| {
                state
                    .items
                    .get(id.as_str())
                    .is_some_and(|item| item.status.is_terminal())
            })
            .count()
    }

    /// A receiver that wakes up whenever something is recorded.
    ///
    /// ```
    /// let changes = examples::CalloutTracker::default().subscribe();
    /// # let _ = changes;
    /// ```
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// The handler to give to `CalloutReceiver::new`: it records the message and accepts it.
    ///
    /// ```
    /// use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
    /// let tracker = examples::CalloutTracker::default();
    /// let auth = sandbox::TestCredentials::default().hmac_callout_auth();
    /// let receiver = CalloutReceiver::new(
    ///     CalloutVerifier::new(auth),
    ///     InMemoryMessageLog::default(),
    ///     tracker.handler(),
    /// );
    /// # let _ = receiver;
    /// ```
    pub fn handler(
        &self,
    ) -> impl Fn(CalloutMessage) -> std::future::Ready<Result<(), std::convert::Infallible>>
    + Send
    + Sync
    + 'static {
        let tracker = self.clone();
        move |message| {
            tracker.record(&message);
            std::future::ready(Ok(()))
        }
    }

    /// Wakes every subscriber: something was recorded.
    fn notify(&self) {
        self.changed.send_modify(|generation| *generation += 1);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn update(
    state: &mut State,
    order_id: &str,
    item_id: &str,
    status: OrderItemStatus,
    reason: Option<String>,
) {
    let item = state
        .items
        .entry(item_id.to_owned())
        .or_insert_with(|| ItemState {
            order_id: order_id.to_owned(),
            status: status.clone(),
            reason: None,
            delivered: false,
        });
    // Delivery is at least once and unordered: a late `reportPending` must not undo `complete`.
    if !item.status.is_terminal() || status.is_terminal() {
        item.status = status;
    }
    if reason.is_some() {
        item.reason = reason;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_non_final_status_does_not_undo_a_final_one() {
        let tracker = CalloutTracker::default();
        tracker.record_status("1", "2", OrderItemStatus::Complete, None);
        tracker.record_status("1", "2", OrderItemStatus::ReportPending, None);
        assert_eq!(
            tracker.item("2").map(|item| item.status),
            Some(OrderItemStatus::Complete)
        );
    }

    #[test]
    fn recording_wakes_subscribers() {
        let tracker = CalloutTracker::default();
        let mut changes = tracker.subscribe();
        changes.borrow_and_update();
        tracker.record_status("1", "2", OrderItemStatus::Accepted, None);
        assert!(changes.has_changed().unwrap_or(false));
    }
}
