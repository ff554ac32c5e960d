//! Download an item's PDF: `GET orders/{id}/items/{item_id}/pdfdownload/{key}`, streamed to a
//! writer.

use std::borrow::Cow;

use credit_valuation_core::{Idempotency, Operation};
use http::Method;
use serde::de::IgnoredAny;
use tokio::io::AsyncWrite;

use crate::client::Client;
use crate::error::Result;
use crate::id::Id;

/// `GET orders/{id}/items/{item_id}/pdfdownload/{key}`, with the token. INFERRED from the
/// vendor's client API; no trailing slash, as the reference writes it.
pub(crate) struct DownloadItemPdf<'a> {
    pub(crate) order_id: Id,
    pub(crate) item_id: Id,
    pub(crate) key: &'a str,
}

impl Operation for DownloadItemPdf<'_> {
    // Never decoded: `Client::download` streams the body to a writer.
    type Output = IgnoredAny;
    const METHOD: Method = Method::GET;
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn path(&self) -> Vec<Cow<'_, str>> {
        vec![
            "orders".into(),
            self.order_id.as_str().into(),
            "items".into(),
            self.item_id.as_str().into(),
            "pdfdownload".into(),
            self.key.into(),
        ]
    }
}

impl Client {
    /// Downloads an item's PDF through the API:
    /// `GET orders/{id}/items/{item_id}/pdfdownload/{key}` (with the token; `key` comes from the
    /// item's `available_downloadables`). INFERRED from the vendor's client API; the path has no
    /// trailing slash, as the reference writes it. Redirects are followed under the download
    /// policy, and the `Authorization` header never leaves the API's origin. Returns the number
    /// of bytes written.
    ///
    /// ```no_run
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let item = client.list_order_items(42_u64).await?.remove(0);
    /// if let Some(d) = item.available_downloadables.first() {
    ///     let mut pdf = tokio::fs::File::create("report.pdf").await.unwrap();
    ///     client.item_pdf_download(42_u64, &item.id, &d.key, &mut pdf).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn item_pdf_download<W>(
        &self,
        order_id: impl Into<Id>,
        item_id: impl Into<Id>,
        key: &str,
        writer: &mut W,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let request = self.request(&DownloadItemPdf {
            order_id: order_id.into(),
            item_id: item_id.into(),
            key,
        })?;
        self.download(request, writer).await
    }
}
