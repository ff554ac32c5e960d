//! A vendor operation described by what it is on the wire, and the one generic send for it.

use std::borrow::Cow;

use bytes::Bytes;
use http::Method;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::Error;
use crate::request::Request;
use crate::retry::Idempotency;
use crate::transport::Transport;

/// One vendor operation: its method, path, idempotency, body and what a success decodes to.
///
/// Each vendor crate implements it once per operation, in a file named for the operation
/// (`orders/create_order.rs`, `request/second_use.rs`), and sends it through
/// [`Transport::execute`], or, when the caller adds to the request or keeps the raw body (as
/// Innovis does for its ledger-recorded send), through [`request_for`] and [`Transport::send`].
/// A reader finds what any call is on the wire by reading one `impl`.
///
/// ```
/// use std::borrow::Cow;
/// use credit_valuation_core::{Idempotency, Operation};
///
/// /// `GET orders/{id}/`
/// struct GetOrder(u64);
///
/// #[derive(serde::Deserialize)]
/// struct Order { id: u64 }
///
/// impl Operation for GetOrder {
///     type Output = Order;
///     const METHOD: http::Method = http::Method::GET;
///     const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;
///     fn path(&self) -> Vec<Cow<'_, str>> {
///         vec!["orders".into(), self.0.to_string().into(), "".into()]
///     }
/// }
///
/// let base = url::Url::parse("https://api.example/v1/").unwrap();
/// let request = credit_valuation_core::request_for(&GetOrder(7), &base).unwrap();
/// assert_eq!(request.url().as_str(), "https://api.example/v1/orders/7/");
/// assert_eq!(request.operation(), "GET orders/7/");
/// ```
pub trait Operation {
    /// What a success body decodes to.
    type Output: DeserializeOwned;
    /// The HTTP method.
    const METHOD: Method;
    /// Whether the request may be sent again after it may have reached the vendor.
    const IDEMPOTENCY: Idempotency;
    /// The operation's name in errors and spans when its path is not telling (an endpoint that
    /// serves every product, for instance); by default `METHOD path`.
    const NAME: Option<&'static str> = None;

    /// Path segments after the base URL, each percent-encoded when sent; an empty last segment
    /// gives the URL a trailing `/`. No segments: the base URL itself.
    fn path(&self) -> Vec<Cow<'_, str>>;

    /// Query parameters, percent-encoded when sent. They are never part of the operation's name
    /// (errors and spans show no query).
    fn query(&self) -> Vec<(&'static str, Cow<'_, str>)> {
        Vec::new()
    }

    /// The JSON body, if the operation sends one.
    fn body(&self) -> Result<Option<Bytes>, serde_json::Error> {
        Ok(None)
    }
}

/// The [`Request`] that sends `operation` to the API at `base` (for callers that add a
/// deadline or read the raw response; [`Transport::execute`] does this itself).
///
/// ```
/// # use std::borrow::Cow;
/// # struct ListItems;
/// # impl credit_valuation_core::Operation for ListItems {
/// #     type Output = Vec<u32>;
/// #     const METHOD: http::Method = http::Method::GET;
/// #     const IDEMPOTENCY: credit_valuation_core::Idempotency = credit_valuation_core::Idempotency::Idempotent;
/// #     fn path(&self) -> Vec<Cow<'_, str>> { vec!["items".into(), "".into()] }
/// #     fn query(&self) -> Vec<(&'static str, Cow<'_, str>)> { vec![("status", "in progress".into())] }
/// # }
/// let base = url::Url::parse("https://api.example/v1/").unwrap();
/// let request = credit_valuation_core::request_for(&ListItems, &base).unwrap();
/// assert_eq!(request.url().as_str(), "https://api.example/v1/items/?status=in+progress");
/// assert_eq!(request.operation(), "GET items/");
/// ```
pub fn request_for<O: Operation + ?Sized>(operation: &O, base: &Url) -> Result<Request, Error> {
    let mut url = base.clone();
    let segments = operation.path();
    if !segments.is_empty() {
        let mut path = url.path_segments_mut().map_err(|()| Error::Config {
            message: format!("the base URL {base} cannot take paths"),
        })?;
        path.pop_if_empty()
            .extend(segments.iter().map(|segment| segment.as_ref()));
    }
    let query = operation.query();
    if !query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(key, value)| (*key, value.as_ref())));
    }
    let name: Cow<'static, str> = match O::NAME {
        Some(name) => Cow::Borrowed(name),
        None => {
            let relative = url.path().strip_prefix(base.path()).unwrap_or(url.path());
            Cow::Owned(format!("{} {relative}", O::METHOD))
        }
    };
    let body = operation.body().map_err(|err| Error::Encode {
        operation: name.clone(),
        message: err.to_string(),
    })?;
    let request = Request::new(O::METHOD, url, O::IDEMPOTENCY, name).metric_label(type_name::<O>());
    Ok(match body {
        Some(body) => request.json_body(body),
        None => request,
    })
}

impl Transport {
    /// Sends `operation` and decodes its success body as the operation's output: the one generic
    /// send every vendor call goes through.
    ///
    /// ```no_run
    /// # use std::borrow::Cow;
    /// # struct GetOrder(u64);
    /// # #[derive(serde::Deserialize)] struct Order { id: u64 }
    /// # impl credit_valuation_core::Operation for GetOrder {
    /// #     type Output = Order;
    /// #     const METHOD: http::Method = http::Method::GET;
    /// #     const IDEMPOTENCY: credit_valuation_core::Idempotency = credit_valuation_core::Idempotency::Idempotent;
    /// #     fn path(&self) -> Vec<Cow<'_, str>> { vec!["orders".into(), self.0.to_string().into(), "".into()] }
    /// # }
    /// # async fn run(transport: credit_valuation_core::Transport) -> Result<(), credit_valuation_core::Error> {
    /// let order = transport.execute(&GetOrder(7)).await?;
    /// println!("order {}", order.id);
    /// # Ok(()) }
    /// ```
    pub async fn execute<O: Operation + ?Sized>(&self, operation: &O) -> Result<O::Output, Error> {
        let request = request_for(operation, self.base_url())?;
        self.send_json(request).await
    }
}

/// `GetOrder` of `housecanary_partner::orders::get_order::GetOrder<'_>`: a fixed, PII-free label.
fn type_name<O: ?Sized>() -> &'static str {
    let full = std::any::type_name::<O>();
    let path = full.split('<').next().unwrap_or(full);
    // The last `::` segment, found with a one-character search (this runs on every call).
    path.rsplit(':').next().unwrap_or(path)
}
