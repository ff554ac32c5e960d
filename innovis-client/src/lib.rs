//! Typed async client for the Innovis Gateway: credit reports through a reseller's House Numbers, REFUPD,
//! and SECONDUSE from a stored report reference.
//!
//! - [`Client`] (configured by [`Config`] and [`Environment`]) gets and caches the OAuth token,
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
//! let client = Client::new(Config::new(
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
//!
//! # Where things are
//!
//! The main types are at the crate root; the files they live in are private, so each type has one
//! path and a file can be renamed without breaking anyone. Four namespaces group what not every call
//! needs:
//!
//! - [`pii`]: the consumer's personal values (`Ssn`, `DateOfBirth`, `ConsumerAccessCode`) and the
//!   digit masking applied to vendor text, kept apart so that their handling rules are read together;
//! - [`ledger`]: the inquiry ledger's stores, entries and audit export, for those who share a ledger
//!   or export it;
//! - [`builder_state`]: the typestate markers and `…IsSet` bounds of the request builders, for code
//!   generic over builders;
//! - [`transport`]: `credit-valuation-core`, whose error sits in [`Error::Transport`].
//!
//! The `common-auth` types this API takes or returns ([`SecretString`], [`TokenError`], [`Env`],
//! [`EnvError`]) are re-exported, so no other dependency is needed.
//!
//! # Re-exported crates
//!
//! The public API takes and returns types of these crates; use them through this crate (for example
//! `innovis_client::jiff::tz::TimeZone`) so that the versions always match, or depend on the same
//! major version yourself:
//!
//! | re-export | crate and version | where it shows |
//! |---|---|---|
//! | [`http`] | `http` 1 | the methods of the transport's operations ([`transport::Operation`]) |
//! | [`jiff`] | `jiff` 1 | dates of birth, inquiry times and their time zone, ledger timestamps |
//!
//! ```
//! let zone = innovis_client::jiff::tz::TimeZone::get("America/New_York").unwrap();
//! let config = innovis_client::Config::new(
//!     innovis_client::Environment::Uat,
//!     "id",
//!     innovis_client::SecretString::from("secret"),
//!     "AB12",
//! )
//! .inquiry_time_zone(zone);
//! assert_eq!(config.environment(), &innovis_client::Environment::Uat);
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `rustls` | yes | TLS through rustls |
//! | `native-tls` | no | TLS through the platform's library (OpenSSL on Linux) |
//! | `postgres` | no | [`ledger::PostgresLedger`], the inquiry ledger in PostgreSQL |
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

mod borrowed_str;
mod client;
mod config;
mod config_from_env;
mod error;
mod gateway_error;
mod house_number;
pub mod ledger;
pub mod metrics;
mod permissible_purpose;
pub mod pii;
mod product_code;
mod report_reference;
mod request;
mod reseller_profile;
mod response;

pub use client::Client;
pub use common_auth::{Env, EnvError, SecretString, TokenError};
pub use config::{
    Config, DEFAULT_ATTEMPTS, DEFAULT_AUDIENCE, DEFAULT_CONNECT_TIMEOUT, DEFAULT_FIRST_BACKOFF,
    DEFAULT_REQUEST_TIMEOUT, Environment, MAX_SOFTWARE_PROVIDER_ID_LEN, USER_AGENT,
};
/// The transport every call goes through (`credit-valuation-core`): its error type, limits and policies.
pub use credit_valuation_core as transport;
pub use credit_valuation_core::{Delivery, Limit, Limits, RetryPolicy};
pub use error::Error;
pub use house_number::{HouseNumber, MAX_CUSTOMER_ID_LEN, MAX_END_USER_CODE_LEN};
pub use http;
pub use jiff;
pub use permissible_purpose::PermissiblePurpose;
pub use product_code::ProductCode;
pub use report_reference::{MAX_CONSUMER_ID_LEN, MAX_REPORT_REFERENCE_LEN, ReportReference};
pub use request::applicant::{Address, Applicant, MAX_APPLICANTS, MAX_EMAIL_LEN, Name};
pub use request::builder_state;
pub use request::end_user::MAX_END_USER_LEN;
pub use request::report_request::{ReportRequest, ReportRequestBuilder};
pub use request::second_use::{SecondUseRequest, SecondUseRequestBuilder};
pub use request::trace_number::{MAX_TRACE_NUMBER_LEN, generate_trace_number};
pub use reseller_profile::ResellerProfile;
pub use response::consumer_report::ConsumerReport;
pub use response::report_response::ReportResponse;
pub use response::return_code::{ReturnCode, ReturnCodeError};

/// The guide `docs/innovis.md`, compiled as doc tests so that its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/innovis.md")]
mod guide {}

/// The crate's README (what crates.io shows), compiled as doc tests so that its example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
