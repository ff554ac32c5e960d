//! The [`Client`]: one authenticated connection pool, retries, error decoding.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT,
};
use reqwest::Method;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::retry::{RetryPolicy, parse_retry_after, retryable_status};

/// Headers that may carry the server's request id, most specific first.
const REQUEST_ID_HEADERS: [&str; 5] = [
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "x-amzn-requestid",
    "x-amz-request-id",
];

/// How much of an error body is read (error bodies are short; a proxy's HTML page need not be
/// read to the end).
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How much of a body is quoted in errors.
const EXCERPT_CHARS: usize = 200;

/// A client of the Partner API. Cheap to clone (clones share one connection pool).
///
/// Every call sends `Authorization: Token <t>`, except downloads of signed URLs, which must not
/// carry it. `Debug` shows the base URL only.
///
/// ```no_run
/// use housecanary_partner::{Client, Config, Environment, SecretString};
/// # async fn run() -> Result<(), housecanary_partner::Error> {
/// let client = Client::new(Config::new(Environment::Demo, SecretString::from("my-token")))?;
/// let order = client.get_order(42_u64).await?;
/// println!("{:?}", order.status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// API calls: follows no redirects, so a redirected POST is never sent a second time.
    http: reqwest::Client,
    /// Downloads: follows redirects (signed URLs may lead to a storage host).
    transfer: reqwest::Client,
    base: Url,
    authorization: HeaderValue,
    user_agent: HeaderValue,
    retry: RetryPolicy,
    request_timeout: Option<Duration>,
    download_timeout: Option<Duration>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Whether the request may safely be sent again after it might have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// GET: retried on 429/502/503/504 and any transport failure.
    Safe,
    /// POST: retried only on a connection failure or a 429.
    Unsafe,
}

/// One request, described so that it can be sent again.
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Bytes>,
    pub(crate) authenticated: bool,
    pub(crate) download: bool,
    pub(crate) operation: String,
    /// No retry is started whose wait would end past this instant (a caller's own deadline, such
    /// as [`Client::wait_for_export`]'s); the last answer is returned instead.
    pub(crate) deadline: Option<tokio::time::Instant>,
}

