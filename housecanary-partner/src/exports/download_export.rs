//! Download export: a finished export's archive, or any signed URL, fetched without the
//! `Authorization` header and streamed chunk by chunk to a writer or a file.

use std::path::{Path, PathBuf};

use credit_valuation_core::Request;
use tokio::io::AsyncWrite;
use url::Url;

use super::export_request::ExportRequest;
use crate::client::{Client, download_operation};
use crate::error::{Error, Result};

impl Client {
    /// Downloads a finished export's archive from its signed `exported_data` URL, without the
    /// `Authorization` header, into `writer`. Returns the number of bytes written.
    ///
    /// ```no_run
    /// # async fn run(client: housecanary_partner::Client, export: housecanary_partner::exports::ExportRequest)
    /// # -> Result<(), housecanary_partner::Error> {
    /// let mut out = Vec::new(); // any tokio AsyncWrite: a file, a socket, ...
    /// let bytes = client.download_export(&export, &mut out).await?;
    /// println!("{bytes} bytes");
    /// # Ok(()) }
    /// ```
    pub async fn download_export<W>(&self, export: &ExportRequest, writer: &mut W) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let url = self.export_url(export)?;
        self.download_url(&url, writer).await
    }

    /// Like [`Client::download_export`], into the file at `path` (written to `<path>.part`
    /// and renamed when complete, so a failed download never leaves a truncated file behind).
    ///
    /// ```no_run
    /// # async fn run(client: housecanary_partner::Client, export: housecanary_partner::exports::ExportRequest)
    /// # -> Result<(), housecanary_partner::Error> {
    /// client.download_export_to_file(&export, "exports/HC_march_2026-03-31.zip").await?;
    /// # Ok(()) }
    /// ```
    pub async fn download_export_to_file(
        &self,
        export: &ExportRequest,
        path: impl AsRef<Path>,
    ) -> Result<u64> {
        let url = self.export_url(export)?;
        self.download_url_to_file(&url, path).await
    }

    /// Downloads any signed URL (an export archive, an `order_complete` callout's
    /// `download_url`) without the `Authorization` header, streamed into `writer`.
    /// Returns the number of bytes written.
    ///
    /// The URL and every redirect from it (at most 5) must be `https`, carry no user-info, and
    /// not point at a loopback, private or link-local address (unless the API itself is on one,
    /// as the sandbox is, or [`Config::allow_private_downloads`](crate::Config::allow_private_downloads)
    /// says so); the download must fit the configured byte cap and deadline. Errors name the URL
    /// without its query string (the signature).
    ///
    /// ```no_run
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let url = url::Url::parse("https://storage.example/exports/a.zip?signature=...").unwrap();
    /// let mut file = tokio::fs::File::create("a.zip").await.unwrap();
    /// client.download_url(&url, &mut file).await?;
    /// # Ok(()) }
    /// ```
    pub async fn download_url<W>(&self, url: &Url, writer: &mut W) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let request = Request::get(url.clone(), download_operation(url)).unauthenticated();
        self.download(request, writer).await
    }

    /// Like [`Client::download_url`], into the file at `path` (via `<path>.part`).
    ///
    /// ```no_run
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let url = url::Url::parse("https://storage.example/exports/a.zip?signature=...").unwrap();
    /// client.download_url_to_file(&url, "a.zip").await?;
    /// # Ok(()) }
    /// ```
    pub async fn download_url_to_file(&self, url: &Url, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        let operation = format!("download to {}", path.display());
        write_file(path, &operation, |file| async move {
            let mut file = file;
            let written = self.download_url(url, &mut file).await?;
            Ok((file, written))
        })
        .await
    }

    fn export_url(&self, export: &ExportRequest) -> Result<Url> {
        let operation = format!("download of export {}", export.id);
        if !export.is_complete() {
            return Err(Error::UnexpectedResponse {
                operation,
                message: format!(
                    "the export is not complete (status {})",
                    export.status.as_ref().map_or("unknown", |s| s.as_str())
                ),
            });
        }
        let raw = export
            .exported_data
            .as_deref()
            .filter(|raw| !raw.trim().is_empty())
            .ok_or_else(|| Error::UnexpectedResponse {
                operation: operation.clone(),
                message: "the export is complete but has no `exported_data` URL".to_owned(),
            })?;
        // A relative URL is taken to be on the API's host.
        self.base_url()
            .join(raw.trim())
            .map_err(|err| Error::UnexpectedResponse {
                operation,
                message: format!("`exported_data` is not a URL: {err}"),
            })
    }
}

/// Runs `fill` on `<path>.part`, then renames it to `path`; removes the part file on failure.
async fn write_file<F, Fut>(path: &Path, operation: &str, fill: F) -> Result<u64>
where
    F: FnOnce(tokio::fs::File) -> Fut,
    Fut: std::future::Future<Output = Result<(tokio::fs::File, u64)>>,
{
    let io = |source| Error::Io {
        operation: operation.to_owned(),
        source,
    };
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let file = tokio::fs::File::create(&part).await.map_err(io)?;
    let result = async {
        let (file, written) = fill(file).await?;
        file.sync_all().await.map_err(io)?;
        drop(file);
        tokio::fs::rename(&part, path).await.map_err(io)?;
        Ok(written)
    }
    .await;
    if result.is_err() {
        // Best effort: the original error is what matters to the caller.
        let _ = tokio::fs::remove_file(&part).await;
    }
    result
}
