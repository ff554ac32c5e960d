//! credit-valuation-core's integration tests: every transport rule, proven once, over loopback.

mod support;

mod authorization;
mod download_policy;
mod limits;
mod redirects;
mod request_metrics;
mod retries;
mod wire;
