//! common-auth's integration tests, in one test binary: token sources and the cache against mock
//! token endpoints, callout authentication, and redaction of every secret.

mod support;

mod cache;
mod callout;
mod callout_proptest;
mod client_credentials;
mod from_env;
mod hmac_rfc2202;
mod redaction;
