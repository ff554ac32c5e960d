//! Typed async client for the HouseCanary Order Manager **Partner API**.
//!
//! An integration partner creates `valueReport` orders on behalf of client accounts, follows order and
//! item statuses, receives signed callouts, and downloads export archives whose file names follow the
//! vendor's documented scheme.
//!
//! - [`orders`]: the order request and its builder, and one file per order operation
//!   (`orders/create_order.rs`, `get_order.rs`, `list_order_items.rs`, `download_item_pdf.rs`);
//! - [`exports`]: export requests (`exports/create_export.rs`, ...), downloads, the file names of
//!   an export and reading a downloaded archive;
//! - [`callouts`]: verifying, decoding, deduplicating and receiving the vendor's callouts;
//! - [`progress`]: following an order's items until each is final;
//! - [`status`]: the statuses of orders, items and exports.
//!
//! Every API call is a `credit_valuation_core::Operation` sent by the one generic send of `credit-valuation-core`.
//! Records and callouts share one id type, [`Id`].
//!
//! # Re-exported crates
//!
//! The public API takes and returns types of these crates; use them through this crate (for example
//! `housecanary_partner::http::HeaderName`) so that the versions always match, or depend on the
//! same major version yourself:
//!
//! | re-export | crate and version | where it shows |
//! |---|---|---|
//! | [`http`] | `http` 1 | callout requests (`Request`, `HeaderName`, `Uri`) |
//! | [`jiff`] | `jiff` 1 | order and export dates, export file names |
//! | `axum` (feature `axum`) | `axum` 0.8 | the callout receiver's `Router` |
//! | `tokio_postgres`, `deadpool_postgres` (feature `postgres`) | `tokio-postgres` 0.7, `deadpool-postgres` 0.14 | the callout store's pool (`deadpool_postgres::Pool`, whose connections are `tokio_postgres` clients) |
//!
//! ```
//! let header = housecanary_partner::http::HeaderName::from_static("x-signature");
//! let day: housecanary_partner::jiff::civil::Date = "2026-03-31".parse().unwrap();
//! assert_eq!((header.as_str(), day.year()), ("x-signature", 2026));
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `rustls` | yes | TLS through rustls |
//! | `native-tls` | no | TLS through the platform's library (OpenSSL on Linux) |
//! | `export-archive` | yes | reading downloaded export archives (`exports::ExportArchive`) |
//! | `axum` | no | a ready callout receiver for axum (`callouts::axum`) |
//! | `postgres` | no | the callout store and inbox in PostgreSQL (`callouts::PostgresMessageLog`) |
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

mod api_error;
pub mod callouts;
mod client;
mod config;
mod config_from_env;
mod error;
pub mod exports;
mod id;
mod list_pages;
pub mod metrics;
pub mod orders;
mod owner;
pub mod progress;
pub mod status;
mod text;

pub use client::Client;
/// The `common-auth` types this crate's API takes or returns, so that a user needs no
/// `common-auth` dependency of their own: the callout schemes and their errors, and secrets.
pub use common_auth::{
    CalloutAuth, CalloutAuthError, CalloutConfigError, Env, EnvError, HmacSha1Key, SecretString,
    SignedCallout,
};
pub use config::{Config, DEMO_BASE_URL, Environment, PRODUCTION_BASE_URL};
/// The transport every call goes through (`credit-valuation-core`): its error type, limits and policies.
pub use credit_valuation_core as transport;
pub use credit_valuation_core::{Backoff, Delivery, Limit, Limits, RetryPolicy};
pub use error::{Error, Result};
pub use id::Id;
pub use owner::OwnerPair;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use axum;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use deadpool_postgres;
pub use http;
pub use jiff;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use tokio_postgres;
/// The guide `docs/housecanary.md`, compiled as doc tests so that its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/housecanary.md")]
mod guide {}

/// The crate's README (what crates.io shows), compiled as doc tests so that its example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
