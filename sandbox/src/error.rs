//! Why a sandbox could not start.

use std::net::SocketAddr;

/// Errors from starting a [`Sandbox`](crate::Sandbox).
///
/// ```
/// # async fn demo() {
/// let addr = "0.0.0.0:0".parse().unwrap();
/// let err = credit_valuation_sandbox::Sandbox::bind(addr, credit_valuation_sandbox::SandboxConfig::default()).await.err();
/// assert!(matches!(err, Some(credit_valuation_sandbox::SandboxError::NotLoopback { .. })));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The sandbox only listens on loopback: it accepts public test credentials.
    #[error(
        "refusing to listen on {addr}: the sandbox binds only to loopback addresses (127.0.0.1, ::1)"
    )]
    NotLoopback {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The listening socket could not be opened.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP client that delivers callouts could not be built.
    #[error("could not build the callout HTTP client: {message}")]
    CalloutClient {
        /// The reason.
        message: String,
    },
}
