//! Create order: `POST orders/` with a `valueReport` ("Agile Insights") order, answered `201`
//! with the [`Order`]. The request value, its typestate builder, what it is on the wire and
//! [`Client::create_order`].

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

/// The body of `POST orders/` for an automated valuation order, sent with
/// [`Client::create_order`].
///
/// `order_type` is always `valueReport` (the only type the vendor offers). The struct *is* the
/// request body: it serializes straight to bytes, so an order of 10,000 items never passes
/// through an intermediate JSON tree.
///
/// ```
/// use housecanary_partner::{OwnerPair, orders::{OrderItem, ValueReportOrder}};
/// let order = ValueReportOrder::builder()
///     .name("March portfolio")
///     .item(OrderItem::builder().address("1 A St").zipcode("78701").build())
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

    /// Starts an order; `name` and at least one item are required, enforced by the compiler.
    ///
    /// ```
    /// use housecanary_partner::orders::{OrderItem, ValueReportOrder};
    /// let order = ValueReportOrder::builder()
    ///     .name("one address")
    ///     .item(OrderItem::builder().address("1 A St").city_state("Austin", "TX").build())
    ///     .build();
    /// assert_eq!(order.items().len(), 1);
    /// ```
    pub fn builder() -> ValueReportOrderBuilder<NoName, NoItems> {
        ValueReportOrderBuilder {
            name: NoName(()),
            items: NoItems(()),
            customer_order_id: None,
            owner: None,
        }
    }

    /// The order name (also used in export file names).
    ///
    /// ```
    /// # use housecanary_partner::orders::{OrderItem, ValueReportOrder};
    /// # let order = ValueReportOrder::builder().name("n").item(OrderItem::builder().address("a").zipcode("1").build()).build();
    /// assert_eq!(order.name(), "n");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The items, in the order they will be sent.
    ///
    /// ```
    /// # use housecanary_partner::orders::{OrderItem, ValueReportOrder};
    /// # let order = ValueReportOrder::builder().name("n").item(OrderItem::builder().address("a").zipcode("1").build()).build();
    /// assert_eq!(order.items()[0].address(), "a");
    /// ```
    pub fn items(&self) -> &[OrderItem] {
        &self.items
    }

    /// Your own order id, when given.
    ///
    /// ```
    /// # use housecanary_partner::orders::{OrderItem, ValueReportOrder};
    /// # let order = ValueReportOrder::builder().name("n").item(OrderItem::builder().address("a").zipcode("1").build()).build();
    /// assert_eq!(order.customer_order_id(), None);
    /// ```
    pub fn customer_order_id(&self) -> Option<&str> {
        self.customer_order_id.as_deref()
    }

    /// The account the order is placed for, when given.
    ///
    /// ```
    /// # use housecanary_partner::orders::{OrderItem, ValueReportOrder};
    /// # let order = ValueReportOrder::builder().name("n").item(OrderItem::builder().address("a").zipcode("1").build()).build();
    /// assert!(order.owner().is_none());
    /// ```
    pub fn owner(&self) -> Option<&OwnerPair> {
        self.owner.as_ref()
    }

    /// Rejects values the vendor is certain to refuse (blank name, address or location parts),
    /// naming the first one. The client calls this before sending.
    ///
    /// ```
    /// # use housecanary_partner::orders::{OrderItem, ValueReportOrder};
    /// let order = ValueReportOrder::builder()
    ///     .name("n")
    ///     .item(OrderItem::builder().address("1 A St").zipcode(" ").build())
    ///     .build();
    /// let err = order.validate().unwrap_err();
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

/// Typestate: no name set yet.
///
/// ```
/// use housecanary_partner::orders::{NoItems, NoName, ValueReportOrder, ValueReportOrderBuilder, WithName};
/// let fresh: ValueReportOrderBuilder<NoName, NoItems> = ValueReportOrder::builder();
/// let _named: ValueReportOrderBuilder<WithName, NoItems> = fresh.name("March portfolio");
/// ```
#[derive(Debug, Clone)]
pub struct NoName(());

/// Typestate: the name is set.
///
/// ```
/// use housecanary_partner::orders::{NoItems, NoName, ValueReportOrder, ValueReportOrderBuilder, WithName};
/// let fresh: ValueReportOrderBuilder<NoName, NoItems> = ValueReportOrder::builder();
/// let _named: ValueReportOrderBuilder<WithName, NoItems> = fresh.name("March portfolio");
/// ```
#[derive(Debug, Clone)]
pub struct WithName(String);

/// Typestate: no item added yet.
///
/// ```
/// use housecanary_partner::orders::{NoItems, NoName, ValueReportOrder, ValueReportOrderBuilder, WithName};
/// let fresh: ValueReportOrderBuilder<NoName, NoItems> = ValueReportOrder::builder();
/// let _named: ValueReportOrderBuilder<WithName, NoItems> = fresh.name("March portfolio");
/// ```
#[derive(Debug, Clone)]
pub struct NoItems(());

