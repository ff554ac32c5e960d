//! The inquiry ledger: a durable record of every inquiry, written before it leaves and settled
//! after, and the guard that never lets a hard inquiry repeat by accident.
//!
//! Every CR, PREQUAL, PREAPP, PRECLOSE, ACCTRVW and SECONDUSE request is posted on a consumer's
//! credit file, and a reseller must be able to say, years later, who asked for each report and
//! why. [`crate::Client`] writes a [`LedgerEntry`] (trace number, product, House Number, `endUser`,
//! permissible purpose, time, SDK version, a keyed fingerprint per consumer) **before** the request
//! leaves and settles it afterwards as completed, not sent, or may have been sent. The ledger
//! never holds an SSN, a date of birth, a name, an address, a phone number, an e-mail address or
//! report data.
//!
//! Two stores: [`InMemoryLedger`] (the default, one process) and, with the `postgres` feature,
//! `PostgresLedger`, which several replicas share and which survives restarts.
//!
//! A public namespace of its own: these are the types of one concern (the record kept for
//! compliance), used by those who configure a shared store or export an audit, not by every call.
//!
//! ```no_run
//! use innovis_client::ledger::{InMemoryLedger, InquiryLedger};
//! # async fn run(client: innovis_client::Client) -> Result<(), innovis_client::Error> {
//! let entries = client
//!     .ledger()
//!     .entries(jiff::Timestamp::UNIX_EPOCH, jiff::Timestamp::now())
//!     .await?;
//! innovis_client::ledger::write_json_lines(&entries, std::io::stdout())?;
//! # Ok(()) }
//! ```

mod audit_export;
mod entry;
mod error;
mod fingerprint;
mod in_memory;
mod inquiry_ledger;
#[cfg(feature = "postgres")]
mod postgres;
pub(crate) mod recording;
mod repeat_rules;

pub use audit_export::{write_csv, write_json_lines};
pub use entry::{InquiryOutcome, LedgerEntry};
pub use error::{LedgerError, RefusalReason, RepeatRefusal};
pub use fingerprint::FingerprintKey;
/// What a ledger call returns: boxed, so a ledger can be shared as `Arc<dyn InquiryLedger>`.
pub use futures_util::future::BoxFuture;
pub use in_memory::InMemoryLedger;
pub use inquiry_ledger::InquiryLedger;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::{PostgresLedger, PostgresLedgerConfig};
pub use repeat_rules::{DEFAULT_REPEAT_WINDOW, RepeatRules};
