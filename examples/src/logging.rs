//! Log output of the example programs: warnings by default, more with `RUST_LOG`.

/// Sends `tracing` output to stderr, filtered by `RUST_LOG` (default `warn`). Calling it twice is
/// harmless.
///
/// ```
/// examples::init_logging();
/// examples::init_logging();
/// ```
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
