//! Export request calls: create, get, list.

use client_core::Idempotency;
use futures_util::Stream;
use http::Method;

use super::model::{ExportFormat, ExportRequest};
use crate::client::Client;
use crate::error::Result;
use crate::orders::Id;
use crate::orders::pagination::{collect_path, paginate_path};

impl Client {
    /// Asks for an export of an order: `POST orders/{id}/export/{fmt}/?exclude_json=…`
    /// (the vendor answers `201` with the export request). Poll it with
    /// [`Client::wait_for_export`].
    ///
    /// ```no_run
    /// use housecanary_partner::exports::ExportFormat;
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let export = client.create_export(42_u64, ExportFormat::Zip, false).await?;
    /// println!("export {} is {:?}", export.id, export.status);
    /// # Ok(()) }
    /// ```
    pub async fn create_export(
        &self,
        order_id: impl Into<Id>,
        format: impl Into<ExportFormat>,
        exclude_json: bool,
    ) -> Result<ExportRequest> {
        let order_id = order_id.into().to_string();
        let format = format.into();
        let mut url = self.endpoint(&["orders", &order_id, "export", format.as_str()], true)?;
        url.query_pairs_mut()
            .append_pair("exclude_json", if exclude_json { "true" } else { "false" });
        self.json(self.request(Method::POST, url, Idempotency::NotIdempotent))
            .await
    }

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
        let url = self.export_request_url(&order_id.into(), &export_id.into())?;
        self.get_json(url).await
    }

    /// `orders/{id}/export-requests/{export_id}/`.
    pub(crate) fn export_request_url(&self, order_id: &Id, export_id: &Id) -> Result<url::Url> {
        let order_id = order_id.to_string();
        let export_id = export_id.to_string();
        self.endpoint(&["orders", &order_id, "export-requests", &export_id], true)
    }

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
    /// # let _ = done; Ok(()) }
    /// ```
    pub fn export_requests(
        &self,
        order_id: impl Into<Id>,
    ) -> impl Stream<Item = Result<ExportRequest>> + Send + 'static {
        let order_id = order_id.into().to_string();
        paginate_path(self, &["orders", &order_id, "export-requests"])
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
        let order_id = order_id.into().to_string();
        collect_path(self, &["orders", &order_id, "export-requests"]).await
    }
}
