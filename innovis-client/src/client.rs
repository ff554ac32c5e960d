//! The client: every inquiry is recorded in the ledger, sent through `credit-valuation-core` as an
//! [`Operation`] (see `request/report_request.rs` and `request/second_use.rs` for what each one is on
//! the wire), and settled in the ledger with how it ended.

use std::fmt;
use std::sync::Arc;

use common_auth::{ClientCredentials, TokenCache};
use credit_valuation_core::{
    Authorization, KnownValues, Operation, Request, Transport, TransportConfig,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use tracing::Instrument;

use crate::config::{Config, MAX_SOFTWARE_PROVIDER_ID_LEN, SharedLedger, USER_AGENT};
use crate::error::{Error, check_required};
use crate::gateway_error::error_from_transport;
use crate::ledger::recording::{self, SettleGuard};
use crate::ledger::{InquiryLedger, InquiryOutcome, LedgerEntry, LedgerError, RepeatRules};
use crate::report_reference::ReportReference;
use crate::request::builder_state::{NoHouseNumber, NoPurpose};
use crate::request::report_request::ReportRequest;
use crate::request::second_use::{SecondUseRequest, SecondUseRequestBuilder};
use crate::response::redaction::REDACTION;
use crate::response::report_response::{ReportResponse, ResponseBody};
use crate::response::return_code::ReturnCode;

/// An Innovis Gateway client. Cheap to clone: clones share one connection pool and one token cache.
///
/// One access token serves every request and is refreshed ahead of expiry by `common-auth`. On a 401 the
/// token is dropped and the request sent once more with a fresh one; a second 401 is [`Error::Auth`].
/// Requests go through `credit-valuation-core`: one that certainly was not processed (no connection, a 429) is
/// retried by [`Config::retry_policy`]; nothing that may have reached the vendor is ever sent
/// again, since each inquiry is posted on the consumer's file.
///
/// ```no_run
/// use innovis_client::*;
///
/// # async fn run() -> Result<(), Error> {
/// let client = Client::new(Config::new(
///     Environment::Uat,
///     std::env::var("INNOVIS_CLIENT_ID").unwrap_or_default(),
///     SecretString::from(std::env::var("INNOVIS_CLIENT_SECRET").unwrap_or_default()),
///     "AB12",
/// ))?;
/// let request = ReportRequest::builder(ProductCode::CR)
///     .house_number("1234567890", "9876543210")
///     .permissible_purpose(PermissiblePurpose::new("17")?)
///     .applicant(Applicant::new().name("JOHN", "CONSUMER").ssn(pii::Ssn::new("123-45-6789")?))
///     .build()?;
/// let response = client.send(&request).await?;
/// response.check()?;
/// let references = response.references(); // store these for SECONDUSE
/// println!("{} report reference(s) to keep", references.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    software_provider_id: String,
    inquiry_time_zone: TimeZone,
    ledger: SharedLedger,
    repeat_window: std::time::Duration,
    /// The retry policy's overall deadline: it covers the ledger phase too.
    overall_deadline: Option<std::time::Duration>,
}

