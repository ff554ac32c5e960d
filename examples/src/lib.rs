//! Reusable pieces of the example programs in `examples/examples/`, kept here so they are tested.
//!
//! - [`settings`] and [`Targets`]: the embedded sandbox by default, the vendors' UAT/demo when the
//!   documented environment variables are set.
//! - [`credit`]: a credit report through a House Number, storing the reference, SECONDUSE.
//! - [`CalloutTracker`], [`RunningReceiver`], [`StatusWatch`]: receiving signed callouts (or polling)
//!   and waiting until every order item finished.
//! - [`orders`], [`export`]: placing orders, exporting and downloading them, mapping archive entries
//!   to items.
//! - [`bulk`]: reading a CSV of addresses with line-numbered errors, batching, the bulk flow.
//! - [`quickstart`]: the whole journey.
//! - [`work_dir`]: temporary directories, removed after success unless `EXAMPLES_KEEP_FILES` is set.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod bulk;
pub mod credit;
mod error;
mod exit;
pub mod export;
#[cfg(doctest)]
mod guides;
mod logging;
pub mod orders;
mod output;
pub mod quickstart;
mod receiver;
pub mod receiver_args;
pub mod settings;
mod status_watch;
mod targets;
mod tracker;
pub mod work_dir;

pub use error::Error;
pub use exit::ExitError;
pub use logging::init_logging;
pub use output::Output;
pub use receiver::RunningReceiver;
pub use status_watch::StatusWatch;
pub use targets::Targets;
pub use tracker::{CalloutTracker, ItemState};
