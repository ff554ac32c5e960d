//! Create order: `POST orders/` with a `valueReport` ("Agile Insights") order, answered `201`
//! with the [`Order`].

use std::borrow::Cow;

use bytes::Bytes;
use credit_valuation_core::{Idempotency, Operation};
use http::Method;
use serde::{Serialize, Serializer};

use super::order_item::OrderItem;
use super::records::Order;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::owner::OwnerPair;

/// The body of `POST orders/`, sent with [`Client::create_order`]: a name and at least one item.
///
/// It serializes straight to bytes, so an order of 10,000 items never passes through a JSON tree.
///
/// ```
/// use housecanary_partner::{OwnerPair, orders::{Location, OrderItem, ValueReportOrder}};
/// let first = OrderItem::builder("1 A St", Location::zipcode("78701")).build();
/// let order = ValueReportOrder::builder("March portfolio", first)
///     .customer_order_id("po-12")
///     .owner(OwnerPair::new(10_u64, 20_u64))
///     .build();
/// assert_eq!(
///     serde_json::to_string(&order).unwrap(),
///     r#"{"order_type":"valueReport","name":"March portfolio","customer_order_id":"po-12","owner_organization_id":10,"owner_id":20,"items":[{"address":"1 A St","zipcode":"78701"}]}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueReportOrder {
    #[serde(serialize_with = "value_report")]
    order_type: (),
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_order_id: Option<String>,
    #[serde(flatten)]
    owner: Option<OwnerPair>,
    items: Vec<OrderItem>,
}

fn value_report<S: Serializer>(_: &(), serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(ValueReportOrder::ORDER_TYPE)
}

impl ValueReportOrder {
    /// The wire value of `order_type`.
    pub const ORDER_TYPE: &'static str = "valueReport";

    /// Starts an order from its two required values: its name and its first item.
    // `&str` rather than `impl Into<String>`: a missing name then reads "argument #1 of type
    // `&str` is missing" instead of a list of `From` impls.
    pub fn builder(name: &str, first_item: OrderItem) -> ValueReportOrderBuilder {
        ValueReportOrderBuilder(ValueReportOrder {
            order_type: (),
            name: name.to_owned(),
            customer_order_id: None,
            owner: None,
            items: vec![first_item],
        })
    }

    /// The order name (also used in export file names).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The items, in the order they will be sent.
    pub fn items(&self) -> &[OrderItem] {
        &self.items
    }

    /// Your own order id, when given.
    pub fn customer_order_id(&self) -> Option<&str> {
        self.customer_order_id.as_deref()
    }

    /// The account the order is placed for, when given.
    pub fn owner(&self) -> Option<&OwnerPair> {
        self.owner.as_ref()
    }

    /// Rejects values the vendor is certain to refuse (blank name, address or location parts),
    /// naming the first one. The client calls this before sending.
    ///
    /// ```
    /// # use housecanary_partner::orders::{Location, OrderItem, ValueReportOrder};
    /// let item = OrderItem::builder("1 A St", Location::zipcode(" ")).build();
    /// let err = ValueReportOrder::builder("n", item).build().validate().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid items[0].zipcode: must not be blank");
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(blank("name".to_owned()));
        }
        for (index, item) in self.items.iter().enumerate() {
            if let Some(field) = item.blank_field() {
                return Err(blank(format!("items[{index}].{field}")));
            }
        }
        Ok(())
    }
}

fn blank(field: String) -> Error {
    Error::Validation {
        field,
        message: "must not be blank".to_owned(),
    }
}

/// Builds a [`ValueReportOrder`] from [`ValueReportOrder::builder`].
///
/// ```
/// use housecanary_partner::orders::{Location, OrderItem, ValueReportOrder};
/// let item = |address: &str| OrderItem::builder(&address, Location::zipcode("78701")).build();
/// let order = ValueReportOrder::builder("batch", item("1 A St"))
///     .item(item("2 B St"))
///     .items(["3 C St", "4 D St"].map(item))
///     .build();
/// assert_eq!(order.items().len(), 4);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct ValueReportOrderBuilder(ValueReportOrder);

impl ValueReportOrderBuilder {
    /// Adds one item.
    pub fn item(mut self, item: OrderItem) -> Self {
        self.0.items.push(item);
        self
    }

    /// Adds every item of `items` (any number, including none).
    pub fn items(mut self, items: impl IntoIterator<Item = OrderItem>) -> Self {
        self.0.items.extend(items);
        self
    }

    /// Your own id for the order (`customer_order_id`), echoed in callouts.
    pub fn customer_order_id(mut self, id: impl Into<String>) -> Self {
        self.0.customer_order_id = Some(id.into());
        self
    }

    /// The account to order for (`owner_organization_id` and `owner_id`, always together).
    pub fn owner(mut self, owner: OwnerPair) -> Self {
        self.0.owner = Some(owner);
        self
    }

    /// The finished order.
    pub fn build(self) -> ValueReportOrder {
        self.0
    }
}

/// `POST orders/`: the order is the body, serialized straight to bytes. Never resent once it
/// may have reached the vendor (it would create a second order).
impl Operation for ValueReportOrder {
    type Output = Order;
    const METHOD: Method = Method::POST;
    const IDEMPOTENCY: Idempotency = Idempotency::NotIdempotent;

    fn path(&self) -> Vec<Cow<'_, str>> {
        vec!["orders".into(), "".into()]
    }

    fn body(&self) -> Result<Option<Bytes>, serde_json::Error> {
        serde_json::to_vec(self).map(|body| Some(body.into()))
    }
}

impl Client {
    /// Creates an order: `POST orders/` (the vendor answers `201 Created`).
    ///
    /// The order is checked for blank values first ([`ValueReportOrder::validate`]); the vendor
    /// validates items later, cancelling those that fail, and a callout says why.
    ///
    /// Retried only when certainly not processed (connection failure, 429); after a timeout or
    /// a dropped connection, look the order up by your `customer_order_id` before re-sending.
    ///
    /// ```no_run
    /// use housecanary_partner::{OwnerPair, orders::{Location, OrderItem, ValueReportOrder}};
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let item = OrderItem::builder("500 W 2nd St", Location::city_state("Austin", "TX")).build();
    /// let order = ValueReportOrder::builder("March portfolio", item)
    ///     .owner(OwnerPair::new(1200_u64, 5531_u64))
    ///     .build();
    /// let created = client.create_order(&order).await?;
    /// println!("order {} is {:?}", created.id, created.status);
    /// # Ok(()) }
    /// ```
    pub async fn create_order(&self, order: &ValueReportOrder) -> Result<Order> {
        order.validate()?;
        tracing::info!(items = order.items().len(), "creating valueReport order");
        self.send(order).await
    }
}
