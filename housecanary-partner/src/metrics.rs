//! The HouseCanary client's metrics, through the [`metrics`](https://docs.rs/metrics) facade (the
//! application installs the exporter). Besides the transport's (`credit_valuation_core::metrics`),
//! the callout endpoint counts its answers and the inbox workers publish the inbox's size. Labels
//! are fixed words: never a message id, a URL or a header.

/// Counter of the callout endpoint's answers (`callouts::axum::router`), by HTTP `status`
/// (`200`, `400`, `401`, `408`, `413`, `500`, `503`, or `other`).
pub const CALLOUTS: &str = "housecanary_callouts_total";

/// Gauge of callouts stored in the durable inbox and not yet processed, set by the inbox workers.
pub const INBOX_DEPTH: &str = "housecanary_callout_inbox_depth";

/// Gauge of how long the oldest unprocessed inbox callout has been stored, in seconds.
pub const INBOX_OLDEST_AGE: &str = "housecanary_callout_inbox_oldest_age_seconds";

/// Gauge of dead letters kept in the callout store.
pub const DEAD_LETTERS: &str = "housecanary_callout_dead_letters";

pub(crate) fn inbox_observed(stats: &crate::callouts::InboxStats) {
    metrics::gauge!(INBOX_DEPTH).set(stats.pending as f64);
    metrics::gauge!(INBOX_OLDEST_AGE).set(stats.oldest_pending.as_secs_f64());
    metrics::gauge!(DEAD_LETTERS).set(stats.dead_letters as f64);
}

#[cfg(feature = "axum")]
pub(crate) fn callout_answered(status: http::StatusCode) {
    let status = match status.as_u16() {
        200 => "200",
        400 => "400",
        401 => "401",
        408 => "408",
        413 => "413",
        500 => "500",
        503 => "503",
        _ => "other",
    };
    metrics::counter!(CALLOUTS, "status" => status).increment(1);
}
