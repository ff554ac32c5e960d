//! A connection pool from a PostgreSQL URL: TLS by `sslmode`, and timeouts so that nothing waits forever.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};

use crate::error::DatabaseError;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::tls::{connector, take_tls_settings};

/// How long a statement of the SDK's stores may wait for a lock (another replica's, or another
/// session's) before it fails, so that one stuck row or consumer cannot hold a caller past its deadline.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(5);
/// How long any statement of a pooled connection may run.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a caller waits for a free connection, and for a new one to be opened.
pub const POOL_WAIT_TIMEOUT: Duration = Duration::from_secs(5);

/// A pool of at most `max_size` connections to the database at `url`
/// (`postgres://user:password@host:port/database?options`, or a key=value connection string).
///
/// Connections are opened lazily, on first use.
///
/// **TLS** follows libpq's `sslmode`: `disable`; `prefer` (the default: TLS when the server offers it,
/// certificate not checked); `require` (TLS or nothing; the certificate is checked against
/// `sslrootcert` when one is given, otherwise not); `verify-ca` (the certificate chains to
/// `sslrootcert`, or to the platform's roots when none is given); `verify-full` (as `verify-ca`, and it
/// names the host). Managed databases (RDS, Cloud SQL, Azure) take `sslmode=verify-full` with their CA
/// bundle as `sslrootcert`.
///
/// **Timeouts**: every connection runs with `lock_timeout` [`LOCK_TIMEOUT`] and `statement_timeout`
/// [`STATEMENT_TIMEOUT`] (an `options=-c …` in the URL overrides them), and taking a connection from
/// the pool, or opening one, gives up after [`POOL_WAIT_TIMEOUT`]. [`migrate`](crate::migrate) lifts
/// the two statement limits for its own transaction.
///
/// # Errors
/// [`DatabaseError::InvalidUrl`] when `url` cannot be parsed (the URL is not repeated in the error:
/// it may carry a password); [`DatabaseError::Tls`] when `sslrootcert` cannot be read or the
/// platform's roots cannot be loaded; [`DatabaseError::Build`] when the pool cannot be built.
///
/// ```
/// use credit_valuation_postgres::pool_from_url;
/// let pool = pool_from_url("postgres://app@db.internal:5432/app?sslmode=verify-full", 8)?;
/// assert_eq!(pool.status().max_size, 8);
/// assert!(pool_from_url("postgres://app@db.internal/app?sslmode=sometimes", 8).is_err());
/// # Ok::<(), credit_valuation_postgres::DatabaseError>(())
/// ```
pub fn pool_from_url(url: &str, max_size: usize) -> Result<Pool, DatabaseError> {
    let (config, tls) = connection_config(url)?;
    let manager = Manager::from_config(
        config,
        tls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Ok(Pool::builder(manager)
        .max_size(max_size.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(POOL_WAIT_TIMEOUT))
        .create_timeout(Some(POOL_WAIT_TIMEOUT))
        .build()?)
}

/// The connection settings and TLS connector for `url`, with the SDK's timeouts: what
/// [`pool_from_url`] pools, and what a [`Listener`](crate::Listener) connects with.
pub(crate) fn connection_config(
    url: &str,
) -> Result<(tokio_postgres::Config, MakeRustlsConnect), DatabaseError> {
    let (rest, tls) = take_tls_settings(url)?;
    let mut config: tokio_postgres::Config =
        rest.parse()
            .map_err(|error: tokio_postgres::Error| DatabaseError::InvalidUrl {
                reason: error.to_string(),
            })?;
    config.ssl_mode(tls.mode.negotiation());
    // Ours first, so that the user's own `-c` settings, later in the string, win.
    let limits = format!(
        "-c lock_timeout={}ms -c statement_timeout={}ms",
        LOCK_TIMEOUT.as_millis(),
        STATEMENT_TIMEOUT.as_millis()
    );
    let options = match config.get_options() {
        Some(own) => format!("{limits} {own}"),
        None => limits,
    };
    config.options(&options);
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(POOL_WAIT_TIMEOUT);
    }
    Ok((config, connector(&tls)?))
}