/// Typestate: at least one item added.
///
/// ```
/// use housecanary_partner::orders::{NoName, OrderItem, ValueReportOrder, ValueReportOrderBuilder, WithItems};
/// let item = OrderItem::builder().address("1 A St").zipcode("78701").build();
/// let _with_items: ValueReportOrderBuilder<NoName, WithItems> = ValueReportOrder::builder().item(item);
/// ```
#[derive(Debug, Clone)]
pub struct WithItems(Vec<OrderItem>);

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::WithName {}
    impl Sealed for super::WithItems {}
    impl Sealed for super::NoItems {}
}

/// Satisfied once the order has a name.
///
/// ```
/// use housecanary_partner::orders::{ItemsAreSet, NameIsSet, ValueReportOrderBuilder, ItemState};
/// // Generic code over complete builders names these bounds:
/// fn finish<N: NameIsSet, I: ItemsAreSet + ItemState>(b: ValueReportOrderBuilder<N, I>) {
///     let _order = b.build();
/// }
/// # let _ = finish::<housecanary_partner::orders::WithName, housecanary_partner::orders::WithItems>;
/// ```
#[diagnostic::on_unimplemented(
    message = "a valueReport order needs a name",
    label = "no name set on this builder",
    note = "call `.name(\"...\")` before `.build()`"
)]
pub trait NameIsSet: sealed::Sealed {
    #[doc(hidden)]
    fn into_name(self) -> String;
}

impl NameIsSet for WithName {
    fn into_name(self) -> String {
        self.0
    }
}

/// Satisfied once the order has at least one item.
///
/// ```
/// use housecanary_partner::orders::{ItemsAreSet, NameIsSet, ValueReportOrderBuilder, ItemState};
/// // Generic code over complete builders names these bounds:
/// fn finish<N: NameIsSet, I: ItemsAreSet + ItemState>(b: ValueReportOrderBuilder<N, I>) {
///     let _order = b.build();
/// }
/// # let _ = finish::<housecanary_partner::orders::WithName, housecanary_partner::orders::WithItems>;
/// ```
#[diagnostic::on_unimplemented(
    message = "a valueReport order needs at least one item",
    label = "no item added to this builder",
    note = "call `.item(OrderItem::builder()...build())` (or `.try_items(..)`) before `.build()`"
)]
pub trait ItemsAreSet: sealed::Sealed {
    #[doc(hidden)]
    fn into_items(self) -> Vec<OrderItem>;
}

impl ItemsAreSet for WithItems {
    fn into_items(self) -> Vec<OrderItem> {
        self.0
    }
}

/// The item state of a [`ValueReportOrderBuilder`]. Sealed.
///
/// ```
/// use housecanary_partner::orders::{ItemsAreSet, NameIsSet, ValueReportOrderBuilder, ItemState};
/// // Generic code over complete builders names these bounds:
/// fn finish<N: NameIsSet, I: ItemsAreSet + ItemState>(b: ValueReportOrderBuilder<N, I>) {
///     let _order = b.build();
/// }
/// # let _ = finish::<housecanary_partner::orders::WithName, housecanary_partner::orders::WithItems>;
/// ```
pub trait ItemState: sealed::Sealed {
    #[doc(hidden)]
    fn push(self, item: OrderItem) -> WithItems;
}

impl ItemState for NoItems {
    fn push(self, item: OrderItem) -> WithItems {
        WithItems(vec![item])
    }
}

impl ItemState for WithItems {
    fn push(mut self, item: OrderItem) -> WithItems {
        self.0.push(item);
        self
    }
}

/// Builds a [`ValueReportOrder`]; `build` exists only once a name and an item are set,
/// enforced by the compiler.
///
/// ```
/// use housecanary_partner::orders::{OrderItem, ValueReportOrder};
/// let addresses = ["1 A St", "2 B St", "3 C St"];
/// let order = ValueReportOrder::builder()
///     .name("batch")
///     .try_items(addresses.iter().map(|a| OrderItem::builder().address(*a).zipcode("78701").build()))
///     .expect("at least one address")
///     .build();
/// assert_eq!(order.items().len(), 3);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct ValueReportOrderBuilder<N, I> {
    name: N,
    items: I,
    customer_order_id: Option<String>,
    owner: Option<OwnerPair>,
}

impl<N, I> ValueReportOrderBuilder<N, I> {
    /// The order name (`name`).
    ///
    /// ```
    /// # use housecanary_partner::orders::ValueReportOrder;
    /// let builder = ValueReportOrder::builder().name("March portfolio");
    /// # let _ = builder;
    /// ```
    pub fn name(self, name: impl Into<String>) -> ValueReportOrderBuilder<WithName, I> {
        ValueReportOrderBuilder {
            name: WithName(name.into()),
            items: self.items,
            customer_order_id: self.customer_order_id,
            owner: self.owner,
        }
    }

