//! Typed async client for the Innovis Gateway: credit reports through a reseller's House Numbers, REFUPD,
//! and SECONDUSE from a stored report reference.
//!
//! - [`Client`] (configured by [`ClientConfig`] and [`Environment`]) gets and caches the OAuth token,
//!   sends requests and decodes the answers.
//! - [`ReportRequest`] and [`SecondUseRequest`] are made by typestate builders: a request without a House
//!   Number, a permissible purpose or an applicant does not compile, and a House Number's `customerId` and
//!   `endUserCode` are always given together.
//! - [`ResellerProfile`] maps (permissible purpose, product) to the reseller's House Number Customer ID.
//! - [`ReportResponse`] / [`ConsumerReport`] type what the vendor documents and keep the rest as JSON; every
//!   report yields a [`ReportReference`] to store for SECONDUSE.
//! - [`pii`]: SSNs, dates of birth and access codes are validated and never shown by `Debug` or in errors.
//!
//! ```no_run
//! use innovis_client::*;
//!
//! # async fn run() -> Result<(), Error> {
//! let client = Client::new(ClientConfig::new(
//!     Environment::Uat,
//!     "client-id",
//!     SecretString::from("client-secret"),
//!     "AB12",
//! ))?;
//! let purpose = PermissiblePurpose::new("17")?;
//! let profile = ResellerProfile::new().register(purpose.clone(), ProductCode::CR, "1234567890")?;
//! let request = profile
//!     .report_request(purpose, ProductCode::CR, "9876543210")?
//!     .applicant(
//!         Applicant::new()
//!             .name("JOHN", "CONSUMER")
//!             .ssn(pii::Ssn::new("123-45-6789")?)
//!             .dob(pii::DateOfBirth::new("1980-01-02")?)
//!             .address(Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222")),
//!     )
//!     .build()?;
//! let response = client.send(&request).await?;
//! response.check()?;
//! for reference in response.references() {
//!     println!("store: {}", serde_json::to_string(reference).unwrap());
//! }
//! # Ok(()) }
//! ```
//!
//! See `docs/innovis.md` in the repository for the guide.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod client;
pub mod config;
pub mod error;
mod gateway_error;
pub mod ledger;
pub mod pii;
pub mod profile;
pub mod reference;
pub mod request;
pub mod response;

pub use client::Client;
/// The transport every call goes through (`client-core`): its error type, limits and policies.
pub use client_core as transport;
pub use client_core::{Delivery, Limit, Limits, RetryPolicy};
pub use common_auth::SecretString;
pub use config::{ClientConfig, Environment};
pub use error::Error;
pub use profile::ResellerProfile;
pub use reference::ReportReference;
pub use request::{
    Address, Applicant, HouseNumber, Name, PermissiblePurpose, ProductCode, ReportRequest,
    ReportRequestBuilder, SecondUseRequest, SecondUseRequestBuilder, generate_trace_number,
};
pub use response::{ConsumerReport, ReportResponse, ReturnCode, ReturnCodeError};

/// The guide `docs/innovis.md`, compiled as doc tests so that its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/innovis.md")]
mod guide {}
