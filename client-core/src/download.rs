//! Downloads: streamed to a writer under a byte cap and an overall deadline, redirects followed
//! one hop at a time, each target checked by the download policy.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use http::header::LOCATION;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tracing::Instrument;

use crate::delivery::Delivery;
use crate::error::Error;
use crate::limits::Limit;
use crate::redaction::url_without_query;
use crate::request::Request;
use crate::transport::{Redirects, Transport, network_error};

/// What a download writer failed with.
#[derive(Debug, thiserror::Error)]
#[error("{operation}: could not write the download: {source}")]
pub struct WriteError {
    /// The download.
    pub operation: Cow<'static, str>,
    /// The I/O error.
    #[source]
    pub source: std::io::Error,
}

/// A download's failure: the transport's, or the writer's.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// Fetching failed (see [`Error::delivery`]).
    #[error(transparent)]
    Transport(#[from] Error),
    /// Writing to the destination failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl Transport {
    /// Streams the body of `request` (a `GET`) into `writer`, and returns the bytes written.
    ///
    /// The `Authorization` header goes only to the API's own origin; any other URL, and every
    /// redirect target (at most [`Limits::max_redirects`](crate::Limits::max_redirects) hops),
    /// must pass the download policy (`https`, no user-info, no loopback, private or link-local
    /// address unless the API itself is on one or they were allowed). The whole download must
    /// finish within [`Limits::download_deadline`](crate::Limits::download_deadline) and
    /// [`Limits::download_bytes`](crate::Limits::download_bytes).
    ///
    /// ```no_run
    /// # async fn run(transport: credit_valuation_core::Transport) -> Result<(), credit_valuation_core::DownloadError> {
    /// let url = url::Url::parse("https://storage.example/a.zip?signature=abc").unwrap();
    /// let mut out = Vec::new();
    /// let written = transport
    ///     .download(credit_valuation_core::Request::get(url, "download a.zip").unauthenticated(), &mut out)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn download<W>(&self, request: Request, writer: &mut W) -> Result<u64, DownloadError>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let limits = self.limits().clone();
        let operation = request.operation.clone();
        let span = tracing::info_span!("download", operation = %operation);
        // No retry waits past the deadline: a download whose every attempt failed to connect
        // ends with that failure (`NotSent`), not with the deadline.
        let end = tokio::time::Instant::now() + limits.download_time();
        let request = Request {
            deadline: Some(request.deadline.map_or(end, |own| own.min(end))),
            ..request
        };
        let answered = AtomicBool::new(false);
        let work = self
            .download_within(request, writer, &answered)
            .instrument(span);
        match tokio::time::timeout(limits.download_time(), work).await {
            Ok(result) => result,
            Err(_) => Err(Error::LimitExceeded {
                operation,
                limit: Limit::DownloadDeadline(limits.download_time()),
                // Cut off while an attempt was under way: it may have reached the server.
                delivery: if answered.load(Ordering::Relaxed) {
                    Delivery::Processed
                } else {
                    Delivery::MayHaveBeenProcessed
                },
            }
            .into()),
        }
    }

    async fn download_within<W>(
        &self,
        mut request: Request,
        writer: &mut W,
        answered: &AtomicBool,
    ) -> Result<u64, DownloadError>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut hops: u8 = 0;
        let mut response = loop {
            self.check_download_url(&request)?;
            let response = self
                .exchange(&request, &self.inner.downloads, None, Redirects::HandBack)
                .await?;
            answered.store(true, Ordering::Relaxed);
            if !response.status().is_redirection() {
                break response;
            }
            hops += 1;
            if hops > self.limits().redirect_count() {
                return Err(Error::LimitExceeded {
                    operation: request.operation.clone(),
                    limit: Limit::Redirects(self.limits().redirect_count()),
                    delivery: Delivery::Processed,
                }
                .into());
            }
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| request.url.join(value).ok())
                .ok_or_else(|| Error::DownloadRefused {
                    operation: request.operation.clone(),
                    url: url_without_query(&request.url),
                    reason: "a redirect without a usable Location".to_owned(),
                })?;
            // The credential stays with the API: a redirect elsewhere gets none.
            let keeps_credential = request.authenticated && self.is_api_origin(&location);
            request.url = location;
            request.authenticated = keeps_credential;
        };
        let cap = self.limits().download_byte_count();
        if response.content_length().is_some_and(|length| length > cap) {
            return Err(self.over_cap(&request, cap));
        }
        let mut written: u64 = 0;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| network_error(&request, &err, Delivery::Processed))?
        {
            written += chunk.len() as u64;
            if written > cap {
                return Err(self.over_cap(&request, cap));
            }
            writer
                .write_all(&chunk)
                .await
                .map_err(|source| self.write_error(&request, source))?;
        }
        writer
            .flush()
            .await
            .map_err(|source| self.write_error(&request, source))?;
        tracing::debug!(bytes = written, "download complete");
        Ok(written)
    }

    fn check_download_url(&self, request: &Request) -> Result<(), Error> {
        if self.is_api_origin(&request.url) {
            return Ok(());
        }
        match self.inner.download_policy.refusal(&request.url) {
            None => Ok(()),
            Some(reason) => Err(Error::DownloadRefused {
                operation: request.operation.clone(),
                url: url_without_query(&request.url),
                reason,
            }),
        }
    }

    fn over_cap(&self, request: &Request, cap: u64) -> DownloadError {
        Error::LimitExceeded {
            operation: request.operation.clone(),
            limit: Limit::DownloadBytes(cap),
            delivery: Delivery::Processed,
        }
        .into()
    }

    fn write_error(&self, request: &Request, source: std::io::Error) -> DownloadError {
        WriteError {
            operation: request.operation.clone(),
            source,
        }
        .into()
    }
}
