//! The one transport both vendor clients send through.
//!
//! `credit-valuation-core` knows nothing of Innovis or HouseCanary. It sends a described [`Request`] through
//! one pipeline:
//!
//! 1. authorize: a fixed header such as `Token …`, or a bearer from a
//!    [`TokenCache`](common_auth::TokenCache) with exactly one resend after a 401;
//! 2. send with a per-attempt timeout, inside one `tracing` span per attempt carrying
//!    OpenTelemetry's HTTP field names (`http.request.method`, `url.path`, `server.address`,
//!    `http.response.status_code`, `http.request.resend_count`) and never a query string;
//! 3. classify and retry by the [`RetryPolicy`] and the request's [`Idempotency`]: never resend
//!    what may have been processed, retry what certainly was not;
//! 4. read the body under the [`Limits`], and decode it with the JSON path of any failure.
//!
//! Each call records its duration, attempts and resends through the `metrics` facade ([`metrics`]).
//!
//! Every [`Error`] says how far the request got ([`Delivery`]). API calls never follow a redirect
//! (whatever HTTP client was injected); downloads follow them one checked hop at a time.
//!
//! ```no_run
//! # async fn run() -> Result<(), credit_valuation_core::Error> {
//! use credit_valuation_core::{Authorization, Request, Transport, TransportConfig};
//! use common_auth::{SecretString, StaticToken};
//!
//! let base = url::Url::parse("https://api.example/v1/").unwrap();
//! let token = StaticToken::new(SecretString::from("t0ken"));
//! let transport = Transport::new(
//!     TransportConfig::new(base.clone(), "my-sdk/1.0")
//!         .authorization(Authorization::header(token.authorization_header())),
//! )?;
//! let created: serde_json::Value = transport
//!     .send_json(Request::post(base.join("orders/").unwrap(), "POST orders/").json_body("{}"))
//!     .await?;
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod authorization;
mod backoff;
mod body;
mod decode;
mod delivery;
mod download;
mod download_policy;
mod error;
mod known_values;
mod limits;
mod masking;
pub mod metrics;
mod operation;
mod pages;
mod redaction;
mod request;
mod retry;
mod transport;

pub use authorization::Authorization;
pub use backoff::Backoff;
pub use delivery::Delivery;
pub use download::{DownloadError, WriteError};
pub use error::{Error, ErrorBody, error_chain};
pub use http::Method;
pub use known_values::KnownValues;
pub use limits::{Limit, Limits};
pub use masking::mask_digit_runs;
pub use operation::{Operation, request_for};
pub use pages::Pages;
pub use redaction::{
    MAX_QUOTED_BYTES, Redaction, excerpt, excerpt_bytes, redact_queries, url_without_query,
};
pub use request::Request;
pub use retry::{Idempotency, RetryPolicy};
pub use transport::{Response, Transport, TransportConfig, require_https};
#[cfg(test)]
mod size {
    /// Vendor errors embed this one beside a few fields; past 96 bytes they cross clippy's
    /// `result_large_err` line and every `Result` in the clients grows.
    #[test]
    fn the_error_stays_small_enough_to_embed() {
        assert!(std::mem::size_of::<crate::Error>() <= 96);
    }
}

/// The crate's README (what crates.io shows), compiled as doc tests so that its example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
