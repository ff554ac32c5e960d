//! A request described so that the transport can send it, and send it again when that is safe.

use std::borrow::Cow;

use bytes::Bytes;
use http::Method;
use url::Url;

use crate::retry::Idempotency;

/// One API request: method, URL, optional JSON body, idempotency and the operation's name (used
/// in errors and spans; it must never hold a query string or personal data).
///
/// ```
/// use credit_valuation_core::{Idempotency, Request};
/// let url = url::Url::parse("https://api.example/v1/orders/").unwrap();
/// let request = Request::post(url, "POST orders/").json_body(br#"{"name":"x"}"#.to_vec());
/// assert_eq!(request.idempotency(), Idempotency::NotIdempotent);
/// assert_eq!(request.operation(), "POST orders/");
/// ```
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Bytes>,
    pub(crate) idempotency: Idempotency,
    pub(crate) operation: Cow<'static, str>,
    pub(crate) metric_label: &'static str,
    pub(crate) deadline: Option<tokio::time::Instant>,
    pub(crate) authenticated: bool,
}

impl Request {
    /// A request with the given method and idempotency.
    pub fn new(
        method: Method,
        url: Url,
        idempotency: Idempotency,
        operation: impl Into<Cow<'static, str>>,
    ) -> Self {
        Request {
            method,
            url,
            body: None,
            idempotency,
            operation: operation.into(),
            metric_label: "request",
            deadline: None,
            authenticated: true,
        }
    }

    /// An idempotent `GET`.
    ///
    /// ```
    /// let url = url::Url::parse("https://api.example/v1/orders/7/").unwrap();
    /// let request = credit_valuation_core::Request::get(url, "GET orders/7/");
    /// ```
    pub fn get(url: Url, operation: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Method::GET, url, Idempotency::Idempotent, operation)
    }

    /// A `POST` that must never be sent twice if it may have been processed.
    ///
    /// ```
    /// let url = url::Url::parse("https://api.example/v1/orders/").unwrap();
    /// let request = credit_valuation_core::Request::post(url, "POST orders/");
    /// ```
    pub fn post(url: Url, operation: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Method::POST, url, Idempotency::NotIdempotent, operation)
    }

    /// The JSON body (sent with `Content-Type: application/json`). A `POST` without one is sent
    /// with `Content-Length: 0`.
    pub fn json_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// No retry is started whose wait would end past `deadline` (a caller's own deadline, such
    /// as a wait for an export); the last answer is returned instead.
    pub fn deadline(mut self, deadline: tokio::time::Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The `operation` label of this request's [metrics](crate::metrics) (`request` unless set): a
    /// fixed word, never an id, a URL or personal data. Calls sent as an
    /// [`Operation`](crate::Operation) are labelled with the operation's type name.
    pub fn metric_label(mut self, label: &'static str) -> Self {
        self.metric_label = label;
        self
    }

    /// Sends no `Authorization` header (a download of a signed URL).
    pub fn unauthenticated(mut self) -> Self {
        self.authenticated = false;
        self
    }

    /// The operation's name, as errors and spans show it (cloning a static name allocates nothing).
    pub fn operation(&self) -> &Cow<'static, str> {
        &self.operation
    }

    /// Whether the request may be sent again after it may have reached the vendor.
    pub fn idempotency(&self) -> Idempotency {
        self.idempotency
    }

    /// The URL the request goes to.
    pub fn url(&self) -> &Url {
        &self.url
    }
}
