//! Credentials and their lifecycles, shared by the vendor clients.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
