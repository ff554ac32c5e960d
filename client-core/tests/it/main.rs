//! client-core's integration tests: every transport rule, proven once, over loopback.

mod support;

mod authorization;
mod download_policy;
mod limits;
mod redirects;
mod retries;
mod wire;
