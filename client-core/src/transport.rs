//! The pipeline every request goes through: authorize → send with a per-attempt timeout →
//! classify → retry by policy and idempotency → bounded read → decode.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method};
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::authorization::{Authorization, Credential};
use crate::body::{ReadError, read_limited, read_prefix};
use crate::decode::decode_json;
use crate::delivery::Delivery;
use crate::download_policy::{DownloadPolicy, GuardedResolver};
use crate::error::{Error, ErrorBody, error_chain};
use crate::limits::{Limit, Limits};
use crate::redaction::{Redaction, scrub_url};
use crate::request::Request;
use crate::retry::{Attempt, Next, Outcome, RetryPolicy, decide, parse_retry_after};

/// Headers that may carry the server's request id, most specific first.
const REQUEST_ID_HEADERS: [&str; 5] = [
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "x-amzn-requestid",
    "x-amz-request-id",
];

/// Everything a [`Transport`] is built from.
///
/// ```
/// use std::time::Duration;
/// use credit_valuation_core::{Authorization, Limits, RetryPolicy, TransportConfig};
/// let config = TransportConfig::new(
///     url::Url::parse("https://api.example/v1/").unwrap(),
///     "my-sdk/1.0",
/// )
/// .authorization(Authorization::None)
/// .request_timeout(Duration::from_secs(30))
/// .retry_policy(RetryPolicy::default().max_attempts(3))
/// .limits(Limits::default().json_body(8 << 20));
/// ```
#[derive(Debug, Clone)]
pub struct TransportConfig {
    base_url: Url,
    user_agent: String,
    authorization: Authorization,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    retry: RetryPolicy,
    limits: Limits,
    http_client: Option<reqwest::Client>,
    redaction: Redaction,
    allow_private_downloads: bool,
}

impl TransportConfig {
    /// A configuration for the API at `base_url` (also what decides which addresses downloads may
    /// reach: see [`TransportConfig::allow_private_downloads`]).
    pub fn new(base_url: Url, user_agent: impl Into<String>) -> Self {
        TransportConfig {
            base_url,
            user_agent: user_agent.into(),
            authorization: Authorization::None,
            connect_timeout: Some(Duration::from_secs(10)),
            request_timeout: Some(Duration::from_secs(60)),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            http_client: None,
            redaction: Redaction::default(),
            allow_private_downloads: false,
        }
    }

    /// How requests are authorized.
    pub fn authorization(mut self, authorization: Authorization) -> Self {
        self.authorization = authorization;
        self
    }

    /// The connect timeout of the HTTP client built here (default 10 s; `Duration::MAX`: none).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = unless_unbounded(timeout);
        self
    }

    /// The timeout of each attempt of an API call, body included (default 60 s; `Duration::MAX`:
    /// none).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = unless_unbounded(timeout);
        self
    }

    /// How failed attempts are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Bounds on what is read.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// An HTTP client to send API calls with (its proxy, TLS and pool settings). If it follows
    /// redirects, a redirected API call fails with [`Error::Redirected`] and is never resent.
    /// Downloads always use a client of the transport's own, under the download policy.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// How body text is made safe to quote in errors.
    pub fn redaction(mut self, redaction: Redaction) -> Self {
        self.redaction = redaction;
        self
    }

    /// Lets downloads reach loopback, private and link-local addresses (and plain `http` on
    /// loopback) although the base URL is not such an address. Off by default: a signed URL
    /// from the network must not make this process fetch from its own network.
    pub fn allow_private_downloads(mut self, allow: bool) -> Self {
        self.allow_private_downloads = allow;
        self
    }
}

/// The one way both vendor clients send a request. Cheap to clone (clones share one pool).
///
/// ```no_run
/// # async fn run() -> Result<(), credit_valuation_core::Error> {
/// use credit_valuation_core::{Request, Transport, TransportConfig};
/// let base = url::Url::parse("https://api.example/v1/").unwrap();
/// let transport = Transport::new(TransportConfig::new(base.clone(), "my-sdk/1.0"))?;
/// let order: serde_json::Value = transport
///     .send_json(Request::get(base.join("orders/7/").unwrap(), "GET orders/7/"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Transport {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) api: reqwest::Client,
    pub(crate) downloads: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) user_agent: HeaderValue,
    pub(crate) authorization: Authorization,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: Limits,
    pub(crate) redaction: Redaction,
    pub(crate) download_policy: DownloadPolicy,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &crate::url_without_query(&self.inner.base_url))
            .field("authorization", &self.inner.authorization)
            .field("retry", &self.inner.retry)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

