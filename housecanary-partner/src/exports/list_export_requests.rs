//! List export requests: `GET orders/{id}/export-requests/`, a bare array or pages of
//! [`ExportRequest`]s.

use std::borrow::Cow;

use credit_valuation_core::{Idempotency, Operation};
use futures_util::Stream;
use http::Method;

use super::export_request::ExportRequest;
use crate::client::Client;
use crate::error::Result;
use crate::id::Id;
use crate::list_pages::{Page, collect_list, stream_list};

/// `GET orders/{id}/export-requests/`; later pages follow the `next` links.
pub(crate) struct ListExportRequests {
    pub(crate) order_id: Id,
}

impl Operation for ListExportRequests {
    type Output = Page<ExportRequest>;
    const METHOD: Method = Method::GET;
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn path(&self) -> Vec<Cow<'_, str>> {
        vec![
            "orders".into(),
            self.order_id.as_str().into(),
            "export-requests".into(),
            "".into(),
        ]
    }
}

impl Client {
    /// Every export request of an order as a stream: `GET orders/{id}/export-requests/`
    /// (a bare array or pages, like [`Client::order_items`]).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let done: Vec<_> = client
    ///     .export_requests(42_u64)
    ///     .try_filter(|e| std::future::ready(e.is_complete()))
    ///     .try_collect()
    ///     .await?;
    /// println!("{} complete exports", done.len());
    /// # Ok(()) }
    /// ```
    pub fn export_requests(
        &self,
        order_id: impl Into<Id>,
    ) -> impl Stream<Item = Result<ExportRequest>> + Send + 'static {
        stream_list(
            self,
            &ListExportRequests {
                order_id: order_id.into(),
            },
        )
    }

    /// Every export request of an order, all pages collected.
    ///
    /// ```no_run
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let exports = client.list_export_requests(42_u64).await?;
    /// println!("{} exports", exports.len());
    /// # Ok(()) }
    /// ```
    pub async fn list_export_requests(
        &self,
        order_id: impl Into<Id>,
    ) -> Result<Vec<ExportRequest>> {
        collect_list(
            self,
            &ListExportRequests {
                order_id: order_id.into(),
            },
        )
        .await
    }
}
