//! The HouseCanary client's metrics, through the [`metrics`](https://docs.rs/metrics) facade (the
//! application installs the exporter). Besides the transport's (`credit_valuation_core::metrics`),
//! the callout endpoint counts its answers. Labels are fixed words: never a message id, a URL or a
//! header.

/// Counter of the callout endpoint's answers (`callouts::axum::router`), by HTTP `status`
/// (`200`, `400`, `401`, `408`, `413`, `500`, `503`, or `other`).
pub const CALLOUTS: &str = "housecanary_callouts_total";

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
