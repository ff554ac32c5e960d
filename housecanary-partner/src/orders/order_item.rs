//! One address of an order: the request-side [`OrderItem`] and its builder.

use serde::Serialize;

use super::location::Location;

/// One address to value, as sent in an order's `items`: a street address and a [`Location`]
/// (a zipcode, a city and state, or all three), both required.
///
/// ```
/// use housecanary_partner::orders::{Location, OrderItem};
/// let item = OrderItem::builder("123 Main St", Location::zipcode("78701"))
///     .unit("4B")
///     .customer_item_id("loan-1138")
///     .build();
/// assert_eq!(
///     serde_json::to_string(&item).unwrap(),
///     r#"{"address":"123 Main St","unit":"4B","zipcode":"78701","customer_item_id":"loan-1138"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderItem {
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    #[serde(flatten)]
    location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_item_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_integration_id: Option<String>,
}

impl OrderItem {
    /// Starts an item from its two required values.
    // `&str` rather than `impl Into<String>`: a missing address then reads "argument #1 of type
    // `&str` is missing" instead of a list of `From` impls.
    pub fn builder(address: &str, location: Location) -> OrderItemBuilder {
        OrderItemBuilder(OrderItem {
            address: address.to_owned(),
            unit: None,
            location,
            customer_item_id: None,
            external_integration_id: None,
        })
    }

    /// The street address.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The unit, when given.
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    /// The location.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Your own id for the item, when given.
    pub fn customer_item_id(&self) -> Option<&str> {
        self.customer_item_id.as_deref()
    }

    /// The integration partner's id for the item, when given.
    pub fn external_integration_id(&self) -> Option<&str> {
        self.external_integration_id.as_deref()
    }

    /// Names the first blank required value, for validation before sending.
    pub(crate) fn blank_field(&self) -> Option<&'static str> {
        if self.address.trim().is_empty() {
            Some("address")
        } else {
            self.location.blank_field()
        }
    }
}

/// Builds an [`OrderItem`] from [`OrderItem::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct OrderItemBuilder(OrderItem);

impl OrderItemBuilder {
    /// The unit (`unit`), e.g. `"4B"`.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.0.unit = Some(unit.into());
        self
    }

    /// Your own id for this item (`customer_item_id`); also names its files in exports.
    pub fn customer_item_id(mut self, id: impl Into<String>) -> Self {
        self.0.customer_item_id = Some(id.into());
        self
    }

    /// The integration partner's id for this item (`external_integration_id`), echoed in callouts.
    pub fn external_integration_id(mut self, id: impl Into<String>) -> Self {
        self.0.external_integration_id = Some(id.into());
        self
    }

    /// The finished item.
    pub fn build(self) -> OrderItem {
        self.0
    }
}