/// A success answer, its body read whole under the JSON body limit.
#[derive(Debug, Clone)]
pub struct Response {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    /// The HTTP status (2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body, owned.
    pub fn into_body(self) -> Bytes {
        self.body
    }
}

/// Whether a 3xx answer ends the exchange (API calls) or is handed back to be followed under the
/// download policy (downloads).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redirects {
    Refuse,
    HandBack,
}

impl Transport {
    /// Builds the transport and its HTTP clients.
    ///
    /// ```
    /// let base = url::Url::parse("ftp://files.example/").unwrap();
    /// let err = credit_valuation_core::Transport::new(credit_valuation_core::TransportConfig::new(base, "x")).unwrap_err();
    /// assert!(matches!(err, credit_valuation_core::Error::Config { .. }));
    /// ```
    pub fn new(config: TransportConfig) -> Result<Self, Error> {
        require_https(&config.base_url)?;
        let user_agent = HeaderValue::from_str(&config.user_agent).map_err(|_| Error::Config {
            message: "the User-Agent contains characters not allowed in a header".to_owned(),
        })?;
        let download_policy =
            DownloadPolicy::for_base(&config.base_url, config.allow_private_downloads);
        let builder = || {
            let builder = reqwest::Client::builder()
                .user_agent(user_agent.clone())
                // A redirected POST could be replayed to another URL; downloads follow redirects
                // one hop at a time, each checked by the download policy.
                .redirect(reqwest::redirect::Policy::none())
                // No proxy from the environment (`HTTPS_PROXY`, …): a proxy would receive the
                // credentials of a plain-HTTP call, and would resolve download names itself, past
                // the download policy. A proxy is configured by injecting a client.
                .no_proxy();
            match config.connect_timeout {
                Some(timeout) => builder.connect_timeout(timeout),
                None => builder,
            }
        };
        let build_error = |err: reqwest::Error| Error::Config {
            message: format!("could not build the HTTP client: {}", error_chain(&err)),
        };
        let api = match config.http_client {
            Some(client) => client,
            None => builder().build().map_err(build_error)?,
        };
        let downloads = builder()
            .dns_resolver(GuardedResolver::new(download_policy.clone()))
            .build()
            .map_err(build_error)?;
        Ok(Transport {
            inner: Arc::new(Inner {
                api,
                downloads,
                base_url: config.base_url,
                user_agent,
                authorization: config.authorization,
                request_timeout: config.request_timeout,
                retry: config.retry,
                limits: config.limits,
                redaction: config.redaction,
                download_policy,
            }),
        })
    }

    /// The same transport (sharing its connection pools) with another authorization; for a
    /// token endpoint that must share the transport's HTTP client before the transport can
    /// carry its tokens.
    ///
    /// ```
    /// # let transport = credit_valuation_core::Transport::new(credit_valuation_core::TransportConfig::new(
    /// #     url::Url::parse("https://api.example/").unwrap(), "x")).unwrap();
    /// let unauthenticated = transport.with_authorization(credit_valuation_core::Authorization::None);
    /// ```
    pub fn with_authorization(&self, authorization: Authorization) -> Transport {
        let mut inner = (*self.inner).clone();
        inner.authorization = authorization;
        Transport {
            inner: Arc::new(inner),
        }
    }

