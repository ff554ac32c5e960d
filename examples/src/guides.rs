//! The guides this package owns, compiled as doc tests so that their code stays true.

/// `docs/getting-started.md`.
#[doc = include_str!("../../docs/getting-started.md")]
pub struct GettingStartedGuide;

/// `docs/errors-and-retries.md`.
#[doc = include_str!("../../docs/errors-and-retries.md")]
pub struct ErrorsAndRetriesGuide;

/// `docs/security.md`.
#[doc = include_str!("../../docs/security.md")]
pub struct SecurityGuide;
