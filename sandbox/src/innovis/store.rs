//! What the Innovis simulator remembers: issued tokens, issued reports and every inquiry.

use std::collections::HashMap;
use std::time::Instant;

/// An access token the sandbox issued.
pub(crate) struct IssuedToken {
    pub(crate) client_id: String,
    pub(crate) expires_at: Instant,
}

/// A report the sandbox issued, which a SECONDUSE may refer to.
pub(crate) struct IssuedReport {
    pub(crate) consumer_id: String,
}

#[derive(Default)]
pub(crate) struct InnovisStore {
    pub(crate) tokens: HashMap<String, IssuedToken>,
    pub(crate) reports: HashMap<String, IssuedReport>,
    /// Every inquiry the gateway processed, oldest first.
    pub(crate) inquiries: Vec<RecordedInquiry>,
    pub(crate) next_sequence: u64,
}

impl InnovisStore {
    /// A fresh number for unique identifiers.
    pub(crate) fn sequence(&mut self) -> u64 {
        self.next_sequence += 1;
        self.next_sequence
    }
}

/// An inquiry the sandbox's Innovis gateway processed (and so posted on the consumer's file), from
/// [`Sandbox::innovis_inquiries`](crate::Sandbox::innovis_inquiries) and
/// [`Sandbox::innovis_inquiries_for_trace`](crate::Sandbox::innovis_inquiries_for_trace).
///
/// Requests the gateway rejected (`400`, `401`) or that a fault stopped before processing (`503`,
/// `429`) are not inquiries and are not recorded. Holds no SSN, date of birth, name or address.
///
/// ```no_run
/// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
/// for inquiry in sandbox.innovis_inquiries_for_trace("TRACE-0001") {
///     println!("{} {} {:?}", inquiry.product_code, inquiry.report_reference_number, inquiry.answer);
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedInquiry {
    /// The request's `customerTraceNumber`, when it had one.
    pub customer_trace_number: Option<String>,
    /// `productCode`: `CR`, `SECONDUSE`, ...
    pub product_code: String,
    /// The House Number's `customerId`.
    pub customer_id: String,
    /// The House Number's `endUserCode`.
    pub end_user_code: String,
    /// `permissiblePurposeCode`.
    pub permissible_purpose_code: String,
    /// The `reportReferenceNumber` the sandbox issued for this inquiry (the one its answer carries
    /// or would have carried).
    pub report_reference_number: String,
    /// The consumer's `consumerId`, when the consumer is on file; with
    /// `report_reference_number` and `inquiry_date` it is what a SECONDUSE of this report needs.
    pub consumer_id: Option<String>,
    /// The answer's `returnCode` (`Record`, `No Record`, ...).
    pub return_code: String,
    /// The answer's `inquiryDate`, `YYYY-MM-DD HH:MM:SS` in UTC.
    pub inquiry_date: String,
    /// What the client was given for it.
    pub answer: InquiryAnswer,
}

/// What the client was given for a [`RecordedInquiry`]: the answer, or the fault that replaced it
/// (see [`Faults`](crate::Faults)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InquiryAnswer {
    /// The report (HTTP 200), as without faults.
    Answered,
    /// The connection was closed without an answer (`gateway_drop_after_recording_rate`).
    ConnectionDropped,
    /// `504 Gateway Timeout` (`gateway_504_after_recording_rate`).
    GatewayTimeout,
    /// No answer for `gateway_stall_duration`, then the connection was closed
    /// (`gateway_stall_after_recording_rate`).
    Stalled,
}
