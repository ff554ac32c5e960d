//! The PostgreSQL plumbing the SDK's durable stores share.
//!
//! Vendor-neutral: a connection pool built from a URL ([`pool_from_url`]: TLS by `sslmode`, lock,
//! statement and pool-wait timeouts), a runner for embedded, versioned migrations that several
//! replicas may start at once ([`migrate`]), wake-ups by `LISTEN/NOTIFY` ([`Listener`],
//! [`Announcer`]), and validated SQL identifiers for configurable schema and table names
//! ([`Identifier`]). The stores themselves (the HouseCanary callout store, the Innovis inquiry
//! ledger) live in the vendor crates.
//!
//! ```no_run
//! use credit_valuation_postgres::{Identifier, Migration, migrate, pool_from_url};
//!
//! # async fn run() -> Result<(), credit_valuation_postgres::DatabaseError> {
//! let pool = pool_from_url("postgres://app@127.0.0.1:5432/app", 16)?;
//! let schema = Identifier::new("sdk")?;
//! const MIGRATIONS: &[Migration] = &[Migration {
//!     version: 1,
//!     name: "ledger",
//!     sql: "CREATE TABLE IF NOT EXISTS {schema}.ledger (id text PRIMARY KEY)",
//! }];
//! let mut client = pool.get().await?;
//! migrate(&mut client, &schema, "ledger", MIGRATIONS, &[]).await?;
//! # Ok(()) }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod identifier;
mod migrate;
mod notifications;
mod pool;
mod tls;

pub use error::DatabaseError;
pub use identifier::{Identifier, IdentifierError};
pub use migrate::{Migration, migrate};
pub use notifications::{Announcer, Listener};
pub use pool::{LOCK_TIMEOUT, POOL_WAIT_TIMEOUT, STATEMENT_TIMEOUT, pool_from_url};

/// The PostgreSQL client crates, re-exported so that the stores and their users name one version.
pub use deadpool_postgres;
pub use tokio_postgres;

/// The crate's README (what crates.io shows), compiled as doc tests so that its example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