impl Client {
    /// Builds a client (no network traffic yet). Fails with [`Error::Validation`] for an empty client id or
    /// audience or a `softwareProviderId` that is empty or longer than 4 characters, and with
    /// [`Error::Transport`] if the HTTP client cannot be created (TLS setup).
    ///
    /// ```
    /// use innovis_client::{Client, Config, Environment, Error, SecretString};
    ///
    /// let config = Config::new(Environment::Uat, "id", SecretString::from("secret"), "TOOLONG");
    /// let err = Client::new(config).unwrap_err();
    /// assert!(matches!(err, Error::Validation { field: "softwareProviderId", .. }));
    /// ```
    pub fn new(config: Config) -> Result<Self, Error> {
        check_required(
            "softwareProviderId",
            &config.software_provider_id,
            MAX_SOFTWARE_PROVIDER_ID_LEN,
        )?;
        check_required("client_id", &config.client_id, usize::MAX)?;
        check_required("audience", &config.audience, usize::MAX)?;
        let overall_deadline = config.retry.deadline();
        let mut transport = TransportConfig::new(config.environment.gateway_url(), USER_AGENT)
            .connect_timeout(config.connect_timeout)
            .request_timeout(config.request_timeout)
            .retry_policy(config.retry)
            .limits(config.limits)
            .redaction(REDACTION);
        if let Some(http) = config.http_client {
            transport = transport.http_client(http);
        }
        let transport = Transport::new(transport).map_err(|source| Error::Transport {
            source,
            trace_number: None,
        })?;
        // The token endpoint shares the gateway's connection pool (and an injected client).
        credit_valuation_core::require_https(&config.environment.token_url()).map_err(
            |source| Error::Transport {
                source,
                trace_number: None,
            },
        )?;
        let credentials = ClientCredentials::json_with_audience(
            config.environment.token_url(),
            config.client_id,
            config.client_secret,
            config.audience,
        )
        .http_client(transport.http_client().clone())
        .timeout(config.request_timeout);
        let tokens = TokenCache::new(credentials);
        Ok(Client {
            inner: Arc::new(Inner {
                transport: transport.with_authorization(Authorization::Bearer(tokens)),
                software_provider_id: config.software_provider_id,
                inquiry_time_zone: config.inquiry_time_zone,
                ledger: config.ledger,
                repeat_window: config.repeat_window,
                overall_deadline,
            }),
        })
    }

