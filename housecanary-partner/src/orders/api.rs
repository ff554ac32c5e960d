//! Order calls: create, get, list items.

use client_core::Idempotency;
use futures_util::Stream;
use http::Method;

use super::id::Id;
use super::model::{Order, OrderItemDetails};
use super::pagination::{collect_path, paginate_path};
use super::value_report::ValueReportOrder;
use crate::client::Client;
use crate::error::{Error, Result};

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
        let body = serde_json::to_vec(order).map_err(|err| Error::Validation {
            field: "order".to_owned(),
            message: format!("could not be serialized: {err}"),
        })?;
        let url = self.endpoint(&["orders"], true)?;
        let request = self
            .request(Method::POST, url, Idempotency::NotIdempotent)
            .json_body(body);
        tracing::info!(items = order.items().len(), "creating valueReport order");
        self.json(request).await
    }

    /// Fetches one order: `GET orders/{id}/`.
    ///
    /// ```no_run
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let order = client.get_order(42_u64).await?;
    /// if order.status.as_ref().is_some_and(|s| s.is_terminal()) {
    ///     println!("order {} is done", order.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_order(&self, order_id: impl Into<Id>) -> Result<Order> {
        let order_id = order_id.into().to_string();
        let url = self.endpoint(&["orders", &order_id], true)?;
        self.get_json(url).await
    }

    /// Every item of an order as a stream: `GET orders/{id}/items/`, following `next` links
    /// when the server pages the list (a bare array is one page).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let items = client.order_items(42_u64);
    /// futures_util::pin_mut!(items);
    /// while let Some(item) = items.try_next().await? {
    ///     println!("{} {:?}", item.id, item.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn order_items(
        &self,
        order_id: impl Into<Id>,
    ) -> impl Stream<Item = Result<OrderItemDetails>> + Send + 'static {
        let order_id = order_id.into().to_string();
        paginate_path(self, &["orders", &order_id, "items"])
    }

    /// Every item of an order, all pages collected: see [`Client::order_items`].
    ///
    /// ```no_run
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let items = client.list_order_items(42_u64).await?;
    /// println!("{} items", items.len());
    /// # Ok(()) }
    /// ```
    pub async fn list_order_items(&self, order_id: impl Into<Id>) -> Result<Vec<OrderItemDetails>> {
        let order_id = order_id.into().to_string();
        collect_path(self, &["orders", &order_id, "items"]).await
    }
}
