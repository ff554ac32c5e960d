//! A connection pool from a PostgreSQL URL.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use super::error::DatabaseError;

/// A pool of at most `max_size` connections to the database at `url`
/// (`postgres://user:password@host:port/database?options`, or a key=value connection string).
///
/// Connections are opened lazily, on first use. Connections use no TLS: run the database on the
/// same host or a private network, or put a TLS-terminating proxy in between.
///
/// # Errors
/// [`DatabaseError::InvalidUrl`] when `url` cannot be parsed (the URL is not repeated in the error:
/// it may carry a password); [`DatabaseError::Build`] when the pool cannot be built.
///
/// ```
/// use client_core::database::pool_from_url;
/// let pool = pool_from_url("postgres://app@127.0.0.1:5432/app", 8)?;
/// assert_eq!(pool.status().max_size, 8);
/// assert!(pool_from_url("postgres://[bad", 8).is_err());
/// # Ok::<(), client_core::database::DatabaseError>(())
/// ```
pub fn pool_from_url(url: &str, max_size: usize) -> Result<Pool, DatabaseError> {
    let config: tokio_postgres::Config =
        url.parse()
            .map_err(|error: tokio_postgres::Error| DatabaseError::InvalidUrl {
                reason: error.to_string(),
            })?;
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Ok(Pool::builder(manager)
        .max_size(max_size.max(1))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()?)
}
