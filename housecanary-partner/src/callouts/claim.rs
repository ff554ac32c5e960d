//! A held [`MessageLog`] claim that is released even when the request is cancelled.

use std::sync::Arc;

use tokio::time::Instant;

use super::deadline::{DeadlinePassed, within};
use super::message_log::{ClaimToken, MessageLog, MessageLogError};

/// The claim on one `message_id` returned by [`MessageLog::try_begin`] as `Begin::New`.
///
/// A server drops the request future when the client disconnects; without this guard the claim would
/// then stay "in progress" and every redelivery would be turned away until the log's lease ran out.
/// Dropping an unresolved claim abandons it on the current tokio runtime.
///
/// It borrows the log and the id: the common path (resolved in place) then copies nothing and
/// touches no reference count that other threads share; only an abandon in the background does.
pub(crate) struct Claim<'a> {
    log: &'a Arc<dyn MessageLog>,
    message_id: &'a str,
    token: ClaimToken,
    resolved: bool,
}

impl<'a> Claim<'a> {
    pub(crate) fn new(
        log: &'a Arc<dyn MessageLog>,
        message_id: &'a str,
        token: ClaimToken,
    ) -> Self {
        Self {
            log,
            message_id,
            token,
            resolved: false,
        }
    }

    /// Marks the id processed, unless `deadline` passes first (then `Drop` abandons the claim).
    pub(crate) async fn complete_within(
        mut self,
        deadline: Instant,
    ) -> Result<Result<(), MessageLogError>, DeadlinePassed> {
        let result = within(deadline, self.log.complete(self.message_id, self.token)).await;
        // Set only after the call finished: if it timed out or this future is dropped midway,
        // `Drop` abandons.
        self.resolved = result.is_ok();
        result
    }

    /// Marks the id processed with a log that answers at once (the in-memory log).
    pub(crate) fn complete_with(
        mut self,
        complete: impl FnOnce(&str, ClaimToken) -> Result<(), MessageLogError>,
    ) -> Result<(), MessageLogError> {
        let result = complete(self.message_id, self.token);
        self.resolved = true;
        result
    }

    /// Releases the claim without marking the id processed.
    pub(crate) async fn abandon(mut self) -> Result<(), MessageLogError> {
        let result = self.log.abandon(self.message_id, self.token).await;
        self.resolved = true;
        result
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if self.resolved {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(
                message_id = %self.message_id,
                "callout claim dropped outside a tokio runtime; it is released when its lease ends"
            );
            return;
        };
        let log = Arc::clone(self.log);
        let message_id = self.message_id.to_owned();
        let token = self.token;
        runtime.spawn(async move {
            match log.abandon(&message_id, token).await {
                Ok(()) => tracing::debug!(%message_id, "released the claim of a cancelled callout"),
                Err(error) => {
                    tracing::warn!(%message_id, %error, "could not release a cancelled callout's claim")
                }
            }
        });
    }
}
