//! The transport's metrics, through the [`metrics`](https://docs.rs/metrics) facade: the SDK records,
//! the application installs whatever exporter it uses (Prometheus, OpenTelemetry, StatsD) — with none
//! installed, recording costs next to nothing.
//!
//! Labels are fixed words: an operation's type name (`GetOrder`, `ReportRequest`), an outcome, a
//! reason. Never a URL, a query, an id, a secret or personal data.

use std::time::Instant;

use crate::error::Error;

/// Histogram, seconds from a call's first attempt to its final answer (retries and their waits
/// included); labels `operation`, `outcome` (see [`outcome`]).
pub const REQUEST_DURATION: &str = "sdk_client_request_duration_seconds";
/// Counter of attempts sent; label `operation`.
pub const REQUEST_ATTEMPTS: &str = "sdk_client_request_attempts_total";
/// Counter of attempts that were resends; labels `operation`, `reason` (`retry` or `token_refresh`).
pub const REQUEST_RESENDS: &str = "sdk_client_request_resends_total";

/// The `outcome` label of a finished call: `ok`, `status_4xx`, `status_5xx`, `network`, `timeout`,
/// `token`, `limit`, `redirected`, `refused` (configuration, download policy, pagination) or
/// `decode`.
pub fn outcome<T>(result: &Result<T, Error>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(Error::Status { status, .. }) if *status < 500 => "status_4xx",
        Err(Error::Status { .. }) => "status_5xx",
        Err(Error::Transport { .. }) => "network",
        Err(Error::Timeout { .. }) => "timeout",
        Err(Error::Token { .. }) => "token",
        Err(Error::LimitExceeded { .. }) => "limit",
        Err(Error::Redirected { .. }) => "redirected",
        Err(Error::Decode { .. }) => "decode",
        Err(
            Error::Config { .. }
            | Error::Encode { .. }
            | Error::DownloadRefused { .. }
            | Error::Pagination { .. },
        ) => "refused",
    }
}

/// One attempt leaves; `resend` says why it is not the first.
pub(crate) fn attempt(operation: &'static str, resend: Option<&'static str>) {
    metrics::counter!(REQUEST_ATTEMPTS, "operation" => operation).increment(1);
    if let Some(reason) = resend {
        metrics::counter!(REQUEST_RESENDS, "operation" => operation, "reason" => reason)
            .increment(1);
    }
}

/// A call ended.
pub(crate) fn finished<T>(operation: &'static str, started: Instant, result: &Result<T, Error>) {
    metrics::histogram!(REQUEST_DURATION, "operation" => operation, "outcome" => outcome(result))
        .record(started.elapsed().as_secs_f64());
}