    /// Your own id for the order (`customer_order_id`), echoed in callouts.
    ///
    /// ```
    /// # use housecanary_partner::orders::ValueReportOrder;
    /// let builder = ValueReportOrder::builder().customer_order_id("po-12");
    /// # let _ = builder;
    /// ```
    pub fn customer_order_id(mut self, id: impl Into<String>) -> Self {
        self.customer_order_id = Some(id.into());
        self
    }

    /// The account to order for (`owner_organization_id` and `owner_id`, always together).
    ///
    /// ```
    /// # use housecanary_partner::{OwnerPair, orders::ValueReportOrder};
    /// let builder = ValueReportOrder::builder().owner(OwnerPair::new(10_u64, 20_u64));
    /// # let _ = builder;
    /// ```
    pub fn owner(mut self, owner: OwnerPair) -> Self {
        self.owner = Some(owner);
        self
    }
}

impl<N, I: ItemState> ValueReportOrderBuilder<N, I> {
    /// Adds one item.
    ///
    /// ```
    /// # use housecanary_partner::orders::{OrderItem, ValueReportOrder};
    /// let builder = ValueReportOrder::builder()
    ///     .item(OrderItem::builder().address("1 A St").zipcode("78701").build());
    /// # let _ = builder;
    /// ```
    pub fn item(self, item: OrderItem) -> ValueReportOrderBuilder<N, WithItems> {
        ValueReportOrderBuilder {
            name: self.name,
            items: self.items.push(item),
            customer_order_id: self.customer_order_id,
            owner: self.owner,
        }
    }

    /// Adds every item of `items`, which must yield at least one (counting items added before);
    /// otherwise a [`Error::Validation`] for `items`.
    ///
    /// ```
    /// # use housecanary_partner::orders::{OrderItem, ValueReportOrder};
    /// let empty: Vec<OrderItem> = Vec::new();
    /// assert!(ValueReportOrder::builder().name("n").try_items(empty).is_err());
    /// ```
    pub fn try_items(
        self,
        items: impl IntoIterator<Item = OrderItem>,
    ) -> Result<ValueReportOrderBuilder<N, WithItems>> {
        let mut items = items.into_iter();
        let ValueReportOrderBuilder {
            name,
            items: state,
            customer_order_id,
            owner,
        } = self;
        let Some(first) = items.next() else {
            return Err(Error::Validation {
                field: "items".to_owned(),
                message: "an order needs at least one item".to_owned(),
            });
        };
        let mut with = state.push(first);
        with.0.extend(items);
        Ok(ValueReportOrderBuilder {
            name,
            items: with,
            customer_order_id,
            owner,
        })
    }
}

impl<N> ValueReportOrderBuilder<N, WithItems> {
    /// Adds more items once there is at least one (any number, including none).
    ///
    /// ```
    /// # use housecanary_partner::orders::{OrderItem, ValueReportOrder};
    /// let more = (2..=3).map(|n| OrderItem::builder().address(format!("{n} A St")).zipcode("78701").build());
    /// let order = ValueReportOrder::builder()
    ///     .name("n")
    ///     .item(OrderItem::builder().address("1 A St").zipcode("78701").build())
    ///     .extend_items(more)
    ///     .build();
    /// assert_eq!(order.items().len(), 3);
    /// ```
    pub fn extend_items(mut self, items: impl IntoIterator<Item = OrderItem>) -> Self {
        self.items.0.extend(items);
        self
    }
}

impl<N, I> ValueReportOrderBuilder<N, I> {
    /// The finished order. Compiles only with a name and at least one item.
    ///
    /// ```
    /// # use housecanary_partner::orders::{OrderItem, ValueReportOrder};
    /// let order = ValueReportOrder::builder()
    ///     .name("n")
    ///     .item(OrderItem::builder().address("1 A St").zipcode("78701").build())
    ///     .build();
    /// # let _ = order;
    /// ```
    pub fn build(self) -> ValueReportOrder
    where
        N: NameIsSet,
        I: ItemsAreSet,
    {
        ValueReportOrder {
            order_type: (),
            name: self.name.into_name(),
            customer_order_id: self.customer_order_id,
            owner: self.owner,
            items: self.items.into_items(),
        }
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
    /// The order is checked for blank values first ([`ValueReportOrder::validate`]), then
    /// serialized straight into the request body. Item validation happens later, on the
    /// vendor's side: items that fail are cancelled and a callout says why.
    ///
    /// Retried only when certainly not processed (connection failure, 429); after a timeout or
    /// a dropped connection, look the order up by your `customer_order_id` before re-sending.
    ///
    /// ```no_run
    /// use housecanary_partner::{OwnerPair, orders::{OrderItem, ValueReportOrder}};
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let order = ValueReportOrder::builder()
    ///     .name("March portfolio")
    ///     .owner(OwnerPair::new(1200_u64, 5531_u64))
    ///     .item(OrderItem::builder().address("500 W 2nd St").city_state("Austin", "TX").build())
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
