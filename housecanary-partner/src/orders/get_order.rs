//! Get order: `GET orders/{id}/`, answered with the [`Order`].

use std::borrow::Cow;

use credit_valuation_core::{Idempotency, Operation};
use http::Method;

use super::records::Order;
use crate::client::Client;
use crate::error::Result;
use crate::id::Id;

/// `GET orders/{id}/`.
pub(crate) struct GetOrder {
    pub(crate) order_id: Id,
}

impl Operation for GetOrder {
    type Output = Order;
    const METHOD: Method = Method::GET;
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn path(&self) -> Vec<Cow<'_, str>> {
        vec!["orders".into(), self.order_id.as_str().into(), "".into()]
    }
}

impl Client {
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
        self.send(&GetOrder {
            order_id: order_id.into(),
        })
        .await
    }
}
