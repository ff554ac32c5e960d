//! The client: tokens, sending, the 401 retry, connect retries, decoding.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use client_core::{Authorization, Request, Transport, TransportConfig};
use common_auth::{ClientCredentials, TokenCache};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::Value;
use tracing::Instrument;

use crate::config::{ClientConfig, SharedLedger, USER_AGENT};
use crate::error::{Error, check_required};
use crate::ledger::recording::{self, SettleGuard};
use crate::ledger::{InquiryLedger, InquiryOutcome, LedgerEntry, RepeatRules};
use crate::pii::mask_digit_runs;
use crate::reference::ReportReference;
use crate::request::report::ReportRequest;
use crate::request::second_use::{SecondUseRequest, SecondUseRequestBuilder};
use crate::request::state::{NoHouseNumber, NoPurpose};
use crate::response::redaction::{REDACTION, excerpt_start, mask_string_values};
use crate::response::report::{ReportResponse, ResponseBody};
use crate::response::return_code::ReturnCode;

/// How the gateway call is named in errors and spans (every product posts to one URL).
const OPERATION: Cow<'static, str> = Cow::Borrowed("POST gateway request");

/// Most characters in `softwareProviderId`.
pub const MAX_SOFTWARE_PROVIDER_ID_LEN: usize = 4;

/// An Innovis Gateway client. Cheap to clone: clones share one connection pool and one token cache.
///
/// One access token serves every request and is refreshed ahead of expiry by `common-auth`. On a 401 the
/// token is dropped and the request sent once more with a fresh one; a second 401 is [`Error::Auth`].
/// Requests go through `client-core`: one that certainly was not processed (no connection, a 429) is
/// retried by [`ClientConfig::retry_policy`]; nothing that may have reached the vendor is ever sent
/// again, since each inquiry is posted on the consumer's file.
///
/// ```no_run
/// use innovis_client::*;
///
/// # async fn run() -> Result<(), Error> {
/// let client = Client::new(ClientConfig::new(
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
/// # let _ = references;
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
}

/// A request body plus the `softwareProviderId` from the config.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WithProvider<'a, B: Serialize> {
    #[serde(flatten)]
    body: &'a B,
    software_provider_id: &'a str,
}

