//! What every example's `main` shares: its log set-up and how it reports the error it stopped on.

use std::error::Error;
use std::fmt;

/// Logs to standard error, filtered by `RUST_LOG` when it is set, else at `default` (the SDK logs
/// retries and refused redirects as warnings).
///
/// ```no_run
/// examples::init_logs("warn");
/// ```
pub fn init_logs(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// The error an example's `main` returns: any error converts into it (`?`), and the exit report
/// shows it with every cause, one per line.
///
/// ```no_run
/// fn main() -> Result<(), examples::Failure> {
///     std::fs::read("settings.toml")?;
///     Ok(())
/// }
/// ```
pub struct Failure(Box<dyn Error + Send + Sync>);

impl<E: Into<Box<dyn Error + Send + Sync>>> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure(error.into())
    }
}

/// What `main` prints after `Error: ` when it returns the failure.
impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        for cause in std::iter::successors(self.0.source(), |&cause| cause.source()) {
            write!(f, "\n  caused by: {cause}")?;
        }
        Ok(())
    }
}
