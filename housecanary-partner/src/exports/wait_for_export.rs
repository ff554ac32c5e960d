//! Wait for export: poll an export request (`GET orders/{id}/export-requests/{export_id}/`) until
//! it completes, with [`WaitOptions`].

use std::fmt;
use std::time::Duration;

use super::export_request::ExportRequest;
use super::get_export_request::GetExportRequest;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::status::ExportStatus;

type ProgressFn = Box<dyn FnMut(&ExportRequest) + Send>;

/// How [`Client::wait_for_export`] polls.
///
/// Defaults: first poll after 2 s, the interval doubling up to 30 s, give up after 30 minutes.
pub struct WaitOptions {
    initial_interval: Duration,
    max_interval: Duration,
    timeout: Duration,
    on_progress: Option<ProgressFn>,
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("initial_interval", &self.initial_interval)
            .field("max_interval", &self.max_interval)
            .field("timeout", &self.timeout)
            .field(
                "on_progress",
                &self.on_progress.as_ref().map(|_| "callback"),
            )
            .finish()
    }
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_secs(2),
            max_interval: Duration::from_secs(30),
            timeout: Duration::from_secs(30 * 60),
            on_progress: None,
        }
    }
}

impl WaitOptions {
    /// The wait before the second poll (the first is immediate); it doubles after each poll.
    pub fn initial_interval(mut self, interval: Duration) -> Self {
        self.initial_interval = interval;
        self
    }

    /// The longest wait between polls.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// The deadline, counted from the call; past it the wait fails with [`Error::WaitExpired`].
    /// A poll does not retry past it either: when the server asks for a wait (`Retry-After`) or
    /// the backoff would end after the deadline, the wait ends with that answer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Called with every polled state (read `percent_complete` for progress).
    pub fn on_progress(mut self, callback: impl FnMut(&ExportRequest) + Send + 'static) -> Self {
        self.on_progress = Some(Box::new(callback));
        self
    }
}

impl Client {
    /// Polls `GET orders/{id}/export-requests/{export_id}/` until the export is `complete`
    /// (returned), ends in another terminal status ([`Error::ExportFailed`]), or the deadline
    /// passes ([`Error::WaitExpired`]). Unknown statuses keep the wait going.
    ///
    /// ```no_run
    /// use housecanary_partner::exports::{CreateExport, WaitOptions};
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
    /// let export = client.create_export(&CreateExport::new(42_u64)).await?;
    /// let done = client
    ///     .wait_for_export(42_u64, &export.id, WaitOptions::default()
    ///         .on_progress(|e| println!("{:?}%", e.percent_complete)))
    ///     .await?;
    /// client.download_export_to_file(&done, "order-42.zip").await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_export(
        &self,
        order_id: impl Into<Id>,
        export_id: impl Into<Id>,
        mut options: WaitOptions,
    ) -> Result<ExportRequest> {
        let poll = GetExportRequest {
            order_id: order_id.into(),
            export_id: export_id.into(),
        };
        let deadline = tokio::time::Instant::now() + options.timeout;
        // Fixed waits (no jitter): one caller's polls, doubling to the cap.
        let backoff =
            credit_valuation_core::Backoff::new(options.initial_interval, options.max_interval)
                .jitter(0.0);
        let mut waits: u32 = 0;
        loop {
            // The same GET as `get_export_request`, whose retries stop at the deadline.
            let request = self.request(&poll)?.deadline(deadline);
            let export: ExportRequest = self.send_request(request).await?;
            if let Some(callback) = options.on_progress.as_mut() {
                callback(&export);
            }
            match &export.status {
                Some(ExportStatus::Complete) => return Ok(export),
                Some(status) if status.is_terminal() => {
                    return Err(Error::ExportFailed {
                        export_id: poll.export_id.to_string(),
                        status: status.clone(),
                    });
                }
                _ => {}
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Error::WaitExpired {
                    operation: format!(
                        "waiting for export {} of order {} (last status {}, {}% complete)",
                        poll.export_id,
                        poll.order_id,
                        export.status.as_ref().map_or("unknown", |s| s.as_str()),
                        export
                            .percent_complete
                            .map_or_else(|| "?".to_owned(), |p| p.to_string()),
                    ),
                });
            }
            // The last sleep is cut short so that one final poll happens at the deadline.
            tokio::time::sleep(backoff.delay(waits).min(deadline - now)).await;
            waits = waits.saturating_add(1);
        }
    }
}
