//! What the ledger records of one inquiry: who asked, for which House Number, product and
//! purpose, when, and how it ended. Never an SSN, a date of birth, a name, an address, a phone
//! number, an e-mail address or report data.

use jiff::Timestamp;
use serde::Serialize;

/// One inquiry as the ledger records it, written before the request leaves and settled after.
///
/// `Serialize` gives the audit export's shape (see [`crate::ledger::write_json_lines`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LedgerEntry {
    /// The request's `customerTraceNumber` (unique in the ledger).
    pub trace_number: String,
    /// The product (`CR`, `PREQUAL`, …, `SECONDUSE`).
    pub product: String,
    /// The House Number's `customerId`.
    pub customer_id: String,
    /// The House Number's `endUserCode`.
    pub end_user_code: String,
    /// The `endUser` sent, when one was.
    pub end_user: Option<String>,
    /// The permissible purpose code.
    pub permissible_purpose: String,
    /// A keyed fingerprint of each consumer the inquiry is posted on (HMAC-SHA-256 of the
    /// normalised SSN, or of the vendor's `consumerId` for SECONDUSE), hex, in the request's
    /// applicant order; empty when the request identifies no consumer that way. A joint request
    /// has one per applicant, and each is guarded on its own. Never an SSN itself.
    pub consumer_fingerprints: Vec<String>,
    /// For SECONDUSE: the `reportReferenceNumber` of the report shared.
    pub original_report_reference: Option<String>,
    /// When the entry was written, just before the request left.
    #[serde(with = "timestamp_text")]
    pub requested_at: Timestamp,
    /// The version of this crate that sent it.
    pub sdk_version: String,
    /// How it ended, so far.
    pub outcome: InquiryOutcome,
    /// When it was settled.
    #[serde(with = "optional_timestamp_text")]
    pub settled_at: Option<Timestamp>,
}

/// How an inquiry ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
#[non_exhaustive]
pub enum InquiryOutcome {
    /// Written, not settled yet: the request is in flight, or the process died while it was.
    Pending,
    /// The vendor answered. The first consumer's return code and reference, when given.
    #[serde(rename_all = "camelCase")]
    Completed {
        /// The first consumer's `returnCode` as sent (`Record`, `No Record`, …).
        return_code: Option<String>,
        /// The first consumer's `reportReferenceNumber`.
        report_reference_number: Option<String>,
        /// The first consumer's `consumerId`.
        consumer_id: Option<String>,
        /// Who settled it when not the client itself (e.g. "confirmed sent by the caller").
        note: Option<String>,
    },
    /// The request certainly did not post an inquiry.
    NotSent {
        /// Why it is known not to have been sent (or that it was refused).
        reason: String,
    },
    /// The request may have reached the vendor and been posted; nobody knows yet.
    MayHaveBeenSent {
        /// What happened (a timeout, a dropped connection, a 5xx, a cancelled call).
        reason: String,
    },
}

impl InquiryOutcome {
    /// Whether nobody knows yet if the inquiry was posted ([`InquiryOutcome::Pending`] or
    /// [`InquiryOutcome::MayHaveBeenSent`]): a repeat for the consumer is refused until it is
    /// settled.
    ///
    /// ```
    /// assert!(innovis_client::ledger::InquiryOutcome::Pending.is_unsettled());
    /// ```
    pub fn is_unsettled(&self) -> bool {
        matches!(
            self,
            InquiryOutcome::Pending | InquiryOutcome::MayHaveBeenSent { .. }
        )
    }

    /// The outcome as flat columns: return code, report reference number, consumer id, and the
    /// detail (a note or a reason), for the stores and the CSV export.
    pub(crate) fn columns(&self) -> [Option<&str>; 4] {
        match self {
            InquiryOutcome::Completed {
                return_code,
                report_reference_number,
                consumer_id,
                note,
            } => [
                return_code.as_deref(),
                report_reference_number.as_deref(),
                consumer_id.as_deref(),
                note.as_deref(),
            ],
            InquiryOutcome::NotSent { reason } | InquiryOutcome::MayHaveBeenSent { reason } => {
                [None, None, None, Some(reason)]
            }
            InquiryOutcome::Pending => [None; 4],
        }
    }

    /// The name stored for the state.
    pub(crate) fn state(&self) -> &'static str {
        match self {
            InquiryOutcome::Pending => "pending",
            InquiryOutcome::Completed { .. } => "completed",
            InquiryOutcome::NotSent { .. } => "not_sent",
            InquiryOutcome::MayHaveBeenSent { .. } => "may_have_been_sent",
        }
    }
}

mod timestamp_text {
    use jiff::Timestamp;
    use serde::Serializer;

    pub(super) fn serialize<S: Serializer>(at: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(at)
    }
}

mod optional_timestamp_text {
    use jiff::Timestamp;
    use serde::Serializer;

    pub(super) fn serialize<S: Serializer>(
        at: &Option<Timestamp>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.collect_str(at),
            None => s.serialize_none(),
        }
    }
}