impl Client {
    /// Builds a client (and its connection pool, unless one was injected).
    ///
    /// ```no_run
    /// use housecanary_partner::{Client, Config, Environment, SecretString};
    /// let client = Client::new(Config::new(Environment::Demo, SecretString::from("t")))
    ///     .expect("valid configuration");
    /// # let _ = client;
    /// ```
    pub fn new(config: Config) -> Result<Self> {
        let base = config.environment.base_url()?;
        let user_agent = HeaderValue::from_str(&config.user_agent).map_err(|_| Error::Config {
            message: "the User-Agent contains characters not allowed in a header".to_owned(),
        })?;
        let mut authorization = config.token.authorization_header();
        authorization.set_sensitive(true);
        let build = |redirects: reqwest::redirect::Policy| {
            let mut builder = reqwest::Client::builder()
                .user_agent(config.user_agent.clone())
                .redirect(redirects);
            if let Some(timeout) = config.connect_timeout {
                builder = builder.connect_timeout(timeout);
            }
            builder.build().map_err(|err| Error::Config {
                message: format!("could not build the HTTP client: {}", err.without_url()),
            })
        };
        // A 307/308 answer to a POST would make reqwest send the order again to the new location,
        // although the first request may have been processed: API calls follow no redirects, and a
        // 3xx is an error. Downloads still follow them (reqwest drops `Authorization` across hosts).
        let (http, transfer) = match config.http_client {
            Some(client) => (client.clone(), client),
            None => (
                build(reqwest::redirect::Policy::none())?,
                build(reqwest::redirect::Policy::limited(10))?,
            ),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                transfer,
                base,
                authorization,
                user_agent,
                retry: config.retry,
                request_timeout: config.request_timeout,
                download_timeout: config.download_timeout,
            }),
        })
    }

    /// The base URL every path is appended to (ends with `/`).
    ///
    /// ```no_run
    /// # use housecanary_partner::{Client, Config, Environment, SecretString};
    /// let client = Client::new(Config::new(Environment::Demo, SecretString::from("t"))).unwrap();
    /// assert!(client.base_url().as_str().ends_with("/partner-api/v1/"));
    /// ```
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// `base` + the percent-encoded `segments`, with a trailing `/` when asked.
    pub(crate) fn endpoint(&self, segments: &[&str], trailing_slash: bool) -> Result<Url> {
        let mut url = self.inner.base.clone();
        {
            let mut path = url.path_segments_mut().map_err(|()| Error::Config {
                message: "the base URL cannot take paths".to_owned(),
            })?;
            path.pop_if_empty().extend(segments);
            if trailing_slash {
                path.push("");
            }
        }
        Ok(url)
    }

    /// `METHOD path` relative to the base URL, for errors and spans.
    pub(crate) fn operation(&self, method: &Method, url: &Url) -> String {
        let path = url
            .path()
            .strip_prefix(self.inner.base.path())
            .unwrap_or(url.path());
        match url.query() {
            Some(query) if self.same_origin(url) => {
                format!("{method} {path}?{query}")
            }
            _ => format!("{method} {path}"),
        }
    }

    /// Whether `url` is on the API's own origin (so it may receive the token).
    pub(crate) fn same_origin(&self, url: &Url) -> bool {
        url.origin() == self.inner.base.origin()
    }

    /// An authenticated JSON request to the API.
    pub(crate) fn api_request(&self, method: Method, url: Url, body: Option<Bytes>) -> ApiRequest {
        let operation = self.operation(&method, &url);
        ApiRequest {
            method,
            url,
            body,
            authenticated: true,
            download: false,
            operation,
            deadline: None,
        }
    }

    /// GET `url` and decode the JSON body as `T`.
    pub(crate) async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T> {
        let request = self.api_request(Method::GET, url, None);
        self.json(request, Idempotency::Safe).await
    }

    /// Sends `request` and decodes the JSON body of its success response as `T`.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
        idempotency: Idempotency,
    ) -> Result<T> {
        let span = tracing::debug_span!(
            "housecanary_partner.call",
            operation = %request.operation,
            status = tracing::field::Empty,
        );
        async move {
            let operation = request.operation.clone();
            let response = self.send(request, idempotency).await?;
            tracing::Span::current().record("status", response.status().as_u16());
            let body = response
                .bytes()
                .await
                .map_err(|err| body_error(&operation, err))?;
            decode(&operation, &body)
        }
        .instrument(span)
        .await
    }

    /// Sends `request`, retrying as the policy and `idempotency` allow, and returns the first
    /// success response (its body unread). Non-success answers become errors.
    pub(crate) async fn send(
        &self,
        request: ApiRequest,
        idempotency: Idempotency,
    ) -> Result<reqwest::Response> {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            match self.build(&request).send().await {
                Ok(response) if response.status().is_success() => {
                    tracing::debug!(attempt, status = response.status().as_u16(), "response");
                    return Ok(response);
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    let retryable = match idempotency {
                        Idempotency::Safe => retryable_status(status),
                        Idempotency::Unsafe => status == 429,
                    };
                    if let Some(delay) = self.retry_delay(&request, attempt, retryable, retry_after)
                    {
                        tracing::warn!(
                            attempt,
                            status,
                            delay_ms = delay.as_millis() as u64,
                            "retrying"
                        );
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(
                        error_from_response(&request.operation, response, retry_after).await,
                    );
                }
                Err(err) => {
                    let not_sent = err.is_connect();
                    let retryable = idempotency == Idempotency::Safe || not_sent;
                    if let Some(delay) = self.retry_delay(&request, attempt, retryable, None) {
                        tracing::warn!(
                            attempt,
                            error = %err.without_url_ref(),
                            delay_ms = delay.as_millis() as u64,
                            "transport failure, retrying"
                        );
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(transport_error(&request.operation, err, !not_sent));
                }
            }
        }
    }

    /// The wait before retrying after failed attempt number `attempt` (from 1), or `None` when
    /// the failure is not `retryable`, no attempt is left, the server asked for too long a wait,
    /// or the wait would end past the request's deadline.
    fn retry_delay(
        &self,
        request: &ApiRequest,
        attempt: u32,
        retryable: bool,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let policy = &self.inner.retry;
        if !retryable || attempt >= policy.attempts() {
            return None;
        }
        policy
            .delay(attempt - 1, retry_after)
            .filter(|delay| request.retry_fits(*delay))
    }

    fn build(&self, request: &ApiRequest) -> reqwest::RequestBuilder {
        let inner = &self.inner;
        let http = if request.download {
            &inner.transfer
        } else {
            &inner.http
        };
        let mut builder = http
            .request(request.method.clone(), request.url.clone())
            .header(USER_AGENT, inner.user_agent.clone());
        if request.authenticated {
            builder = builder.header(AUTHORIZATION, inner.authorization.clone());
        }
        if !request.download {
            builder = builder.header(ACCEPT, HeaderValue::from_static("application/json"));
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let timeout = if request.download {
            inner.download_timeout
        } else {
            inner.request_timeout
        };
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        builder
    }
}

impl ApiRequest {
    /// Whether a retry after `delay` would still start before the request's deadline.
    fn retry_fits(&self, delay: Duration) -> bool {
        self.deadline
            .is_none_or(|deadline| tokio::time::Instant::now() + delay < deadline)
    }
}

/// Removing the URL needs ownership; logging only needs the text.
trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let text = self.to_string();
        match self.url() {
            Some(url) => text.replace(url.as_str(), "<url>"),
            None => text,
        }
    }
}

/// A failed send. A timeout becomes [`Error::Timeout`].
pub(crate) fn transport_error(
    operation: &str,
    err: reqwest::Error,
    may_have_been_sent: bool,
) -> Error {
    if err.is_timeout() {
        return Error::Timeout {
            operation: operation.to_owned(),
        };
    }
    Error::Transport {
        operation: operation.to_owned(),
        may_have_been_sent,
        source: err.without_url(),
    }
}

/// A failure while reading a response body (the request was certainly received).
pub(crate) fn body_error(operation: &str, err: reqwest::Error) -> Error {
    transport_error(operation, err, true)
}

