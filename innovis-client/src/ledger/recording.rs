//! How the client records an inquiry: the entry written before it leaves, the outcome it is
//! settled with, and the guard that settles a cancelled call.

use std::sync::Arc;

use jiff::Timestamp;

use super::entry::{InquiryOutcome, LedgerEntry};
use super::error::LedgerError;
use super::fingerprint::FingerprintKey;
use super::inquiry_ledger::InquiryLedger;
use crate::error::Error;
use crate::house_number::HouseNumber;
use crate::permissible_purpose::PermissiblePurpose;
use crate::product_code::ProductCode;
use crate::report_reference::ReportReference;
use crate::request::report_request::ReportRequest;
use crate::request::second_use::SecondUseRequest;
use crate::response::report_response::ReportResponse;

/// The SDK version recorded with every entry.
const SDK_VERSION: &str = concat!("innovis-client/", env!("CARGO_PKG_VERSION"));

/// The longest reason kept with an entry (errors are PII-free already; this keeps rows small).
const MAX_REASON_CHARS: usize = 500;

/// What every inquiry's entry is made of; the rest is the same for all: pending, this SDK.
struct Inquiry<'a> {
    trace_number: &'a str,
    product: &'a str,
    house_number: &'a HouseNumber,
    end_user: Option<&'a str>,
    purpose: &'a PermissiblePurpose,
    consumer_fingerprints: Vec<String>,
    original_report_reference: Option<&'a str>,
}

impl Inquiry<'_> {
    fn pending_at(self, at: Timestamp) -> LedgerEntry {
        LedgerEntry {
            trace_number: self.trace_number.to_owned(),
            product: self.product.to_owned(),
            customer_id: self.house_number.customer_id().to_owned(),
            end_user_code: self.house_number.end_user_code().to_owned(),
            end_user: self.end_user.map(str::to_owned),
            permissible_purpose: self.purpose.as_str().to_owned(),
            consumer_fingerprints: self.consumer_fingerprints,
            original_report_reference: self.original_report_reference.map(str::to_owned),
            requested_at: at,
            sdk_version: SDK_VERSION.to_owned(),
            outcome: InquiryOutcome::Pending,
            settled_at: None,
        }
    }
}

/// The entry of a report request, requested `at`, and the `applicantId` of each of its consumer
/// fingerprints (to name the consumer of a refused repeat).
pub(crate) fn report_entry(
    request: &ReportRequest,
    key: &FingerprintKey,
    at: Timestamp,
) -> (LedgerEntry, Vec<&'static str>) {
    let (applicant_ids, consumer_fingerprints) = key.of_request(request).into_iter().unzip();
    let entry = Inquiry {
        trace_number: request.customer_trace_number(),
        product: request.product().as_str(),
        house_number: request.house_number(),
        end_user: request.end_user.as_deref(),
        purpose: request.permissible_purpose(),
        consumer_fingerprints,
        original_report_reference: None,
    }
    .pending_at(at);
    (entry, applicant_ids)
}

/// The entry of a SECONDUSE request, requested `at`: the consumer is the original report's.
pub(crate) fn second_use_entry(
    request: &SecondUseRequest,
    key: &FingerprintKey,
    at: Timestamp,
) -> LedgerEntry {
    let (purpose, end_user) = request.purpose_and_end_user();
    let reference = request.reference();
    Inquiry {
        trace_number: request.customer_trace_number(),
        product: ProductCode::SECONDUSE.as_str(),
        house_number: request.house_number(),
        end_user,
        purpose,
        consumer_fingerprints: vec![key.of_consumer_id(reference.consumer_id())],
        original_report_reference: Some(reference.report_reference_number()),
    }
    .pending_at(at)
}

/// How a sent request ended, for its entry, and the references its answer produced.
pub(crate) fn outcome_of(
    result: &Result<ReportResponse, Error>,
) -> (InquiryOutcome, Vec<ReportReference>) {
    match result {
        Ok(response) => {
            let first = response.consumers().first();
            let text =
                |pick: fn(&crate::response::consumer_report::ConsumerReport) -> Option<&String>| {
                    first
                        .and_then(pick)
                        .filter(|value| !value.is_empty())
                        .cloned()
                };
            (
                InquiryOutcome::Completed {
                    return_code: first
                        .and_then(|consumer| consumer.return_code.as_ref())
                        .map(ToString::to_string),
                    report_reference_number: text(|c| c.report_reference_number.as_ref()),
                    consumer_id: text(|c| c.consumer_id.as_ref()),
                    note: None,
                },
                response.references().to_vec(),
            )
        }
        Err(err) => {
            let reason = credit_valuation_core::excerpt(&err.to_string(), MAX_REASON_CHARS);
            let outcome = if err.delivery().may_have_been_processed() {
                InquiryOutcome::MayHaveBeenSent { reason }
            } else {
                InquiryOutcome::NotSent { reason }
            };
            (outcome, Vec::new())
        }
    }
}

/// Settles an entry when its call ends, or — when the call is dropped first — as *may have been
/// sent*, since the request may have left.
pub(crate) struct SettleGuard<'a> {
    ledger: &'a Arc<dyn InquiryLedger>,
    trace_number: Option<&'a str>,
}

