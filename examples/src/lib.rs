//! Where the example programs in `examples/examples/` send their requests: the embedded sandbox by
//! default, the vendors' UAT/demo environments when the documented environment variables are set.
//!
//! This is all the library holds: [`settings`] reads the variables (never printing a value) and
//! [`Targets`] starts the sandbox for whichever vendor has none, with a ready client for each. The
//! SDK calls themselves are in the example files, on the page.
//!
//! ```no_run
//! # async fn run() -> Result<(), examples::Error> {
//! let targets = examples::Targets::from_env().await?;
//! println!("{}", targets.describe());
//! let innovis = targets.innovis.client()?;
//! let housecanary = targets.housecanary.client()?;
//! # let _ = (innovis, housecanary);
//! targets.shutdown().await;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod error;
pub mod settings;
mod targets;

pub use error::Error;
pub use targets::Targets;

/// The guides whose code this package owns or runs, compiled as doc tests so that it stays true.
#[cfg(doctest)]
mod guides {
    /// `docs/getting-started.md`.
    #[doc = include_str!("../../docs/getting-started.md")]
    pub struct GettingStartedGuide;

    /// `docs/errors-and-retries.md`.
    #[doc = include_str!("../../docs/errors-and-retries.md")]
    pub struct ErrorsAndRetriesGuide;

    /// `docs/security.md`.
    #[doc = include_str!("../../docs/security.md")]
    pub struct SecurityGuide;
}
