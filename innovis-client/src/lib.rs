//! Typed async client for the Innovis Gateway.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