    /// Sends a report request (`CR`, `PREQUAL`, `PREAPP`, `PRECLOSE`, `ACCTRVW`, `REFUPD`, …) and decodes
    /// the answer. The response carries a [`ReportReference`] for every consumer report with a reference
    /// number and consumer id ([`ReportResponse::references`]); store them for SECONDUSE.
    ///
    /// A `returnCode: Error` is a successful response here; call [`ReportResponse::check`] to make it an
    /// error.
    ///
    /// ```no_run
    /// # async fn run(client: innovis_client::Client, request: innovis_client::ReportRequest) -> Result<(), innovis_client::Error> {
    /// let response = client.send(&request).await?;
    /// for consumer in response.consumers() {
    ///     println!("{:?} {:?}", consumer.return_code, consumer.report_reference_number);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, request: &ReportRequest) -> Result<ReportResponse, Error> {
        self.send_report(request, false).await
    }

    /// Like [`Client::send`], but sends even when the same consumer, House Number, product and
    /// permissible purpose completed an inquiry within the repeat window: for a second pull the
    /// caller means to make. Still refused when the trace number was used, or while an earlier
    /// inquiry for the consumer is unsettled.
    ///
    /// ```no_run
    /// # async fn run(client: innovis_client::Client, request: innovis_client::ReportRequest) -> Result<(), innovis_client::Error> {
    /// let refreshed = client.send_allowing_repeat(&request).await?;
    /// refreshed.check()?;
    /// # Ok(()) }
    /// ```
    pub async fn send_allowing_repeat(
        &self,
        request: &ReportRequest,
    ) -> Result<ReportResponse, Error> {
        self.send_report(request, true).await
    }

    async fn send_report(
        &self,
        request: &ReportRequest,
        allow_repeat: bool,
    ) -> Result<ReportResponse, Error> {
        let trace = request.customer_trace_number();
        let span = request_span(request.product().as_str(), trace);
        // Taken before sending, so a stored reference is never later than the vendor's inquiry.
        let inquired_at = Timestamp::now();
        let operation = request.wire(&self.inner.software_provider_id);
        let (entry, applicant_ids) =
            recording::report_entry(request, &self.inner.ledger.key, inquired_at);
        let references = |response: &ReportResponse| references_of(response, request, inquired_at);
        let known = request.known_values();
        self.send_inquiry(
            &operation,
            (trace, entry, &applicant_ids),
            allow_repeat,
            &known,
            references,
        )
        .instrument(span)
        .await
    }

    /// Sends a SECONDUSE request: shares the report its [`ReportReference`] names with the second end user.
    /// It is an inquiry like any other: recorded in the ledger, and refused as a repeat by the same rules.
    ///
    /// Fails with [`Error::Validation`] before sending when the original inquiry time is in the future.
    /// SECONDUSE answers with a confirmation whose shape the vendor does not document: read it from
    /// [`ReportResponse::consumers`] when it uses `Consumers`, else from [`ReportResponse::raw`].
    ///
    /// ```no_run
    /// # use innovis_client::*;
    /// # async fn run(client: Client, stored_json: &str) -> Result<(), Error> {
    /// let reference: ReportReference = serde_json::from_str(stored_json).unwrap();
    /// let request = SecondUseRequest::builder(reference)
    ///     .house_number("1234567890", "5555555555")
    ///     .permissible_purpose(PermissiblePurpose::new("17")?)
    ///     .build()?;
    /// let confirmation = client.send_second_use(&request).await?;
    /// confirmation.check()?;
    /// # Ok(()) }
    /// ```
    pub async fn send_second_use(
        &self,
        request: &SecondUseRequest,
    ) -> Result<ReportResponse, Error> {
        let trace = request.customer_trace_number();
        let span = request_span("SECONDUSE", trace);
        span.record(
            "report_reference",
            tracing::field::display(request.reference().report_reference_number()),
        );
        let now = Timestamp::now();
        let time_zone = &self.inner.inquiry_time_zone;
        let operation = request.wire(&self.inner.software_provider_id, time_zone, now)?;
        let entry = recording::second_use_entry(request, &self.inner.ledger.key, now);
        // A SECONDUSE answer is a confirmation, not a report to share again.
        let no_references = |_: &ReportResponse| Vec::new();
        let known = KnownValues::default();
        self.send_inquiry(
            &operation,
            (trace, entry, &[]),
            false,
            &known,
            no_references,
        )
        .instrument(span)
        .await
    }

    /// Starts a SECONDUSE from a report the ledger recorded: the stored [`ReportReference`] of
    /// `report_reference_number`, ready for the second end user's House Number and purpose.
    ///
    /// ```no_run
    /// # use innovis_client::*;
    /// # async fn run(client: Client) -> Result<(), Error> {
    /// let request = client
    ///     .second_use_from_ledger("RR0000000001")
    ///     .await?
    ///     .house_number("1234567890", "5555555555")
    ///     .permissible_purpose(PermissiblePurpose::new("17")?)
    ///     .build()?;
    /// client.send_second_use(&request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn second_use_from_ledger(
        &self,
        report_reference_number: &str,
    ) -> Result<SecondUseRequestBuilder<NoHouseNumber, NoPurpose>, Error> {
        let reference = self
            .inner
            .ledger
            .ledger
            .reference(report_reference_number)
            .await
            .map_err(Error::from)?
            .ok_or_else(|| Error::UnknownReportReference {
                report_reference_number: report_reference_number.to_owned(),
            })?;
        Ok(SecondUseRequest::builder(reference))
    }

    /// Settles an unsettled inquiry (one whose call failed after it may have left, was cancelled, or
    /// whose process died) as posted, after asking the vendor. Repeats for the consumer are allowed
    /// again by the usual rules.
    ///
    /// ```no_run
    /// # async fn run(client: innovis_client::Client) -> Result<(), innovis_client::Error> {
    /// client.confirm_sent("order-42").await?;
    /// # Ok(()) }
    /// ```
    pub async fn confirm_sent(&self, trace_number: &str) -> Result<(), Error> {
        let outcome = InquiryOutcome::Completed {
            return_code: None,
            report_reference_number: None,
            consumer_id: None,
            note: Some("confirmed sent by the caller".to_owned()),
        };
        self.confirm(trace_number, outcome).await
    }

    /// Settles an unsettled inquiry as not posted, after asking the vendor; the same trace number may
    /// then be sent again.
    ///
    /// ```no_run
    /// # async fn run(client: innovis_client::Client) -> Result<(), innovis_client::Error> {
    /// client.confirm_not_sent("order-42").await?;
    /// # Ok(()) }
    /// ```
    pub async fn confirm_not_sent(&self, trace_number: &str) -> Result<(), Error> {
        let outcome = InquiryOutcome::NotSent {
            reason: "confirmed not sent by the caller".to_owned(),
        };
        self.confirm(trace_number, outcome).await
    }

    /// The inquiry ledger this client records in (for lookups, audit exports and purges).
    ///
    /// ```no_run
    /// # async fn run(client: innovis_client::Client) -> Result<(), innovis_client::Error> {
    /// if let Some(entry) = client.ledger().entry("order-42").await? {
    ///     println!("order-42 was requested at {}", entry.requested_at);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn ledger(&self) -> &dyn InquiryLedger {
        self.inner.ledger.ledger.as_ref()
    }

    async fn confirm(&self, trace_number: &str, outcome: InquiryOutcome) -> Result<(), Error> {
        self.inner
            .ledger
            .ledger
            .settle(trace_number, outcome, Vec::new())
            .await
            .map_err(Error::from)
    }

    /// The one send of every inquiry: writes `entry` (of the request with trace number `trace`) to
    /// the ledger (refusing a repeat, named by the `applicantId` of its consumer) before the request
    /// leaves, sends `operation` through the transport, and settles the entry with how the call
    /// ended and the `references` its answer yields. Vendor text in its errors and its report's
    /// `Debug` has the `known` values masked.
    async fn send_inquiry<O>(
        &self,
        operation: &O,
        (trace, entry, applicant_ids): (&str, LedgerEntry, &[&'static str]),
        allow_repeat: bool,
        known: &KnownValues,
        references: impl FnOnce(&ReportResponse) -> Vec<ReportReference>,
    ) -> Result<ReportResponse, Error>
    where
        O: Operation<Output = ResponseBody>,
    {
        let transport = &self.inner.transport;
        // Built (and its body serialized) before the ledger entry, so a request that cannot be
        // written leaves no entry behind.
        let mut request = credit_valuation_core::request_for(operation, transport.base_url())
            .map_err(|err| error_from_transport(err, trace, known))?;
        // One deadline for the whole call: what the ledger took is no longer the vendor's.
        let deadline = self
            .inner
            .overall_deadline
            .map(|budget| (budget, tokio::time::Instant::now() + budget));
        if let Some((_, end)) = deadline {
            request = request.deadline(end);
        }
        let guard = self
            .begin(trace, entry, allow_repeat, deadline)
            .await
            .map_err(|err| match err {
                Error::DuplicateInquiry(mut refusal) => {
                    crate::metrics::refused(refusal.reason);
                    refusal.applicant_id = refusal
                        .consumer
                        .and_then(|position| applicant_ids.get(position).copied());
                    Error::DuplicateInquiry(refusal)
                }
                other => other,
            })?;
        let result = self
            .exchange(request, trace, known)
            .await
            .map(|mut response| {
                response.references = references(&response);
                response
            });
        guard.settle(&result).await;
        let response = result?;
        record_outcome(&response);
        Ok(response)
    }

    /// Writes `entry` (trace number `trace`) to the ledger before anything is sent, refusing a
    /// repeat; the guard settles it. Past `deadline` (the overall budget and when it ends) the inquiry
    /// is not sent.
    async fn begin<'a>(
        &'a self,
        trace: &'a str,
        entry: LedgerEntry,
        allow_repeat: bool,
        deadline: Option<(std::time::Duration, tokio::time::Instant)>,
    ) -> Result<SettleGuard<'a>, Error> {
        let Some((budget, end)) = deadline else {
            return self.begin_entry(trace, entry, allow_repeat).await;
        };
        match tokio::time::timeout_at(end, self.begin_entry(trace, entry, allow_repeat)).await {
            Ok(begun) => begun,
            Err(_elapsed) => {
                // The entry may have been committed as the wait ended: it was never sent.
                recording::settle_not_sent(
                    Arc::clone(&self.inner.ledger.ledger),
                    trace.to_owned(),
                    "the ledger did not answer within the overall deadline",
                );
                Err(Error::Ledger(LedgerError::DeadlineExceeded(budget)))
            }
        }
    }

    async fn begin_entry<'a>(
        &'a self,
        trace: &'a str,
        entry: LedgerEntry,
        allow_repeat: bool,
    ) -> Result<SettleGuard<'a>, Error> {
        let shared = &self.inner.ledger;
        let ledger = &shared.ledger;
        shared
            .key_adopted
            .get_or_try_init(|| async {
                let key_id = shared.key.id();
                ledger.adopt_key(&key_id).await
            })
            .await
            .map_err(Error::from)?;
        let rules = RepeatRules {
            window: self.inner.repeat_window,
            allow_repeat,
        };
        ledger.begin(entry, rules).await.map_err(Error::from)?;
        Ok(SettleGuard::new(ledger, trace))
    }

    /// Sends `request` (bearer token, one resend after a 401, retries only of what was certainly
    /// not processed) and decodes the answer, keeping its body as received for
    /// [`ReportResponse::body`] — why this reads the response itself instead of calling
    /// `Transport::execute`.
    async fn exchange(
        &self,
        request: Request,
        trace: &str,
        known: &KnownValues,
    ) -> Result<ReportResponse, Error> {
        let transport = &self.inner.transport;
        let operation = request.operation().clone();
        let response = transport
            .send(request)
            .await
            .map_err(|err| error_from_transport(err, trace, known))?;
        let body = response.into_body();
        let mut typed: ResponseBody = transport
            .decode(&operation, &body)
            .map_err(|err| error_from_transport(err, trace, known))?;
        tracing::debug!(bytes = body.len(), "gateway answered");
        for consumer in &mut typed.consumers {
            consumer.known = known.clone();
        }
        let mut response = ReportResponse::new(typed, body);
        response.known = known.clone();
        Ok(response)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.inner.transport)
            .field("software_provider_id", &self.inner.software_provider_id)
            .finish_non_exhaustive()
    }
}

