//! List order items: `GET orders/{id}/items/`, a bare array or pages of
//! [`OrderItemDetails`].

use std::borrow::Cow;

use credit_valuation_core::{Idempotency, Operation};
use futures_util::Stream;
use http::Method;

use super::records::OrderItemDetails;
use crate::client::Client;
use crate::error::Result;
use crate::id::Id;
use crate::list_pages::{Page, collect_list, stream_list};

/// `GET orders/{id}/items/`; later pages follow the `next` links.
pub(crate) struct ListOrderItems {
    pub(crate) order_id: Id,
}

impl Operation for ListOrderItems {
    type Output = Page<OrderItemDetails>;
    const METHOD: Method = Method::GET;
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn path(&self) -> Vec<Cow<'_, str>> {
        vec![
            "orders".into(),
            self.order_id.as_str().into(),
            "items".into(),
            "".into(),
        ]
    }
}

impl Client {
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
        stream_list(
            self,
            &ListOrderItems {
                order_id: order_id.into(),
            },
        )
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
        collect_list(
            self,
            &ListOrderItems {
                order_id: order_id.into(),
            },
        )
        .await
    }
}
