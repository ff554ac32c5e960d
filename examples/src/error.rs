//! The one error type of the example flows: which step failed and why, never a secret or PII.

use std::path::PathBuf;

/// Everything that can stop an example. Each variant says what was being done.
///
/// ```
/// let err = examples::Error::Env { var: "INNOVIS_CLIENT_SECRET", problem: "is not set".into() };
/// assert_eq!(err.to_string(), "environment variable INNOVIS_CLIENT_SECRET is not set");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An environment variable is missing or unusable (its value is never shown: it may be a secret).
    #[error("environment variable {var} {problem}")]
    Env {
        /// The variable's name.
        var: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A command-line argument is unusable.
    #[error("argument {argument}: {problem}")]
    Argument {
        /// The argument as given, or its name.
        argument: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The embedded sandbox could not start.
    #[error("could not start the embedded sandbox: {0}")]
    Sandbox(#[from] sandbox::SandboxError),
    /// An Innovis call or request failed.
    #[error("Innovis: {0}")]
    Innovis(#[from] innovis_client::Error),
    /// A HouseCanary call or request failed.
    #[error("HouseCanary: {0}")]
    HouseCanary(#[from] housecanary_partner::Error),
    /// A downloaded export archive could not be read.
    #[error("export archive: {0}")]
    Archive(#[from] housecanary_partner::export_files::ArchiveError),
    /// A file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("writing", "reading", ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The callout receiver could not listen.
    #[error("callout receiver could not listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A CSV file could not be read at all (bad rows are reported, not errors).
    #[error("CSV {}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A stored report reference could not be written or read back.
    #[error("stored report reference {}: {message}", path.display())]
    StoredReference {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The vendor answered, but not with what the flow needs to go on.
    #[error("{step}: {problem}")]
    Unexpected {
        /// The step.
        step: &'static str,
        /// What was missing or wrong.
        problem: String,
    },
    /// Waiting for order items to finish ran past its deadline.
    #[error(
        "order {order_id}: {finished} of {total} items finished before the {deadline_secs} s deadline"
    )]
    Deadline {
        /// The order.
        order_id: String,
        /// Items in a final status.
        finished: usize,
        /// Items in the order.
        total: usize,
        /// The deadline, in seconds.
        deadline_secs: u64,
    },
}
