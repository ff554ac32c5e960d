//! What `main` returns: an error that prints as a clear message (with its causes) on exit.

use std::fmt;

use crate::error::Error;

/// The error type of the example programs' `main`. Rust prints a returned error with `Debug`; this
/// one's `Debug` is the message and its chain of causes, not a struct dump.
///
/// ```
/// let exit = examples::ExitError::from(examples::Error::Unexpected {
///     step: "export",
///     problem: "no entries".into(),
/// });
/// assert_eq!(format!("{exit:?}"), "export: no entries");
/// ```
pub struct ExitError(Box<dyn std::error::Error + Send + Sync>);

impl fmt::Debug for ExitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, "\n  caused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl fmt::Display for ExitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<Error> for ExitError {
    fn from(error: Error) -> Self {
        Self(Box::new(error))
    }
}

impl From<housecanary_partner::Error> for ExitError {
    fn from(error: housecanary_partner::Error) -> Self {
        Self(Box::new(Error::from(error)))
    }
}

impl From<innovis_client::Error> for ExitError {
    fn from(error: innovis_client::Error) -> Self {
        Self(Box::new(Error::from(error)))
    }
}