fn request_span(product: &str, trace: &str) -> tracing::Span {
    tracing::info_span!(
        "innovis.request",
        product = %product,
        customer_trace_number = %trace,
        return_code = tracing::field::Empty,
        report_reference = tracing::field::Empty,
    )
}

/// A [`ReportReference`] for every consumer report of `response` that has a reference number and a
/// consumer id (and no `returnCode: Error`).
fn references_of(
    response: &ReportResponse,
    request: &ReportRequest,
    inquired_at: Timestamp,
) -> Vec<ReportReference> {
    response
        .consumers
        .iter()
        .filter(|consumer| consumer.return_code != Some(ReturnCode::Error))
        .filter_map(|consumer| {
            // An empty string (No Record, Suppress) means "none", not a value to keep.
            let present = |value: &Option<String>| value.clone().filter(|v| !v.is_empty());
            let reference = ReportReference::new(
                present(&consumer.report_reference_number)?,
                present(&consumer.consumer_id)?,
                inquired_at,
                request.product().clone(),
                request.house_number().clone(),
            );
            if reference.is_err() {
                tracing::warn!(
                    "report reference or consumer id longer than the vendor documents; not kept"
                );
            }
            reference.ok()
        })
        .collect()
}

/// Puts the first consumer's return code and reference number on the current span.
fn record_outcome(response: &ReportResponse) {
    let span = tracing::Span::current();
    if let Some(consumer) = response.consumers.first() {
        if let Some(code) = &consumer.return_code {
            span.record("return_code", tracing::field::display(code));
        }
        if let Some(reference) = &consumer.report_reference_number {
            span.record("report_reference", tracing::field::display(reference));
        }
    }
    tracing::info!(consumers = response.consumers.len(), "report received");
}
