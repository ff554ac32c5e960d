//! Typed async client for the HouseCanary Order Manager **Partner API**.
//!
//! An integration partner creates `valueReport` orders on behalf of client accounts, follows order and
//! item statuses, receives signed callouts, and downloads export archives whose file names follow the
//! vendor's documented scheme.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod callouts;
pub mod export_files;
pub mod status;
