//! The store every inquiry is recorded in: the [`InquiryLedger`] trait the in-memory and PostgreSQL
//! ledgers implement.

use futures_util::future::BoxFuture;
use jiff::Timestamp;

use super::entry::{InquiryOutcome, LedgerEntry};
use super::error::LedgerError;
use super::repeat_rules::RepeatRules;
use crate::report_reference::ReportReference;

/// A store of inquiry entries and report references.
///
/// `begin` must be atomic with its checks: two replicas beginning inquiries for one consumer at
/// once (alone or in joint requests) must not both succeed.
pub trait InquiryLedger: Send + Sync + 'static {
    /// Writes `entry` (its outcome [`InquiryOutcome::Pending`]) unless it repeats an earlier one:
    /// - its trace number is already in the ledger (unless that entry was settled *not sent*);
    /// - for any one of its consumers: that consumer's latest entry *may have been sent*, or an
    ///   entry naming that consumer for the same House Number, product and purpose is still
    ///   pending: [`RefusalReason::Unsettled`](crate::ledger::RefusalReason::Unsettled);
    /// - an entry naming one of its consumers for the same House Number, product and purpose
    ///   completed within `rules.window`, unless `rules.allow_repeat`.
    ///
    /// Each consumer fingerprint is checked on its own (a joint request posts an inquiry on every
    /// applicant's file), and the refusal names the consumer
    /// ([`RepeatRefusal::consumer`](crate::ledger::RepeatRefusal::consumer)). Entries without a
    /// consumer fingerprint are checked by trace number only.
    fn begin<'a>(
        &'a self,
        entry: LedgerEntry,
        rules: RepeatRules,
    ) -> BoxFuture<'a, Result<(), LedgerError>>;

    /// Whether the ledger can take inquiries now, for a readiness probe: a PostgreSQL ledger takes
    /// a connection and runs a statement.
    fn health(&self) -> BoxFuture<'_, Result<(), LedgerError>>;

    /// Records `key_id` ([`FingerprintKey::id`](crate::ledger::FingerprintKey::id)) as this
    /// ledger's key when it has none, and refuses another ([`LedgerError::KeyMismatch`]): entries
    /// fingerprinted with one key are invisible to a client with another, so repeats would pass.
    /// The client calls it once, before its first inquiry.
    fn adopt_key<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<(), LedgerError>>;

    /// Settles the unsettled entry `trace_number` with `outcome`, and keeps `references` for
    /// SECONDUSE. Fails with [`LedgerError::AlreadySettled`] for a settled entry.
    fn settle<'a>(
        &'a self,
        trace_number: &'a str,
        outcome: InquiryOutcome,
        references: Vec<ReportReference>,
    ) -> BoxFuture<'a, Result<(), LedgerError>>;

    /// The entry of `trace_number`.
    fn entry<'a>(
        &'a self,
        trace_number: &'a str,
    ) -> BoxFuture<'a, Result<Option<LedgerEntry>, LedgerError>>;

    /// The stored reference of a report.
    fn reference<'a>(
        &'a self,
        report_reference_number: &'a str,
    ) -> BoxFuture<'a, Result<Option<ReportReference>, LedgerError>>;

    /// Every entry requested in `[from, to)`, oldest first.
    fn entries<'a>(
        &'a self,
        from: Timestamp,
        to: Timestamp,
    ) -> BoxFuture<'a, Result<Vec<LedgerEntry>, LedgerError>>;

    /// Deletes entries requested before `cutoff`, and references of reports pulled before it;
    /// returns how many entries went.
    fn purge_before<'a>(&'a self, cutoff: Timestamp) -> BoxFuture<'a, Result<u64, LedgerError>>;
}
