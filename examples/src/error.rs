//! Why the examples could not tell where to send their requests: a variable, the embedded sandbox,
//! or a client that cannot be built from the settings. Never shows a value: it may be a secret.

/// What stops an example before its first request. Each variant names what was being set up.
///
/// ```
/// let err = examples::Error::from(innovis_client::EnvError::Missing { var: "INNOVIS_CLIENT_SECRET".into() });
/// assert_eq!(err.to_string(), "environment variable INNOVIS_CLIENT_SECRET is not set");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The embedded sandbox could not start.
    #[error("could not start the embedded sandbox")]
    Sandbox(#[from] credit_valuation_sandbox::SandboxError),
    /// An environment variable is missing or unusable (its value is never shown: it may be a secret).
    #[error(transparent)]
    Env(#[from] innovis_client::EnvError),
    /// The Innovis settings make no client, or the sandbox's test consumer is refused.
    #[error("Innovis: the settings make no client")]
    Innovis(#[from] innovis_client::Error),
    /// The HouseCanary settings make no client.
    #[error("HouseCanary: the settings make no client")]
    HouseCanary(#[from] housecanary_partner::Error),
}
