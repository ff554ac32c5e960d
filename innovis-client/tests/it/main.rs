//! innovis-client's integration tests, in one binary: the wire format pinned byte by byte against
//! a mock server, the client against the offline sandbox, the inquiry ledger on both stores, what
//! never shows personal data, and the request rules the compiler enforces.

mod support;

mod against_sandbox;
mod compile_fail;
mod config_from_env;
mod ledger;
mod ledger_production;
mod logging;
mod pii;
mod requests;
mod transport;
mod validation;
mod vendor_echoes;
