//! The client: tokens, sending, the 401 retry, connect retries, decoding.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common_auth::{AccessToken, ClientCredentials, TokenCache};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT as USER_AGENT_HEADER};
use http::{HeaderValue, StatusCode};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize as _, Serialize};
use serde_json::Value;
use tracing::Instrument;
use url::Url;

use crate::config::{ClientConfig, USER_AGENT};
use crate::error::{Error, check_required};
use crate::pii::mask_digit_runs;
use crate::reference::ReportReference;
use crate::request::report::ReportRequest;
use crate::request::second_use::SecondUseRequest;
use crate::response::decode::{decode, excerpt_start, mask_string_values};
use crate::response::report::{ReportResponse, ResponseBody};
use crate::response::return_code::ReturnCode;

/// Most characters in `softwareProviderId`.
pub const MAX_SOFTWARE_PROVIDER_ID_LEN: usize = 4;

/// An Innovis Gateway client. Cheap to clone: clones share one connection pool and one token cache.
///
/// One access token serves every request and is refreshed ahead of expiry by `common-auth`. On a 401 the
/// token is dropped and the request sent once more with a fresh one; a second 401 is [`Error::Auth`].
/// A request that failed to connect is retried a few times (see [`ClientConfig::connect_retries`]); nothing
/// that may have reached the vendor is ever sent again, since each inquiry is posted on the consumer's file.
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
    http: reqwest::Client,
    gateway_url: Url,
    tokens: TokenCache,
    software_provider_id: String,
    request_timeout: Duration,
    connect_retries: u32,
    connect_retry_delay: Duration,
    inquiry_time_zone: TimeZone,
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
        let http = match config.http_client {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(config.connect_timeout)
                .timeout(config.request_timeout)
                .user_agent(USER_AGENT)
                // A redirected POST could be replayed to another URL: never follow one.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|err| Error::Transport {
                    may_have_been_sent: false,
                    message: format!("could not create the HTTP client: {}", error_chain(&err)),
                    trace_number: None,
                })?,
        };
        let credentials = ClientCredentials::json_with_audience(
            config.environment.token_url(),
            config.client_id,
            config.client_secret,
            config.audience,
        )
        .with_http_client(http.clone())
        .with_timeout(config.request_timeout);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                gateway_url: config.environment.gateway_url(),
                tokens: TokenCache::new(credentials),
                software_provider_id: config.software_provider_id,
                request_timeout: config.request_timeout,
                connect_retries: config.connect_retries,
                connect_retry_delay: config.connect_retry_delay,
                inquiry_time_zone: config.inquiry_time_zone,
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
        let span = request_span(request.product().as_str(), request.customer_trace_number());
        async {
            // Taken before sending, so a stored reference is never later than the vendor's inquiry.
            let inquired_at = Timestamp::now();
            let trace = request.customer_trace_number();
            let body = self.wire_body(request)?;
            let bytes = self.post(body, trace).await?;
            let mut response = decode_response(&bytes)?;
            response.references = response
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
                        tracing::warn!("report reference or consumer id longer than the vendor documents; not kept");
                    }
                    reference.ok()
                })
                .collect();
            record_outcome(&response);
            Ok(response)
        }
        .instrument(span)
        .await
    }

    /// Sends a SECONDUSE request: shares the report its [`ReportReference`] names with the second end user.
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
            let wire = request.wire_body(&self.inner.inquiry_time_zone, Timestamp::now())?;
            let body = self.wire_body(&wire)?;
            let bytes = self.post(body, request.customer_trace_number()).await?;
            let response = decode_response(&bytes)?;
            record_outcome(&response);
            Ok(response)
        }
        .instrument(span)
        .await
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

    /// Posts `body` with a bearer token; one resend with a fresh token after a 401.
    async fn post(&self, body: Bytes, trace: &str) -> Result<Bytes, Error> {
        let mut refreshed = false;
        loop {
            let token = self.inner.tokens.token().await?;
            let response = self.post_once(&body, &token, trace).await?;
            if response.url() != &self.inner.gateway_url {
                // Only an injected client follows redirects; a 307/308 target got the inquiry too.
                return Err(Error::Transport {
                    may_have_been_sent: true,
                    message: format!(
                        "the gateway redirected the request (to host {}) and the injected HTTP client \
                         followed; use a client built with reqwest::redirect::Policy::none()",
                        response.url().host_str().unwrap_or("?")
                    ),
                    trace_number: Some(trace.to_owned()),
                });
            }
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED {
                if refreshed {
                    return Err(Error::Auth {
                        trace_number: Some(trace.to_owned()),
                    });
                }
                // A 401 means the gateway did not accept the call, so no inquiry was posted: resending is safe.
                tracing::warn!(
                    token = %token.redacted_suffix(),
                    "gateway answered 401; fetching a new token and resending once"
                );
                // Many requests sent with the same token get their 401s at once: only the first may drop it,
                // or a late one would throw away the fresh token the first one fetched.
                self.inner.tokens.invalidate_if_current(&token);
                refreshed = true;
                continue;
            }
            let bytes = response
                .bytes()
                .await
                .map_err(|err| transport_error(&err, trace))?;
            tracing::debug!(status = status.as_u16(), "gateway answered");
            if status.is_success() {
                return Ok(bytes);
            }
            return Err(api_error(status, &bytes, trace));
        }
    }

    /// One POST, retried only while the connection could not be established (nothing was sent).
    async fn post_once(
        &self,
        body: &Bytes,
        token: &AccessToken,
        trace: &str,
    ) -> Result<reqwest::Response, Error> {
        let mut retries = 0;
        loop {
            let result = self
                .inner
                .http
                .post(self.inner.gateway_url.clone())
                .header(AUTHORIZATION, token.bearer_header())
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .header(ACCEPT, HeaderValue::from_static("application/json"))
                .header(USER_AGENT_HEADER, HeaderValue::from_static(USER_AGENT))
                .timeout(self.inner.request_timeout)
                .body(body.clone())
                .send()
                .await;
            match result {
                Ok(response) => return Ok(response),
                Err(err) if err.is_connect() && retries < self.inner.connect_retries => {
                    let delay = self
                        .inner
                        .connect_retry_delay
                        .saturating_mul(1 << retries.min(16));
                    retries += 1;
                    tracing::warn!(
                        attempt = retries,
                        delay_ms = delay.as_millis() as u64,
                        error = %error_chain(&err),
                        "could not connect to the gateway (nothing was sent); retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(err) => return Err(transport_error(&err, trace)),
            }
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("gateway_url", &self.inner.gateway_url.as_str())
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

fn decode_response(bytes: &[u8]) -> Result<ReportResponse, Error> {
    // A report can be large: parse it once and type it from the tree. Only when that fails are the
    // bytes decoded again as before, for an error that points at the failure's position.
    let parsed = decode::<Value>(bytes)
        .ok()
        .and_then(|raw| Some((ResponseBody::deserialize(&raw).ok()?, raw)));
    let (body, raw) = match parsed {
        Some(parsed) => parsed,
        None => (decode::<ResponseBody>(bytes)?, decode::<Value>(bytes)?),
    };
    Ok(ReportResponse {
        consumers: body.consumers,
        other: body.other,
        raw,
        references: Vec::new(),
    })
}

/// Maps a failed exchange: connect failures were never sent; anything later may have been.
fn transport_error(err: &reqwest::Error, trace: &str) -> Error {
    let trace_number = Some(trace.to_owned());
    if err.is_connect() || err.is_builder() {
        Error::Transport {
            may_have_been_sent: false,
            message: error_chain(err),
            trace_number,
        }
    } else if err.is_timeout() {
        Error::Timeout { trace_number }
    } else {
        Error::Transport {
            may_have_been_sent: true,
            message: error_chain(err),
            trace_number,
        }
    }
}

/// The error and its sources on one line (reqwest's own message hides the cause).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// An error status: the vendor's `errorMessage` when there is one, else the start of the body.
fn api_error(status: StatusCode, body: &[u8], trace: &str) -> Error {
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
                status.canonical_reason().unwrap_or("no message").to_owned()
            } else {
                start
            }
        });
    Error::Api {
        status: status.as_u16(),
        message,
        trace_number: Some(trace.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `decode_response` parses a report once only if the typed body can be read from the parsed
    /// tree; were it not, every response would silently take the slower double parse.
    #[test]
    fn the_typed_body_reads_from_the_parsed_tree() {
        let bytes = br#"{"Consumers":[{"softwareProviderId":"IGTW","customerTraceNumber":7,
            "reportReferenceNumber":"RR1","productCode":"CR","consumerId":"C1",
            "returnCode":"Record","creditData":{"tradelines":[]}}],"requestId":"r-1"}"#;
        let raw: Value = serde_json::from_slice(bytes).unwrap();
        let from_tree = ResponseBody::deserialize(&raw).unwrap();
        let from_bytes: ResponseBody = decode(bytes).unwrap();
        assert_eq!(from_tree.consumers.len(), 1);
        assert_eq!(
            format!("{:?}", from_tree.consumers),
            format!("{:?}", from_bytes.consumers)
        );
        assert_eq!(from_tree.other, from_bytes.other);
        let response = decode_response(bytes).unwrap();
        assert_eq!(response.raw, raw);
        assert_eq!(
            response.consumers[0].customer_trace_number.as_deref(),
            Some("7")
        );
        // The gateway may also send a single consumer as an object.
        let single: Value = serde_json::json!({"Consumers": {"returnCode": "No Record"}});
        assert_eq!(
            ResponseBody::deserialize(&single).unwrap().consumers.len(),
            1
        );
    }
}
