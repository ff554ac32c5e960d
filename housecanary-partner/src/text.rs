//! Quoting untrusted text in errors and logs: bounded, and cut on a character boundary (the one
//! implementation lives in `client-core`).

pub(crate) use client_core::{excerpt, excerpt_bytes};