/// Decodes `body` as `T`, naming the JSON path of the first mismatch.
pub(crate) fn decode<T: DeserializeOwned>(operation: &str, body: &[u8]) -> Result<T> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| Error::Decode {
        operation: operation.to_owned(),
        path: err.path().to_string(),
        message: err.inner().to_string(),
        excerpt: excerpt(body),
    })
}

/// The first characters of a body, lossily decoded.
pub(crate) fn excerpt(body: &[u8]) -> String {
    crate::text::excerpt_bytes(body, EXCERPT_CHARS)
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS.iter().find_map(|name| {
        headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    })
}

/// Turns a non-success response into [`Error::Auth`] or [`Error::Api`].
pub(crate) async fn error_from_response(
    operation: &str,
    mut response: reqwest::Response,
    retry_after: Option<Duration>,
) -> Error {
    let status = response.status().as_u16();
    let request_id = request_id(response.headers());
    let mut body = Vec::new();
    // A body that fails half way still leaves what arrived, which is all an error needs.
    while body.len() < ERROR_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    let (detail, field_errors) = parse_drf_error(&body);
    if status == 401 {
        return Error::Auth {
            operation: operation.to_owned(),
            detail,
            request_id,
        };
    }
    Error::Api {
        operation: operation.to_owned(),
        status,
        detail,
        field_errors,
        request_id,
        retry_after,
    }
}

/// Django REST Framework error bodies: `{"detail": "..."}`, `{"field": ["msg", ...]}`, nested
/// serializer errors (`{"items": [{}, {"zipcode": ["..."]}]}` → `items[1].zipcode`). A body that
/// is not JSON becomes the detail, abbreviated.
pub(crate) fn parse_drf_error(body: &[u8]) -> (Option<String>, BTreeMap<String, Vec<String>>) {
    let mut fields = BTreeMap::new();
    if body.iter().all(u8::is_ascii_whitespace) {
        return (None, fields);
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (Some(excerpt(body)), fields);
    };
    let mut detail = None;
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                if key == "detail" {
                    detail = Some(match value {
                        serde_json::Value::String(text) => text,
                        other => other.to_string(),
                    });
                } else {
                    flatten_field_errors(key, value, &mut fields, 0);
                }
            }
        }
        serde_json::Value::String(text) => detail = Some(text),
        serde_json::Value::Array(values) => {
            flatten_field_errors(
                "non_field_errors".to_owned(),
                serde_json::Value::Array(values),
                &mut fields,
                0,
            );
        }
        other => detail = Some(other.to_string()),
    }
    (detail, fields)
}

fn flatten_field_errors(
    path: String,
    value: serde_json::Value,
    out: &mut BTreeMap<String, Vec<String>>,
    depth: usize,
) {
    use serde_json::Value;
    // Error bodies are small and shallow; the limit only guards against hostile nesting.
    if depth > 16 {
        return;
    }
    match value {
        Value::String(message) => out.entry(path).or_default().push(message),
        Value::Array(values) => {
            for (index, value) in values.into_iter().enumerate() {
                match value {
                    Value::String(message) => out.entry(path.clone()).or_default().push(message),
                    nested @ (Value::Object(_) | Value::Array(_)) => {
                        flatten_field_errors(format!("{path}[{index}]"), nested, out, depth + 1);
                    }
                    other => out.entry(path.clone()).or_default().push(other.to_string()),
                }
            }
        }
        Value::Object(map) => {
            for (key, value) in map {
                flatten_field_errors(format!("{path}.{key}"), value, out, depth + 1);
            }
        }
        Value::Null => {}
        other => out.entry(path).or_default().push(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drf_bodies_flatten_to_field_paths() {
        let body = br#"{"name": ["This field is required."],
            "items": [{}, {"zipcode": ["Enter a zipcode or a city and state."]}],
            "non_field_errors": ["Owner not authorized."]}"#;
        let (detail, fields) = parse_drf_error(body);
        assert_eq!(detail, None);
        assert_eq!(fields["name"], vec!["This field is required."]);
        assert_eq!(
            fields["items[1].zipcode"],
            vec!["Enter a zipcode or a city and state."]
        );
        assert_eq!(fields["non_field_errors"], vec!["Owner not authorized."]);
        assert_eq!(fields.len(), 3);
    }

    #[test]
    fn detail_and_non_json_bodies() {
        let (detail, fields) = parse_drf_error(br#"{"detail": "Not found."}"#);
        assert_eq!(detail.as_deref(), Some("Not found."));
        assert!(fields.is_empty());
        let (detail, _) = parse_drf_error(b"<html>Bad Gateway</html>");
        assert_eq!(detail.as_deref(), Some("<html>Bad Gateway</html>"));
        assert_eq!(parse_drf_error(b"  ").0, None);
    }

    #[test]
    fn excerpt_is_bounded_and_char_safe() {
        let long = "é".repeat(500);
        let cut = excerpt(long.as_bytes());
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}

/// Compiles every code block of the HouseCanary guide as a doctest, so the guide cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../docs/housecanary.md")]
struct GuideDoctests;
