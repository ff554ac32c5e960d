//! The application's handler, type-erased, and running it within a deadline.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use tokio::time::{Instant, timeout_at};

use super::message::CalloutMessage;
use super::message_log::BoxFuture;

/// The error an application handler returns: anything that converts into a boxed error
/// (`std::io::Error`, `anyhow::Error`, `String`, `&str`, …).
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// The handler, type-erased so receivers and workers are concrete, cheaply cloned types.
pub(crate) type DynHandler =
    dyn Fn(CalloutMessage) -> BoxFuture<'static, Result<(), HandlerError>> + Send + Sync;

/// Erases a user's handler.
pub(crate) fn erase<F, Fut, E>(handler: F) -> Arc<DynHandler>
where
    F: Fn(CalloutMessage) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<HandlerError>,
{
    Arc::new(move |message| {
        let future = handler(message);
        Box::pin(async move { future.await.map_err(Into::into) })
    })
}

/// Why a handler run did not succeed.
pub(crate) enum HandlerFailure {
    /// It returned an error or panicked.
    Failed(HandlerError),
    /// It did not finish by the deadline and was cancelled.
    TimedOut,
}

impl HandlerFailure {
    /// A short description for logs and dead letters.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Failed(error) => error.to_string(),
            Self::TimedOut => "the handler overran its budget".to_owned(),
        }
    }
}

/// Starts the handler's future at once and returns a future that runs it until `deadline`, turning
/// a panic (while starting or while running) into a failure.
///
pub(crate) fn run_guarded<Fut>(
    start: impl FnOnce() -> Fut,
    deadline: Instant,
) -> impl Future<Output = Result<(), HandlerFailure>>
where
    Fut: Future<Output = Result<(), HandlerError>>,
{
    let started = std::panic::catch_unwind(AssertUnwindSafe(start));
    async move {
        let panicked = || HandlerFailure::Failed("the callout handler panicked".into());
        let future = started.map_err(|_| panicked())?;
        match timeout_at(deadline, AssertUnwindSafe(future).catch_unwind()).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(error))) => Err(HandlerFailure::Failed(error)),
            Ok(Err(_panic)) => Err(panicked()),
            Err(_) => Err(HandlerFailure::TimedOut),
        }
    }
}
