//! The one transport both vendor clients send through.
//!
//! `client-core` knows nothing of Innovis or HouseCanary: it sends a described request
//! ([`Operation`]) through one pipeline — authorize, send with a per-attempt timeout, classify,
//! retry by policy and idempotency, read under a limit, decode with the JSON path — and every
//! error it returns says whether the request may have reached the vendor.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "postgres")]
pub mod database;
