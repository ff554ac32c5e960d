//! Where the example programs in `examples/examples/` send their requests: the embedded sandbox by
//! default, the vendors' UAT/demo environments when the documented environment variables are set.
//!
//! This is all the library holds: [`settings`] reads the variables (never printing a value),
//! [`Targets`] starts the sandbox for whichever vendor has none, with a ready client for each, and
//! [`init_logs`] and [`Failure`] are what every example's `main` shares. The SDK calls themselves
//! are in the example files, on the page.
//!
//! ```no_run
//! # async fn run() -> Result<(), examples::Error> {
//! let targets = examples::Targets::from_env().await?;
//! println!("{}", targets.describe());
//! let innovis = targets.innovis.client()?;
//! let housecanary = targets.housecanary.client()?;
//! targets.shutdown().await;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod error;
mod program;
pub mod settings;
mod targets;

pub use error::Error;
pub use program::{Failure, init_logs};
pub use targets::Targets;

/// The guide `docs/getting-started.md`, compiled as doc tests so that its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/getting-started.md")]
mod getting_started_guide {}

/// The guide `docs/errors-and-retries.md`, compiled as doc tests so that its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/errors-and-retries.md")]
mod errors_and_retries_guide {}

/// The guide `docs/security.md`, compiled as doc tests so that its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/security.md")]
mod security_guide {}
