//! Credentials and their lifecycles, shared by the vendor clients.
//!
//! - **Tokens**: [`ClientCredentials`] mints OAuth 2.0 client-credentials tokens (the Innovis JSON
//!   style with an `audience`, or the RFC 6749 form style with `client_secret_basic`) as a
//!   [`TokenSource`]; [`TokenCache`] reuses them until shortly before they expire, with one
//!   refresh in flight at a time.
//! - **Static credentials**: [`StaticToken`] (`Authorization: Token <t>`) and
//!   [`BasicCredentials`].
//! - **Callouts** (webhooks): [`CalloutAuth`] verifies a received request over its raw bytes with
//!   one of four schemes (Basic, header token, query token, HMAC-SHA1 `sha1=<hex>`), in constant
//!   time, and signs requests for tests and simulators.
//!
//! - **Configuration**: [`Env`] reads settings by name from the process environment (or an
//!   injected source) with errors that name the variable, never its value;
//!   [`CalloutAuth::from_env`] and the clients' `from_env` constructors read through it.
//!
//! Secrets are [`SecretString`]s end to end: no `Debug`, `Display` or error of this crate shows
//! one.
//!
//! ```
//! use common_auth::{CalloutAuth, SecretString, StaticToken};
//!
//! let token = StaticToken::new(SecretString::from("t0ken-0123456789"));
//! assert_eq!(token.authorization_header(), "Token t0ken-0123456789");
//!
//! let auth = CalloutAuth::header_token(
//!     http::HeaderName::from_static("x-callout-token"),
//!     SecretString::from("t0ken-0123456789"),
//! )?;
//! assert!(!format!("{auth:?}").contains("t0ken-0123456789"));
//! # Ok::<(), common_auth::CalloutConfigError>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

mod cache;
mod callout;
mod client_credentials;
mod env;
mod header;
mod jwt;
mod static_credentials;
mod token;

pub use secrecy::{ExposeSecret, SecretString};

pub use cache::TokenCache;
pub use callout::hmac::hmac_sha1_hex;
pub use callout::{
    CalloutAuth, CalloutAuthError, CalloutConfigError, HmacSha1Key, MIN_SECRET_LEN, SignedCallout,
};
pub use client_credentials::ClientCredentials;
pub use env::{Env, EnvError};
/// The boxed future a [`TokenSource`] returns (`futures_util`'s, re-exported so that an
/// implementation names it without a dependency of its own).
pub use futures_util::future::BoxFuture;
pub use static_credentials::{BasicCredentials, StaticToken};
pub use token::{AccessToken, TokenError, TokenSource};

/// The guide `docs/common-auth.md`, compiled as doc tests so that its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/common-auth.md")]
mod guide {}

/// The crate's README (what crates.io shows), compiled as doc tests so that its example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