impl Client {
    /// Builds a client (no network traffic yet). Fails with [`Error::Validation`] for an empty client id or
    /// audience or a `softwareProviderId` that is empty or longer than 4 characters, and with
    /// [`Error::Transport`] if the HTTP client cannot be created (TLS setup).
    ///
    /// ```
    /// use innovis_client::{Client, ClientConfig, Environment, Error, SecretString};
    ///
    /// let config = ClientConfig::new(Environment::Uat, "id", SecretString::from("secret"), "TOOLONG");
    /// let err = Client::new(config).unwrap_err();
    /// assert!(matches!(err, Error::Validation { field: "softwareProviderId", .. }));
    /// ```
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        check_required(
            "softwareProviderId",
            &config.software_provider_id,
            MAX_SOFTWARE_PROVIDER_ID_LEN,
        )?;
        check_required("client_id", &config.client_id, usize::MAX)?;
        check_required("audience", &config.audience, usize::MAX)?;
        let mut transport = TransportConfig::new(config.environment.gateway_url(), USER_AGENT)
            .connect_timeout(Some(config.connect_timeout))
            .request_timeout(Some(config.request_timeout))
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
        let credentials = ClientCredentials::json_with_audience(
            config.environment.token_url(),
            config.client_id,
            config.client_secret,
            config.audience,
        )
        .with_http_client(transport.http_client().clone())
        .with_timeout(config.request_timeout);
        let tokens = TokenCache::new(credentials);
        Ok(Client {
            inner: Arc::new(Inner {
                transport: transport.with_authorization(Authorization::Bearer(tokens)),
                software_provider_id: config.software_provider_id,
                inquiry_time_zone: config.inquiry_time_zone,
                ledger: config.ledger,
                repeat_window: config.repeat_window,
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
    /// # let _ = refreshed; Ok(()) }
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
        let span = request_span(request.product().as_str(), request.customer_trace_number());
        async {
            let trace = request.customer_trace_number();
            let body = self.wire_body(&request.wire())?;
            // Taken before sending, so a stored reference is never later than the vendor's inquiry.
            let inquired_at = Timestamp::now();
            let ledger = &self.inner.ledger;
            let entry = recording::report_entry(request, &ledger.key, inquired_at);
            let guard = self.begin(entry, allow_repeat).await?;
            let result = self.post(body, trace).await.map(|mut response| {
                response.references = references_of(&response, request, inquired_at);
                response
            });
            guard.settle(&result).await;
            let response = result?;
            record_outcome(&response);
            Ok(response)
        }
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
        let span = request_span("SECONDUSE", request.customer_trace_number());
        span.record(
            "report_reference",
            tracing::field::display(request.reference().report_reference_number()),
        );
        async {
            let now = Timestamp::now();
            let wire = request.wire_body(&self.inner.inquiry_time_zone, now)?;
            let body = self.wire_body(&wire)?;
            let entry = recording::second_use_entry(request, &self.inner.ledger.key, now);
            let guard = self.begin(entry, false).await?;
            let result = self.post(body, request.customer_trace_number()).await;
            guard.settle(&result).await;
            let response = result?;
            record_outcome(&response);
            Ok(response)
        }
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
    /// let entry = client.ledger().entry("order-42").await?;
    /// # let _ = entry; Ok(()) }
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

    /// Writes `entry` to the ledger before anything is sent, refusing a repeat; the guard settles it.
    async fn begin(&self, entry: LedgerEntry, allow_repeat: bool) -> Result<SettleGuard, Error> {
        let ledger = &self.inner.ledger.ledger;
        let trace_number = entry.trace_number.clone();
        let rules = RepeatRules {
            window: self.inner.repeat_window,
            allow_repeat,
        };
        ledger.begin(entry, rules).await.map_err(Error::from)?;
        Ok(SettleGuard::new(Arc::clone(ledger), &trace_number))
    }

    fn wire_body<B: Serialize>(&self, body: &B) -> Result<Bytes, Error> {
        serde_json::to_vec(&WithProvider {
            body,
            software_provider_id: &self.inner.software_provider_id,
        })
        .map(Bytes::from)
        // Our request types serialize plain strings and lists only; this cannot happen in practice.
        .map_err(|_| Error::validation("request", "could not be serialized to JSON"))
    }

    /// Posts `body` through the transport (bearer token, one resend after a 401, retries only of
    /// what was certainly not processed) and decodes the answer.
    async fn post(&self, body: Bytes, trace: &str) -> Result<ReportResponse, Error> {
        let transport = &self.inner.transport;
        let request = Request::post(transport.base_url().clone(), OPERATION).json_body(body);
        let response = transport
            .send(request)
            .await
            .map_err(|err| Error::from_transport(err, trace))?;
        let body = response.into_body();
        let typed: ResponseBody = transport
            .decode(&OPERATION, &body)
            .map_err(|err| Error::from_transport(err, trace))?;
        tracing::debug!(bytes = body.len(), "gateway answered");
        Ok(ReportResponse::new(typed, body))
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

impl Error {
    /// The Innovis reading of a transport error, with the request's trace number: a 401 after
    /// the resend is [`Error::Auth`], another error status [`Error::Api`] with the vendor's
    /// `errorMessage`, an undecodable answer [`Error::Decode`]; the rest keep the transport's
    /// error, which says whether the inquiry may have reached the vendor.
    pub(crate) fn from_transport(err: client_core::Error, trace: &str) -> Error {
        let trace_number = Some(trace.to_owned());
        match err {
            client_core::Error::Status { status: 401, .. } => Error::Auth { trace_number },
            client_core::Error::Status { status, body, .. } => {
                api_error(status, body.as_bytes(), trace)
            }
            client_core::Error::Decode {
                path,
                message,
                excerpt,
                ..
            } => Error::Decode {
                path,
                message,
                excerpt,
                trace_number,
            },
            client_core::Error::Token { source, .. } => Error::Token(source),
            source => Error::Transport {
                source,
                trace_number,
            },
        }
    }
}

/// An error status: the vendor's `errorMessage` when there is one, else the start of the body.
fn api_error(status: u16, body: &[u8], trace: &str) -> Error {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|json| match json.get("errorMessage")? {
            Value::String(text) => Some(mask_digit_runs(text)),
            // A structured message may echo request values (names): show its shape, not its values.
            other => Some(mask_digit_runs(&String::from_utf8_lossy(
                &mask_string_values(other.to_string().as_bytes()),
            ))),
        })
        .unwrap_or_else(|| {
            let start = excerpt_start(body);
            if start.is_empty() {
                http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|status| status.canonical_reason())
                    .unwrap_or("no message")
                    .to_owned()
            } else {
                start
            }
        });
    Error::Api {
        status,
        message,
        trace_number: Some(trace.to_owned()),
    }
}
