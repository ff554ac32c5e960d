//! Why the ledger refused or failed.

use std::time::Duration;

use jiff::Timestamp;

/// Why an inquiry was refused as a repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalReason {
    /// The trace number is already in the ledger.
    TraceNumberUsed,
    /// The same consumer, House Number, product and purpose completed within the window.
    RepeatWithinWindow(Duration),
    /// An earlier inquiry for the consumer may have been posted (or is still pending): settle it
    /// first with `Client::confirm_sent` or `Client::confirm_not_sent`.
    Unsettled,
}

/// An inquiry refused because it repeats an earlier one, naming it and the consumer it would pull
/// again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "inquiry refused: {}{} (earlier customerTraceNumber {earlier_trace_number}, requested at {earlier_at})",
    match reason {
        RefusalReason::TraceNumberUsed => "its trace number is already in the ledger".to_owned(),
        RefusalReason::RepeatWithinWindow(window) => format!(
            "it repeats an inquiry for the same consumer, House Number, product and purpose within {}s; \
             allow the repeat explicitly if it is intended", window.as_secs()),
        RefusalReason::Unsettled => "an earlier inquiry for this consumer may have been posted and is not \
             settled; confirm it sent or not sent first".to_owned(),
    },
    match (applicant_id, consumer) {
        (Some(applicant), _) => format!(" [consumer: applicantId {applicant}]"),
        (None, Some(position)) => format!(" [consumer: the entry's consumer #{}]", position + 1),
        (None, None) => String::new(),
    }
)]
pub struct RepeatRefusal {
    /// Why.
    pub reason: RefusalReason,
    /// The earlier inquiry's trace number.
    pub earlier_trace_number: String,
    /// When the earlier inquiry was requested.
    pub earlier_at: Timestamp,
    /// Which consumer would be pulled again: its position in the refused entry's
    /// [`consumer_fingerprints`](crate::ledger::LedgerEntry::consumer_fingerprints). `None` for a
    /// reused trace number.
    pub consumer: Option<usize>,
    /// The `applicantId` (`1A` … `9A`) that consumer had in the refused request, set by the
    /// client (a ledger knows fingerprints only).
    pub applicant_id: Option<&'static str>,
}

/// A ledger operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The inquiry repeats an earlier one.
    #[error(transparent)]
    Refused(#[from] RepeatRefusal),
    /// No entry has this trace number.
    #[error("the ledger has no entry with customerTraceNumber {0}")]
    UnknownTraceNumber(String),
    /// The entry is already settled.
    #[error("the ledger entry {trace_number} is already settled ({state})")]
    AlreadySettled {
        /// The entry.
        trace_number: String,
        /// Its state.
        state: &'static str,
    },
    /// The database failed.
    #[cfg(feature = "postgres")]
    #[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
    #[error("inquiry ledger database: {0}")]
    Database(#[from] credit_valuation_postgres::DatabaseError),
    /// The ledger records inquiries fingerprinted with another key than this client's: its
    /// duplicate-inquiry guard could not recognise a consumer. Give every replica the same key.
    #[error(
        "the inquiry ledger's fingerprint key is {recorded}, this client's is {offered}: give every \
         client of one ledger the same FingerprintKey, or repeats go unnoticed"
    )]
    KeyMismatch {
        /// The id the ledger recorded.
        recorded: String,
        /// The id of the client's key.
        offered: String,
    },
    /// The ledger did not record the inquiry within the client's overall deadline
    /// ([`RetryPolicy::overall_deadline`](crate::RetryPolicy::overall_deadline)): the inquiry was
    /// not sent. An entry the ledger wrote after all is settled as not sent in the background.
    #[error("the inquiry ledger did not answer within the overall deadline of {0:?}; not sent")]
    DeadlineExceeded(Duration),
    /// A stored row could not be read back (a value this version cannot parse).
    #[error("inquiry ledger holds an unreadable row: {0}")]
    Corrupt(String),
}
