//! Orders and order items as the API returns them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::id::Id;
use crate::status::{OrderItemStatus, OrderStatus};

/// An order as returned by `POST orders/` and `GET orders/{id}/`.
///
/// Fields the reference names are typed; their presence is not guaranteed, so most are
/// `Option`. Every other field is kept verbatim in [`extra`](Self::extra), because the vendor adds
/// fields without a version bump. Dates are kept as the strings received (their format is not
/// documented).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Order {
    /// The order id.
    pub id: Id,
    /// The order name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `valueReport` for every order made by this crate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<String>,
    /// The order status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// Your own order id, if you gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_order_id: Option<String>,
    /// The owner organization the order was placed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_organization_id: Option<Id>,
    /// The owner the order was placed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Id>,
    /// When (or whether) the order completed; type not documented, kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<serde_json::Value>,
    /// The delivery date, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_delivery_date: Option<String>,
    /// Summary figures, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_data: Option<serde_json::Value>,
    /// The items, when the server embeds them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<OrderItemDetails>>,
    /// Every field not listed above.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// One order item as returned by `GET orders/{id}/items/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrderItemDetails {
    /// The item id.
    pub id: Id,
    /// The item status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderItemStatus>,
    /// The street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The zipcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zipcode: Option<String>,
    /// Your own item id, if you gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_item_id: Option<String>,
    /// The integration partner's id, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_integration_id: Option<String>,
    /// When (or whether) the item completed; type not documented, kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<serde_json::Value>,
    /// The completion date, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_date: Option<String>,
    /// What can be downloaded for this item (see
    /// [`Client::item_pdf_download`](crate::Client::item_pdf_download)).
    #[serde(default)]
    pub available_downloadables: Vec<Downloadable>,
    /// The estimated value, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_value: Option<serde_json::Value>,
    /// The value range, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_range: Option<serde_json::Value>,
    /// Every field not listed above.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// One entry of an item's `available_downloadables`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Downloadable {
    /// The key to pass to [`Client::item_pdf_download`](crate::Client::item_pdf_download).
    pub key: String,
    /// Every other field (labels, content types, ...), verbatim.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}
