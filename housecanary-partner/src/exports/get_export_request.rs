//! Get export request: `GET orders/{id}/export-requests/{export_id}/`, answered with the
//! [`ExportRequest`].

use std::borrow::Cow;

use credit_valuation_core::{Idempotency, Operation};
use http::Method;

use super::export_request::ExportRequest;
use crate::client::Client;
use crate::error::Result;
use crate::id::Id;

/// `GET orders/{id}/export-requests/{export_id}/`; also each poll of
/// [`Client::wait_for_export`].
pub(crate) struct GetExportRequest {
    pub(crate) order_id: Id,
    pub(crate) export_id: Id,
}

impl Operation for GetExportRequest {
    type Output = ExportRequest;
    const METHOD: Method = Method::GET;
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn path(&self) -> Vec<Cow<'_, str>> {
        vec![
            "orders".into(),
            self.order_id.as_str().into(),
            "export-requests".into(),
            self.export_id.as_str().into(),
            "".into(),
        ]
    }
}

impl Client {
    /// Fetches one export request: `GET orders/{id}/export-requests/{export_id}/`.
    ///
    /// ```no_run
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let export = client.get_export_request(42_u64, 7_u64).await?;
    /// println!("{:?}% done", export.percent_complete);
    /// # Ok(()) }
    /// ```
    pub async fn get_export_request(
        &self,
        order_id: impl Into<Id>,
        export_id: impl Into<Id>,
    ) -> Result<ExportRequest> {
        self.send(&GetExportRequest {
            order_id: order_id.into(),
            export_id: export_id.into(),
        })
        .await
    }
}
