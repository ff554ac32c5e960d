//! Typed async client for the HouseCanary Order Manager **Partner API**.
//!
//! An integration partner creates `valueReport` orders on behalf of client accounts, follows order and
//! item statuses, receives signed callouts, and downloads export archives whose file names follow the
//! vendor's documented scheme.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod api_error;
pub mod callouts;
mod client;
mod config;
mod error;
pub mod export_files;
pub mod exports;
pub mod orders;
mod owner;
pub mod progress;
pub mod status;
mod text;

pub use client::Client;
/// The transport every call goes through (`client-core`): its error type, limits and policies.
pub use client_core as transport;
pub use client_core::{Delivery, Limit, Limits, RetryPolicy};
pub use common_auth::{CalloutAuth, SecretString};
pub use config::{Config, DEMO_BASE_URL, Environment, PRODUCTION_BASE_URL};
pub use error::{Error, Result};
pub use orders::Id;
pub use owner::OwnerPair;
/// Compiles every code block of the HouseCanary guide as a doctest, so the guide cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../docs/housecanary.md")]
struct GuideDoctests;
