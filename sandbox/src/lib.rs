//! Offline simulators of the Innovis Gateway and the HouseCanary Order Manager Partner API.
//!
//! The sandbox is an independent second implementation of both vendors' wire formats (it shares no
//! code with the client crates), served by axum on loopback. Start it in-process with
//! [`Sandbox::start`] or as a program with `cargo run -p credit-valuation-sandbox -- --listen 127.0.0.1:8080`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), credit_valuation_sandbox::SandboxError> {
//! let sandbox = credit_valuation_sandbox::Sandbox::start().await?;
//! println!("Innovis token URL:    {}", sandbox.innovis_token_url());
//! println!("Innovis gateway URL:  {}", sandbox.innovis_gateway_url());
//! println!("HouseCanary base URL: {}", sandbox.housecanary_base_url());
//! let credentials = sandbox.credentials();
//! println!("client id {}", credentials.innovis_client_id);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! What it accepts and answers, its fixtures and its fault knobs are described in
//! `docs/sandbox.md` and in [`fixtures`].
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

mod config;
mod connection;
mod credentials;
mod error;
mod faults;
pub mod fixtures;
mod housecanary;
mod innovis;
mod server;
mod signing;
mod state;
mod stats;
mod vendor_errors;

pub use config::{
    CALLOUT_DELIVERIES, DEFAULT_GATEWAY_STALL, Faults, MAX_TOKEN_LIFETIME, SandboxConfig,
};
pub use credentials::{
    CALLOUT_BASIC_USERNAME, CALLOUT_SIGNATURE_HEADER, CALLOUT_TOKEN_HEADER,
    CALLOUT_TOKEN_PARAMETER, TestCredentials,
};
pub use error::SandboxError;
pub use innovis::store::{InquiryAnswer, RecordedInquiry};
pub use server::Sandbox;
pub use stats::SandboxStats;

/// The guide `docs/sandbox.md`, compiled as doc tests so that its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/sandbox.md")]
mod guide {}

/// The crate's README (what crates.io shows), compiled as doc tests so that its example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
