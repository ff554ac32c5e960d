//! What counts as a repeated inquiry, for the duplicate-inquiry guard.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::entry::{InquiryOutcome, LedgerEntry};
use super::error::{RefusalReason, RepeatRefusal};

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

/// Whether `entry` may begin, given every earlier entry that holds its trace number or names one
/// of its consumers — each store fetches those under its lock and records the entry when this says
/// yes. A store may leave out, for a consumer, entries that are neither the consumer's latest, nor
/// unsettled, nor completed within the window: they decide nothing.
pub(crate) fn check(
    entry: &LedgerEntry,
    rules: RepeatRules,
    earlier: &[&LedgerEntry],
) -> Result<(), RepeatRefusal> {
    let refuse = |reason, earlier: &LedgerEntry, consumer| RepeatRefusal {
        reason,
        earlier_trace_number: earlier.trace_number.clone(),
        earlier_at: earlier.requested_at,
        consumer,
        applicant_id: None,
    };
    let (same_trace, others): (Vec<&LedgerEntry>, Vec<&LedgerEntry>) = earlier
        .iter()
        .copied()
        .partition(|earlier| earlier.trace_number == entry.trace_number);
    if let Some(used) = same_trace
        .iter()
        .find(|earlier| !matches!(earlier.outcome, InquiryOutcome::NotSent { .. }))
    {
        return Err(refuse(RefusalReason::TraceNumberUsed, used, None));
    }
    let window_start = entry
        .requested_at
        .checked_sub(SignedDuration::try_from(rules.window).unwrap_or(SignedDuration::MAX))
        .unwrap_or(Timestamp::MIN);
    // Each consumer on its own: a joint request posts an inquiry on every applicant's file.
    for (position, fingerprint) in entry.consumer_fingerprints.iter().enumerate() {
        let consumer = Some(position);
        let of_consumer: Vec<&LedgerEntry> = others
            .iter()
            .copied()
            .filter(|earlier| earlier.consumer_fingerprints.contains(fingerprint))
            .collect();
        if let Some(latest) = of_consumer
            .iter()
            .max_by_key(|earlier| earlier.requested_at)
        {
            if matches!(latest.outcome, InquiryOutcome::MayHaveBeenSent { .. }) {
                return Err(refuse(RefusalReason::Unsettled, latest, consumer));
            }
        }
        for earlier in of_consumer
            .iter()
            .filter(|earlier| same_terms(earlier, entry))
        {
            match &earlier.outcome {
                InquiryOutcome::Pending | InquiryOutcome::MayHaveBeenSent { .. } => {
                    return Err(refuse(RefusalReason::Unsettled, earlier, consumer));
                }
                InquiryOutcome::Completed { .. }
                    if !rules.allow_repeat && earlier.requested_at > window_start =>
                {
                    return Err(refuse(
                        RefusalReason::RepeatWithinWindow(rules.window),
                        earlier,
                        consumer,
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Whether `earlier` was for the same House Number, product and purpose as `later`: for a consumer
/// both name, `later` repeats it.
fn same_terms(earlier: &LedgerEntry, later: &LedgerEntry) -> bool {
    earlier.customer_id == later.customer_id
        && earlier.end_user_code == later.end_user_code
        && earlier.product == later.product
        && earlier.permissible_purpose == later.permissible_purpose
}