impl<'a> SettleGuard<'a> {
    pub(crate) fn new(ledger: &'a Arc<dyn InquiryLedger>, trace_number: &'a str) -> Self {
        SettleGuard {
            ledger,
            trace_number: Some(trace_number),
        }
    }

    /// Settles the entry with `result`'s outcome. A ledger failure here does not fail the call
    /// (the vendor has answered: the caller gets the response and its references); the settle is
    /// retried in the background ([`settle_until_done`]).
    pub(crate) async fn settle(mut self, result: &Result<ReportResponse, Error>) {
        let Some(trace_number) = self.trace_number.take() else {
            return;
        };
        let (outcome, references) = outcome_of(result);
        crate::metrics::settled(&outcome);
        let Err(err) = self.ledger.settle(trace_number, outcome, references).await else {
            return;
        };
        // The ledger took the outcome; a failure (rare) builds it again from the same result.
        let (outcome, references) = outcome_of(result);
        if is_final(&err) {
            log_unsettled(trace_number, &err, &outcome);
        } else {
            tracing::warn!(customer_trace_number = %trace_number, error = %err,
                "could not settle the inquiry's ledger entry; retrying in the background");
            let ledger = Arc::clone(self.ledger);
            let trace_number = trace_number.to_owned();
            spawn_settle(ledger, trace_number, outcome, references, Absent::IsFinal);
        }
    }
}

/// Settles in the background, as not sent, an entry whose `begin` was abandoned: if the ledger
/// wrote it after all, it no longer blocks its consumers (and if it did not, there is nothing to do).
pub(crate) fn settle_not_sent(ledger: Arc<dyn InquiryLedger>, trace_number: String, why: &str) {
    let outcome = InquiryOutcome::NotSent {
        reason: why.to_owned(),
    };
    spawn_settle(
        ledger,
        trace_number,
        outcome,
        Vec::new(),
        Absent::MayBeWrittenLate,
    );
}

/// Whether a settle may find no entry because the ledger has not written it yet (an abandoned
/// `begin` whose commit may still land): then "unknown" is retried, and in the end means the entry
/// was never written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Absent {
    IsFinal,
    MayBeWrittenLate,
}

/// The waits before each settle attempt in the background: about a minute in all.
const SETTLE_RETRY_DELAYS: [std::time::Duration; 7] = {
    use std::time::Duration;
    [
        Duration::ZERO,
        Duration::from_millis(500),
        Duration::from_secs(1),
        Duration::from_secs(2),
        Duration::from_secs(5),
        Duration::from_secs(15),
        Duration::from_secs(40),
    ]
};

/// Settles `trace_number` in a background task, retrying a ledger that fails (a database
/// restarting, a pool briefly exhausted). An entry that stays unsettled blocks its consumers'
/// repeats: when every attempt fails it is logged at `error` with what an operator needs to
/// settle it by hand ([`InquiryLedger::settle`]).
fn spawn_settle(
    ledger: Arc<dyn InquiryLedger>,
    trace_number: String,
    outcome: InquiryOutcome,
    references: Vec<ReportReference>,
    absent: Absent,
) {
    let logged_trace_number = trace_number.clone();
    let settle = async move {
        let mut last = None;
        for delay in SETTLE_RETRY_DELAYS {
            tokio::time::sleep(delay).await;
            match ledger
                .settle(&trace_number, outcome.clone(), references.clone())
                .await
            {
                Ok(()) => return,
                Err(LedgerError::UnknownTraceNumber(_)) if absent == Absent::MayBeWrittenLate => {
                    last = None;
                }
                Err(err) if is_final(&err) => {
                    last = Some(err);
                    break;
                }
                Err(err) => last = Some(err),
            }
        }
        if let Some(err) = last {
            log_unsettled(&trace_number, &err, &outcome);
        }
    };
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(settle);
        }
        // No runtime to run it on: the entry stays pending, which blocks repeats just the same.
        Err(_) => tracing::error!(customer_trace_number = %logged_trace_number,
            "an inquiry's ledger entry stays pending (no runtime to settle it on)"),
    }
}

/// Retrying cannot change these answers.
fn is_final(err: &LedgerError) -> bool {
    matches!(
        err,
        LedgerError::AlreadySettled { .. } | LedgerError::UnknownTraceNumber(_)
    )
}

fn log_unsettled(trace_number: &str, err: &LedgerError, outcome: &InquiryOutcome) {
    tracing::error!(
        customer_trace_number = %trace_number,
        outcome = outcome.state(),
        report_reference_number = outcome.columns()[1].unwrap_or_default(),
        error = %err,
        "the inquiry's ledger entry could not be settled and blocks its consumers' repeats; \
         settle it with InquiryLedger::settle"
    );
}

impl Drop for SettleGuard<'_> {
    fn drop(&mut self) {
        let Some(trace_number) = self.trace_number.take() else {
            return;
        };
        let outcome = InquiryOutcome::MayHaveBeenSent {
            reason: "the call was cancelled after the request may have left".to_owned(),
        };
        crate::metrics::settled(&outcome);
        spawn_settle(
            Arc::clone(self.ledger),
            trace_number.to_owned(),
            outcome,
            Vec::new(),
            Absent::IsFinal,
        );
    }
}
