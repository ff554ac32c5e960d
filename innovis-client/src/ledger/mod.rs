//! The inquiry ledger: a durable record of every inquiry, written before it leaves and settled
//! after, and the guard that never lets a hard inquiry repeat by accident.
//!
//! Every CR, PREQUAL, PREAPP, PRECLOSE, ACCTRVW and SECONDUSE request is posted on a consumer's
//! credit file, and a reseller must be able to say, years later, who asked for each report and
//! why. [`crate::Client`] writes a [`LedgerEntry`] (trace number, product, House Number, `endUser`,
//! permissible purpose, time, SDK version, a keyed consumer fingerprint) **before** the request
//! leaves and settles it afterwards as completed, not sent, or may have been sent. The ledger
//! never holds an SSN, a date of birth, a name, an address, a phone number, an e-mail address or
//! report data.
//!
//! Two stores: [`InMemoryLedger`] (the default, one process) and, with the `postgres` feature,
//! `PostgresLedger`, which several replicas share and which survives restarts.
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

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use jiff::Timestamp;

use crate::reference::ReportReference;

mod audit;
mod entry;
mod error;
mod fingerprint;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
pub(crate) mod recording;

pub use audit::{write_csv, write_json_lines};
pub use entry::{InquiryOutcome, LedgerEntry};
pub use error::{LedgerError, RefusalReason, RepeatRefusal};
pub use fingerprint::FingerprintKey;
pub use memory::InMemoryLedger;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresLedger, PostgresLedgerConfig};

/// What a ledger call returns: boxed, so a ledger can be shared as `Arc<dyn InquiryLedger>`.
pub type LedgerFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, LedgerError>> + Send + 'a>>;

/// The default window in which the same consumer, House Number, product and purpose is refused.
pub const DEFAULT_REPEAT_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// How [`InquiryLedger::begin`] decides whether an inquiry repeats an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepeatRules {
    /// An earlier completed inquiry for the same consumer, House Number, product and purpose
    /// within this window is a repeat.
    pub window: Duration,
    /// The caller explicitly allows a repeat within the window (never a reused trace number, nor
    /// a repeat while an earlier inquiry is unsettled).
    pub allow_repeat: bool,
}

/// A store of inquiry entries and report references.
///
/// `begin` must be atomic with its checks: two replicas beginning the same consumer's inquiry at
/// once must not both succeed.
pub trait InquiryLedger: Send + Sync + 'static {
    /// Writes `entry` (its outcome [`InquiryOutcome::Pending`]) unless it repeats an earlier one:
    /// - its trace number is already in the ledger (unless that entry was settled *not sent*);
    /// - the consumer's latest entry *may have been sent*, or an entry for the same consumer,
    ///   House Number, product and purpose is still pending: [`RefusalReason::Unsettled`];
    /// - an entry for the same consumer, House Number, product and purpose completed within
    ///   `rules.window`, unless `rules.allow_repeat`.
    ///
    /// Entries without a consumer fingerprint are checked by trace number only.
    fn begin<'a>(&'a self, entry: LedgerEntry, rules: RepeatRules) -> LedgerFuture<'a, ()>;

    /// Settles the unsettled entry `trace_number` with `outcome`, and keeps `references` for
    /// SECONDUSE. Fails with [`LedgerError::AlreadySettled`] for a settled entry.
    fn settle<'a>(
        &'a self,
        trace_number: &'a str,
        outcome: InquiryOutcome,
        references: Vec<ReportReference>,
    ) -> LedgerFuture<'a, ()>;

    /// The entry of `trace_number`.
    fn entry<'a>(&'a self, trace_number: &'a str) -> LedgerFuture<'a, Option<LedgerEntry>>;

    /// The stored reference of a report.
    fn reference<'a>(
        &'a self,
        report_reference_number: &'a str,
    ) -> LedgerFuture<'a, Option<ReportReference>>;

    /// Every entry requested in `[from, to)`, oldest first.
    fn entries<'a>(&'a self, from: Timestamp, to: Timestamp) -> LedgerFuture<'a, Vec<LedgerEntry>>;

    /// Deletes entries requested before `cutoff`, and references of reports pulled before it;
    /// returns how many entries went.
    fn purge_before<'a>(&'a self, cutoff: Timestamp) -> LedgerFuture<'a, u64>;
}

/// Whether `later` repeats `earlier` for the duplicate guard: same consumer, House Number, product
/// and purpose.
pub(crate) fn same_inquiry(earlier: &LedgerEntry, later: &LedgerEntry) -> bool {
    earlier.consumer_fingerprint.is_some()
        && earlier.consumer_fingerprint == later.consumer_fingerprint
        && earlier.customer_id == later.customer_id
        && earlier.end_user_code == later.end_user_code
        && earlier.product == later.product
        && earlier.permissible_purpose == later.permissible_purpose
}
