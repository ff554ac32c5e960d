//! The Innovis client's metrics, through the [`metrics`](https://docs.rs/metrics) facade (the
//! application installs the exporter). Besides the transport's (`credit_valuation_core::metrics`), it counts
//! inquiries by how they ended and the repeats the ledger refused. Labels are fixed words: never a
//! trace number, a consumer or a House Number.

use crate::ledger::{InquiryOutcome, RefusalReason};

/// Counter of inquiries by `outcome`: `completed`, `not_sent`, `may_have_been_sent` (recorded when
/// the ledger entry is settled), or `refused` (a repeat, never sent).
pub const INQUIRIES: &str = "innovis_inquiries_total";
/// Counter of inquiries the duplicate-inquiry guard refused, by `reason`: `trace_number_used`,
/// `repeat_within_window`, `unsettled`.
pub const REPEAT_REFUSALS: &str = "innovis_repeat_refusals_total";

pub(crate) fn settled(outcome: &InquiryOutcome) {
    // Literal labels make a static key: nothing is allocated for a count on every inquiry.
    match outcome {
        InquiryOutcome::Pending => metrics::counter!(INQUIRIES, "outcome" => "pending"),
        InquiryOutcome::Completed { .. } => metrics::counter!(INQUIRIES, "outcome" => "completed"),
        InquiryOutcome::NotSent { .. } => metrics::counter!(INQUIRIES, "outcome" => "not_sent"),
        InquiryOutcome::MayHaveBeenSent { .. } => {
            metrics::counter!(INQUIRIES, "outcome" => "may_have_been_sent")
        }
    }
    .increment(1);
}

pub(crate) fn refused(reason: RefusalReason) {
    let reason = match reason {
        RefusalReason::TraceNumberUsed => "trace_number_used",
        RefusalReason::RepeatWithinWindow(_) => "repeat_within_window",
        RefusalReason::Unsettled => "unsettled",
    };
    metrics::counter!(INQUIRIES, "outcome" => "refused").increment(1);
    metrics::counter!(REPEAT_REFUSALS, "reason" => reason).increment(1);
}