    /// The base URL of the API.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The limits this transport enforces.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The HTTP client API calls go out on (follows no redirects unless one was injected), for a
    /// token endpoint to share its pool.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.api
    }

    /// Sends `request` and reads its success body under the JSON body limit.
    ///
    /// ```no_run
    /// # async fn run(transport: credit_valuation_core::Transport, url: url::Url) -> Result<(), credit_valuation_core::Error> {
    /// let response = transport.send(credit_valuation_core::Request::get(url, "GET orders/")).await?;
    /// println!("{} bytes", response.body().len());
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, request: Request) -> Result<Response, Error> {
        let mut response = self
            .exchange(
                &request,
                &self.inner.api,
                self.inner.request_timeout,
                Redirects::Refuse,
            )
            .await?;
        let status = response.status().as_u16();
        let limit = self.inner.limits.json_body_bytes();
        let body = read_limited(&mut response, limit)
            .await
            .map_err(|err| match err {
                ReadError::TooLarge => Error::LimitExceeded {
                    operation: request.operation.clone(),
                    limit: Limit::JsonBody(limit),
                    delivery: Delivery::Processed,
                },
                ReadError::Network(err) => network_error(&request, &err, Delivery::Processed),
            })?;
        Ok(Response {
            status,
            headers: std::mem::take(response.headers_mut()),
            body,
        })
    }

    /// Sends `request` and decodes its success body as `T` (see [`Transport::decode`]).
    ///
    /// ```no_run
    /// # async fn run(transport: credit_valuation_core::Transport, url: url::Url) -> Result<(), credit_valuation_core::Error> {
    /// #[derive(serde::Deserialize)]
    /// struct Order { id: u64 }
    /// let order: Order = transport.send_json(credit_valuation_core::Request::get(url, "GET orders/7/")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_json<T: DeserializeOwned>(&self, request: Request) -> Result<T, Error> {
        let operation = request.operation.clone();
        let response = self.send(request).await?;
        self.decode(&operation, response.body())
    }

    /// Decodes a success body as `T`; a failure names the JSON path and quotes a short piece of
    /// the body through the transport's [`Redaction`].
    ///
    /// ```
    /// # let transport = credit_valuation_core::Transport::new(credit_valuation_core::TransportConfig::new(
    /// #     url::Url::parse("https://api.example/").unwrap(), "x")).unwrap();
    /// let err = transport.decode::<Vec<u32>>(&"GET list".into(), b"[1, \"two\"]").unwrap_err();
    /// assert!(matches!(err, credit_valuation_core::Error::Decode { ref path, .. } if path == "[1]"));
    /// ```
    // A borrowed `Cow` clones without allocating when the name is static.
    #[allow(clippy::ptr_arg)]
    pub fn decode<T: DeserializeOwned>(
        &self,
        operation: &Cow<'static, str>,
        body: &[u8],
    ) -> Result<T, Error> {
        decode_json(
            operation,
            body,
            &self.inner.redaction,
            self.inner.limits.excerpt_char_count(),
        )
    }

    /// Sends until an answer is final, retrying as the policy and the request's idempotency
    /// allow; returns a 2xx (or, when `redirects` hands them back, a 3xx) with its body unread.
    pub(crate) async fn exchange(
        &self,
        request: &Request,
        client: &reqwest::Client,
        timeout: Option<Duration>,
        redirects: Redirects,
    ) -> Result<reqwest::Response, Error> {
        let started = std::time::Instant::now();
        let result = self
            .exchange_attempts(request, client, timeout, redirects)
            .await;
        crate::metrics::finished(request.metric_label, started, &result);
        result
    }

    async fn exchange_attempts(
        &self,
        request: &Request,
        client: &reqwest::Client,
        timeout: Option<Duration>,
        redirects: Redirects,
    ) -> Result<reqwest::Response, Error> {
        check_scheme(&request.url)?;
        let policy = &self.inner.retry;
        let deadline = match (request.deadline, policy.deadline()) {
            (Some(a), Some(b)) => Some(a.min(tokio::time::Instant::now() + b)),
            (a, b) => a.or(b.map(|b| tokio::time::Instant::now() + b)),
        };
        let (mut retries, mut resend_count, mut refreshed, mut resend) = (0, 0_u32, false, None);
        loop {
            let credential = self.credential(request).await?;
            crate::metrics::attempt(request.metric_label, resend);
            let span = attempt_span(request, resend_count);
            let sent = self
                .build(client, request, &credential, timeout)
                .send()
                .instrument(span.clone())
                .await;
            resend_count += 1;
            let (outcome, failed) = match sent {
                Ok(response) => {
                    span.record("http.response.status_code", response.status().as_u16());
                    if is_final(&response, request, redirects)? {
                        return Ok(response);
                    }
                    let outcome = Outcome::Status {
                        status: response.status().as_u16(),
                        retry_after: retry_after(response.headers()),
                    };
                    (outcome, Ok(response))
                }
                Err(err) if err.is_connect() => (Outcome::NotConnected, Err(err)),
                Err(err) => (Outcome::Interrupted, Err(err)),
            };
            let attempt = Attempt {
                retries,
                token_refreshable: !refreshed && matches!(credential, Credential::Bearer(_)),
                time_left: deadline
                    .map(|end| end.saturating_duration_since(tokio::time::Instant::now())),
                draw: fastrand::f64(),
            };
            match decide(outcome, &attempt, policy, request.idempotency) {
                Next::RefreshToken => {
                    span.in_scope(|| {
                        tracing::warn!("401; fetching a new token and resending once")
                    });
                    if let (Authorization::Bearer(cache), Credential::Bearer(token)) =
                        (&self.inner.authorization, &credential)
                    {
                        // Many requests sent with one token get their 401s at once; only the
                        // first may drop it.
                        cache.invalidate_if_current(token);
                    }
                    refreshed = true;
                    resend = Some("token_refresh");
                }
                Next::Retry(delay) => {
                    span.in_scope(|| log_retry(request, &failed, outcome, delay));
                    tokio::time::sleep(delay).await;
                    retries += 1;
                    resend = Some("retry");
                }
                Next::GiveUp => {
                    return Err(match failed {
                        Ok(response) => self.status_error(request, response).await,
                        Err(err) => network_error(request, &err, outcome.delivery()),
                    });
                }
            }
        }
    }

    /// The error for a failed answer, quoting the start of its body.
    async fn status_error(&self, request: &Request, mut response: reqwest::Response) -> Error {
        let request_id = request_id(response.headers());
        let retry_after = retry_after(response.headers());
        let body = read_prefix(&mut response, self.inner.limits.error_body_bytes()).await;
        Error::Status {
            operation: request.operation.clone(),
            status: response.status().as_u16(),
            body: ErrorBody(body.to_vec().into_boxed_slice()),
            request_id,
            retry_after,
        }
    }

    async fn credential(&self, request: &Request) -> Result<Credential, Error> {
        if !request.authenticated || !self.is_api_origin(&request.url) {
            return Ok(Credential::None);
        }
        Ok(match &self.inner.authorization {
            Authorization::None => Credential::None,
            Authorization::Header(value) => Credential::Header(value.clone()),
            Authorization::Bearer(cache) => {
                Credential::Bearer(cache.token().await.map_err(|source| Error::Token {
                    operation: request.operation.clone(),
                    source,
                })?)
            }
        })
    }

    /// Whether `url` is on the API's own origin (so it may receive the credential).
    pub(crate) fn is_api_origin(&self, url: &Url) -> bool {
        // The base URL is http(s) (a tuple origin), so these three are its origin; compared as
        // borrowed parts, as `Url::origin` would allocate both sides on every call.
        let base = &self.inner.base_url;
        url.scheme() == base.scheme()
            && url.host() == base.host()
            && url.port_or_known_default() == base.port_or_known_default()
    }

    fn build(
        &self,
        client: &reqwest::Client,
        request: &Request,
        credential: &Credential,
        timeout: Option<Duration>,
    ) -> reqwest::RequestBuilder {
        let mut builder = client
            .request(request.method.clone(), request.url.clone())
            .header(USER_AGENT, self.inner.user_agent.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(value) = credential.header_value() {
            builder = builder.header(AUTHORIZATION, value);
        }
        match &request.body {
            Some(body) => {
                builder = builder
                    .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                    .body(body.clone());
            }
            // Some servers answer 411 to a body-less POST without a length.
            None if request.method != Method::GET && request.method != Method::HEAD => {
                builder = builder.header(CONTENT_LENGTH, HeaderValue::from_static("0"));
            }
            None => {}
        }
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        builder
    }
}

