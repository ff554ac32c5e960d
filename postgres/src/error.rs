//! Why a database operation failed.

use crate::identifier::IdentifierError;

/// A database operation failed. Messages name the operation, never a password from the URL.
///
/// ```
/// use credit_valuation_postgres::{DatabaseError, Identifier};
/// let error: DatabaseError = Identifier::new("drop table").unwrap_err().into();
/// assert!(error.to_string().contains("identifier"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatabaseError {
    /// The connection URL could not be parsed (the URL itself is not repeated: it may hold a
    /// password).
    #[error("database URL is not a valid PostgreSQL connection string: {reason}")]
    InvalidUrl {
        /// What the parser reported.
        reason: String,
    },
    /// TLS to the database could not be set up: an unreadable `sslrootcert`, or no platform roots.
    #[error("database TLS cannot be set up: {reason}")]
    Tls {
        /// What went wrong (a file path at most, never the URL).
        reason: String,
    },
    /// A configured schema or table name is not a plain identifier.
    #[error(transparent)]
    Identifier(#[from] IdentifierError),
    /// No connection could be taken from the pool.
    #[error("no database connection available: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    /// The pool could not be built.
    #[error("database pool could not be built: {0}")]
    Build(#[from] deadpool_postgres::BuildError),
    /// A statement failed.
    #[error("database statement failed: {0}")]
    Statement(#[from] tokio_postgres::Error),
    /// A configured schema, table or index name cannot be used: a system schema, one name given
    /// twice, or a name another object already has.
    #[error("database name `{name}` in schema `{schema}` cannot be used: {reason}")]
    NameClash {
        /// The schema.
        schema: String,
        /// The name that clashes.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// The database holds migrations newer than this build knows: an older replica must not run
    /// against a newer schema.
    #[error(
        "database schema `{schema}` is at migration {found} of `{component}`, newer than the {known} this build knows"
    )]
    SchemaTooNew {
        /// The schema.
        schema: String,
        /// The component whose migrations these are.
        component: String,
        /// The highest version applied in the database.
        found: i32,
        /// The highest version this build embeds.
        known: i32,
    },
}
