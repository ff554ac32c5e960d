//! credit-valuation-core's integration tests: every transport rule, proven once, over loopback.

mod support;

mod authorization;
#[cfg(feature = "postgres")]
mod database_roles;
#[cfg(feature = "postgres")]
mod database_tls;
mod download_policy;
mod limits;
mod redirects;
mod request_metrics;
mod retries;
mod wire;