/// Only `http` and `https` URLs are sent; anything else is a configuration error, never retried.
/// Checks an endpoint's URL (a base URL, a token endpoint): `https`, or plain `http` to a loopback
/// host only (`127.0.0.0/8`, `::1`, `localhost`: a local sandbox or test server), since plain HTTP
/// anywhere else shows credentials and personal data to the network.
///
/// ```
/// use credit_valuation_core::require_https;
/// let url = |text: &str| url::Url::parse(text).unwrap();
/// assert!(require_https(&url("https://api.example/")).is_ok());
/// assert!(require_https(&url("http://127.0.0.1:8080/")).is_ok());
/// assert!(require_https(&url("http://203.0.113.7/")).is_err());
/// ```
pub fn require_https(url: &Url) -> Result<(), Error> {
    check_scheme(url)?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if url.scheme() == "http" && !loopback {
        return Err(Error::Config {
            message: format!(
                "plain http is allowed to loopback hosts only; use https for {}",
                url.host_str().unwrap_or("this host")
            ),
        });
    }
    Ok(())
}

fn check_scheme(url: &Url) -> Result<(), Error> {
    match url.scheme() {
        "http" | "https" => Ok(()),
        other => Err(Error::Config {
            message: format!("`{other}` URLs are not supported; use https"),
        }),
    }
}

