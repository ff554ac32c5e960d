//! Create export: `POST orders/{id}/export/{fmt}/?exclude_json=…`, answered `201` with the
//! [`ExportRequest`]. The request value, what it is on the wire and [`Client::create_export`].

use std::borrow::Cow;

use credit_valuation_core::{Idempotency, Operation};
use http::Method;

use super::export_request::{ExportFormat, ExportRequest};
use crate::client::Client;
use crate::error::Result;
use crate::id::Id;

/// A request for an export of an order's results, sent with [`Client::create_export`].
///
/// By default a zip archive with the per-item JSON files; named setters change either.
///
/// ```
/// use housecanary_partner::exports::{CreateExport, ExportFormat};
///
/// let export = CreateExport::new(42_u64).format(ExportFormat::Zip).exclude_json(true);
/// assert_eq!(export.order_id().to_string(), "42");
/// assert_eq!(export.export_format(), &ExportFormat::Zip);
/// assert!(export.excludes_json());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateExport {
    order_id: Id,
    format: ExportFormat,
    exclude_json: bool,
}

impl CreateExport {
    /// An export of order `order_id`: a zip archive, with the per-item JSON files.
    pub fn new(order_id: impl Into<Id>) -> Self {
        Self {
            order_id: order_id.into(),
            format: ExportFormat::Zip,
            exclude_json: false,
        }
    }

    /// The archive format (the `{fmt}` path segment): [`ExportFormat::Zip`] by default, or any
    /// string the vendor offers, sent as given.
    pub fn format(mut self, format: impl Into<ExportFormat>) -> Self {
        self.format = format.into();
        self
    }

    /// Leaves the per-item `…_OrderItem.json` files out of the archive (`exclude_json=true`).
    pub fn exclude_json(mut self, exclude: bool) -> Self {
        self.exclude_json = exclude;
        self
    }

    /// The order to export.
    pub fn order_id(&self) -> &Id {
        &self.order_id
    }

    /// The archive format asked for.
    pub fn export_format(&self) -> &ExportFormat {
        &self.format
    }

    /// Whether the per-item JSON files are left out.
    pub fn excludes_json(&self) -> bool {
        self.exclude_json
    }
}

/// `POST orders/{id}/export/{fmt}/?exclude_json=…`. Never resent
/// once it may have reached the vendor: it would start a second export.
impl Operation for CreateExport {
    type Output = ExportRequest;
    const METHOD: Method = Method::POST;
    const IDEMPOTENCY: Idempotency = Idempotency::NotIdempotent;

    fn path(&self) -> Vec<Cow<'_, str>> {
        vec![
            "orders".into(),
            self.order_id.as_str().into(),
            "export".into(),
            self.format.as_str().into(),
            "".into(),
        ]
    }

    fn query(&self) -> Vec<(&'static str, Cow<'_, str>)> {
        let exclude = if self.exclude_json { "true" } else { "false" };
        vec![("exclude_json", exclude.into())]
    }
}

impl Client {
    /// Asks for an export of an order: `POST orders/{id}/export/{fmt}/?exclude_json=…`
    /// (the vendor answers `201` with the export request). Poll it with
    /// [`Client::wait_for_export`].
    ///
    /// ```no_run
    /// use housecanary_partner::exports::{CreateExport, ExportFormat};
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let request = CreateExport::new(42_u64).format(ExportFormat::Zip).exclude_json(false);
    /// let export = client.create_export(&request).await?;
    /// println!("export {} is {:?}", export.id, export.status);
    /// # Ok(()) }
    /// ```
    pub async fn create_export(&self, export: &CreateExport) -> Result<ExportRequest> {
        self.send(export).await
    }
}
