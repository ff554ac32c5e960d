//! What counts as a repeated inquiry, for the duplicate-inquiry guard.

use std::time::Duration;

use super::entry::LedgerEntry;

/// The default window in which the same consumer, House Number, product and purpose is refused
/// (each consumer of a joint request on its own).
pub const DEFAULT_REPEAT_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// How [`InquiryLedger::begin`](crate::ledger::InquiryLedger::begin) decides whether an inquiry repeats an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepeatRules {
    /// An earlier completed inquiry for the same consumer, House Number, product and purpose
    /// within this window is a repeat.
    pub window: Duration,
    /// The caller explicitly allows a repeat within the window (never a reused trace number, nor
    /// a repeat while an earlier inquiry is unsettled).
    pub allow_repeat: bool,
}

/// Whether `earlier` was for the same House Number, product and purpose as `later`: for a consumer
/// both name, `later` repeats it.
pub(crate) fn same_terms(earlier: &LedgerEntry, later: &LedgerEntry) -> bool {
    earlier.customer_id == later.customer_id
        && earlier.end_user_code == later.end_user_code
        && earlier.product == later.product
        && earlier.permissible_purpose == later.permissible_purpose
}