/// A timeout, or none for `Duration::MAX`: a timer that never fires would still be a timer (one that
/// paused test clocks jump to).
fn unless_unbounded(timeout: Duration) -> Option<Duration> {
    (timeout != Duration::MAX).then_some(timeout)
}

/// The span of one attempt, with OpenTelemetry's HTTP field names and never a query string.
fn attempt_span(request: &Request, resend_count: u32) -> tracing::Span {
    tracing::info_span!(
        "http.client.request",
        otel.name = %request.method,
        operation = %request.operation,
        "http.request.method" = %request.method,
        "url.path" = request.url.path(),
        "server.address" = request.url.host_str().unwrap_or_default(),
        "http.request.resend_count" = resend_count,
        "http.response.status_code" = tracing::field::Empty,
    )
}

/// Whether an answer ends the exchange: a success, or a redirect when they are handed back; a
/// redirect that an injected client followed on an API call is an error.
fn is_final(
    response: &reqwest::Response,
    request: &Request,
    redirects: Redirects,
) -> Result<bool, Error> {
    // A fragment is never sent, so the answer's URL never has one.
    if redirects == Redirects::Refuse && !same_resource(response.url(), &request.url) {
        return Err(Error::Redirected {
            operation: request.operation.clone(),
            location: crate::url_without_query(response.url()),
        });
    }
    let status = response.status();
    Ok(status.is_success() || (redirects == Redirects::HandBack && status.is_redirection()))
}

/// The warning before a retry: the status, or the transport failure without its URL's query.
fn log_retry(
    request: &Request,
    failed: &Result<reqwest::Response, reqwest::Error>,
    outcome: Outcome,
    delay: Duration,
) {
    let delay_ms = delay.as_millis() as u64;
    match failed {
        Ok(response) => tracing::warn!(status = response.status().as_u16(), delay_ms, "retrying"),
        Err(err) => tracing::warn!(
            error = %scrub_url(error_chain(err), &request.url),
            delivery = %outcome.delivery(),
            delay_ms,
            "transport failure; retrying"
        ),
    }
}

/// Whether two URLs name the same resource on the server: equal but for a fragment.
fn same_resource(a: &Url, b: &Url) -> bool {
    a[..url::Position::AfterQuery] == b[..url::Position::AfterQuery]
}

/// A failed exchange, its URL's query removed from the text.
pub(crate) fn network_error(request: &Request, err: &reqwest::Error, delivery: Delivery) -> Error {
    if err.is_timeout() && delivery != Delivery::NotSent {
        return Error::Timeout {
            operation: request.operation.clone(),
            delivery,
        };
    }
    Error::Transport {
        operation: request.operation.clone(),
        message: scrub_url(error_chain(err), &request.url),
        delivery,
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_retry_after(value, SystemTime::now()))
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS.iter().find_map(|name| {
        headers
            .get(*name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    })
}
