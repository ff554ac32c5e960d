//! What the HouseCanary simulator remembers: orders, their items, export requests.

use std::collections::BTreeMap;
use std::time::Instant;

use jiff::civil::Date;
use serde_json::Value;

/// Item and order statuses, as the vendor spells them (casing as seen on the client API).
pub(crate) mod status {
    pub(crate) const NEW: &str = "new";
    pub(crate) const ACCEPTED: &str = "accepted";
    pub(crate) const REPORT_PENDING: &str = "reportPending";
    pub(crate) const COMPLETE: &str = "complete";
    pub(crate) const CANCELLED: &str = "cancelled";
}

#[derive(Clone)]
pub(crate) struct Order {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) order_type: String,
    pub(crate) customer_order_id: Option<String>,
    pub(crate) owner: Option<(String, String)>,
    pub(crate) status: &'static str,
    pub(crate) created: jiff::Timestamp,
    /// The `actual_delivery_date`: the day (Los Angeles) the order completed.
    pub(crate) completed_date: Option<Date>,
    /// Optional fields the sandbox does not act on (e.g. `fsd_threshold`), echoed back.
    pub(crate) extra: serde_json::Map<String, Value>,
    pub(crate) items: Vec<Item>,
}

#[derive(Clone)]
pub(crate) struct Item {
    pub(crate) id: u64,
    pub(crate) address: String,
    pub(crate) unit: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) zipcode: Option<String>,
    pub(crate) customer_item_id: Option<String>,
    pub(crate) external_integration_id: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) completion_date: Option<Date>,
    pub(crate) estimated_value: Option<u64>,
    pub(crate) validation_errors: Vec<String>,
}

pub(crate) struct Export {
    pub(crate) id: u64,
    pub(crate) order_id: u64,
    pub(crate) format: String,
    pub(crate) exclude_json: bool,
    pub(crate) started: Instant,
    pub(crate) created: jiff::Timestamp,
    pub(crate) file_name: String,
    pub(crate) archive: axum::body::Bytes,
}

#[derive(Default)]
pub(crate) struct HcStore {
    next_id: u64,
    pub(crate) orders: BTreeMap<u64, Order>,
    pub(crate) exports: BTreeMap<u64, Export>,
}

impl HcStore {
    /// A fresh identifier (orders, items and exports share one sequence, so ids never collide).
    pub(crate) fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The order whose id is `order_id` as it appears in a URL path (not found when it is no id).
    pub(crate) fn order(&self, order_id: &str) -> Option<&Order> {
        self.orders.get(&order_id.parse().ok()?)
    }

    /// The order and its item named by URL path ids.
    pub(crate) fn order_item(&self, order_id: &str, item_id: &str) -> Option<(&Order, &Item)> {
        let order = self.order(order_id)?;
        Some((order, order.item(item_id.parse().ok()?)?))
    }

    /// The export named by URL path ids, only under the order it belongs to.
    pub(crate) fn export(&self, order_id: &str, export_id: &str) -> Option<&Export> {
        self.exports
            .get(&export_id.parse().ok()?)
            .filter(|export| order_id.parse() == Ok(export.order_id))
    }
}

impl Order {
    pub(crate) fn item(&self, item_id: u64) -> Option<&Item> {
        self.items.iter().find(|item| item.id == item_id)
    }

    /// `external_integration_id`s of its items, for callouts.
    pub(crate) fn external_integration_ids(&self) -> Vec<String> {
        self.items
            .iter()
            .filter_map(|item| item.external_integration_id.clone())
            .collect()
    }
}
