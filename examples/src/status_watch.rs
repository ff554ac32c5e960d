//! Learning when order items finish: through callouts to a receiver, or by polling the API.

use std::time::Duration;

use housecanary_partner::Id;
use housecanary_partner::orders::OrderItemDetails;
use sandbox::Sandbox;
use tokio::time::Instant;

use crate::error::Error;
use crate::receiver::RunningReceiver;
use crate::settings::{CalloutMode, HouseCanarySettings};
use crate::tracker::CalloutTracker;

/// A started way of following item statuses: a receiver (and the tracker it feeds) or polling.
#[derive(Debug)]
pub struct StatusWatch {
    tracker: CalloutTracker,
    following: Following,
    description: String,
}

/// How statuses reach the tracker: exactly one of the two.
#[derive(Debug)]
enum Following {
    /// Callouts to this receiver.
    Callouts(RunningReceiver),
    /// Listing the order's items at this interval.
    Polling(Duration),
}

impl StatusWatch {
    /// Starts what `settings` asks for. With the embedded sandbox, points its callouts at the
    /// receiver (`set_callout_target`) with the same authentication scheme.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), examples::Error> {
    /// let sandbox = sandbox::Sandbox::start().await?;
    /// let settings = examples::settings::HouseCanarySettings::for_sandbox(&sandbox);
    /// let watch = examples::StatusWatch::start(&settings, Some(&sandbox)).await?;
    /// println!("{}", watch.describe());
    /// # Ok(()) }
    /// ```
    pub async fn start(
        settings: &HouseCanarySettings,
        sandbox: Option<&Sandbox>,
    ) -> Result<Self, Error> {
        let tracker = CalloutTracker::default();
        match &settings.callouts {
            CalloutMode::Receive {
                listen,
                public_url,
                path,
                auth,
            } => {
                let receiver =
                    RunningReceiver::start(*listen, path, auth.clone(), tracker.clone()).await?;
                let target = match public_url {
                    Some(url) => url.clone(),
                    None => receiver.url()?,
                };
                if let (Some(sandbox), crate::settings::Source::Sandbox) =
                    (sandbox, settings.source)
                {
                    sandbox.set_callout_target(target.clone(), auth.clone());
                }
                let description = format!(
                    "callout receiver listening on {} for {target} ({})",
                    receiver.local_addr(),
                    scheme_name(auth),
                );
                Ok(Self {
                    tracker,
                    following: Following::Callouts(receiver),
                    description,
                })
            }
            CalloutMode::Poll { interval } => Ok(Self {
                tracker,
                following: Following::Polling(*interval),
                description: format!(
                    "no HOUSECANARY_CALLOUT_URL: polling item statuses every {} s",
                    interval.as_secs_f64()
                ),
            }),
        }
    }

    /// One line saying how statuses are followed.
    ///
    /// ```no_run
    /// # fn run(watch: examples::StatusWatch) { println!("{}", watch.describe()); }
    /// ```
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// The tracker the receiver (or polling) feeds.
    ///
    /// ```no_run
    /// # fn run(watch: examples::StatusWatch) { println!("{}", watch.tracker().callouts_received()); }
    /// ```
    pub fn tracker(&self) -> &CalloutTracker {
        &self.tracker
    }

    /// The running receiver, if callouts are used.
    ///
    /// ```no_run
    /// # fn run(watch: examples::StatusWatch) { let _ = watch.receiver().map(|r| r.local_addr()); }
    /// ```
    pub fn receiver(&self) -> Option<&RunningReceiver> {
        match &self.following {
            Following::Callouts(receiver) => Some(receiver),
            Following::Polling(_) => None,
        }
    }

    /// Waits until every item of `item_ids` (of order `order_id`) is complete or cancelled, calling
    /// `on_progress(finished, total)` on every change; fails with [`Error::Deadline`] past `deadline`.
    ///
    /// ```no_run
    /// # async fn run(watch: examples::StatusWatch, client: housecanary_partner::Client) -> Result<(), examples::Error> {
    /// let ids = vec!["11".to_owned(), "12".to_owned()];
    /// let id = housecanary_partner::Id::from(10_u64);
    /// watch.wait_for_items(&client, &id, &ids, std::time::Duration::from_secs(30), |done, total| {
    ///     println!("{done}/{total}");
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_items(
        &self,
        client: &housecanary_partner::Client,
        order_id: &Id,
        item_ids: &[String],
        deadline: Duration,
        mut on_progress: impl FnMut(usize, usize),
    ) -> Result<(), Error> {
        let deadline_at = Instant::now() + deadline;
        let mut changes = self.tracker.subscribe();
        let total = item_ids.len();
        let mut last = None;
        loop {
            changes.borrow_and_update();
            if let Following::Polling(_) = self.following {
                for item in client.list_order_items(order_id).await? {
                    self.record_polled(order_id, &item);
                }
            }
            let finished = self.tracker.finished(item_ids);
            if last != Some(finished) {
                on_progress(finished, total);
                last = Some(finished);
            }
            if finished == total {
                return Ok(());
            }
            let now = Instant::now();
            if now >= deadline_at {
                return Err(Error::Deadline {
                    order_id: order_id.to_string(),
                    finished,
                    total,
                    deadline_secs: deadline.as_secs(),
                });
            }
            let remaining = deadline_at - now;
            match self.following {
                Following::Polling(interval) => tokio::time::sleep(interval.min(remaining)).await,
                // The tracker owns the sender, so `changed` only ends by a change or the timeout.
                Following::Callouts(_) => {
                    let _ = tokio::time::timeout(remaining, changes.changed()).await;
                }
            }
        }
    }

    fn record_polled(&self, order_id: &Id, item: &OrderItemDetails) {
        let Some(status) = item.status.clone() else {
            return;
        };
        let reason = item
            .extra
            .get("validation_errors")
            .and_then(|errors| errors.as_array())
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|error| error.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|reason| !reason.is_empty());
        self.tracker
            .record_status(&order_id.to_string(), &item.id.to_string(), status, reason);
    }
}

fn scheme_name(auth: &common_auth::CalloutAuth) -> &'static str {
    match auth {
        common_auth::CalloutAuth::Basic(_) => "HTTP Basic",
        common_auth::CalloutAuth::HeaderToken { .. } => "token in a header",
        common_auth::CalloutAuth::QueryToken { .. } => "token in the query string",
        common_auth::CalloutAuth::HmacSha1Signature { .. } => "HMAC-SHA1 signed",
        _ => "authenticated",
    }
}
