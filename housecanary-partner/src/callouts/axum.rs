//! A ready callout endpoint for axum (feature `axum`).
//!
//! [`router`] mounts a [`CalloutReceiver`] at a path; [`receive`] is the bare handler for routers that
//! want to place it themselves. Both read the body with the receiver's limit (a `Content-Length`
//! over it is refused before reading), then answer with [`CalloutReceiver::handle`]'s outcome. The
//! budget counts from the request's arrival: a body still incomplete when it runs out is answered
//! `503` (the vendor redelivers), and the handler gets what is left.
//!
//! ```no_run
//! use housecanary_partner::{CalloutAuth, SecretString};
//! use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = CalloutAuth::hmac_sha1(
//!     http::HeaderName::from_static("x-hc-signature"),
//!     SecretString::from(std::env::var("HC_CALLOUT_SECRET")?),
//! )?;
//! let receiver = CalloutReceiver::new(
//!     CalloutVerifier::new(auth),
//!     InMemoryMessageLog::default(),
//!     |message| async move {
//!         tracing::info!(kind = message.message_type(), "callout");
//!         Ok::<(), std::io::Error>(())
//!     },
//! );
//! let app = housecanary_partner::callouts::axum::router(receiver, "/hc/callouts");
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use http::StatusCode;

use super::admission::Ticket;
use super::deadline::within;
use super::outcome::CalloutOutcome;
use super::receiver::CalloutReceiver;

/// A router answering `POST path` with `receiver` (other methods get `405`).
///
/// Merge it into the application's router (`app.merge(router(...))`) or serve it alone.
///
/// # Panics
/// When `path` does not start with `/` (axum's rule for routes); this is configuration, checked once
/// at startup.
///
/// ```no_run
/// # use housecanary_partner::callouts::CalloutReceiver;
/// # fn app(receiver: CalloutReceiver) -> axum::Router {
/// axum::Router::new()
///     .route("/health", axum::routing::get(|| async { "ok" }))
///     .merge(housecanary_partner::callouts::axum::router(receiver, "/callouts"))
/// # }
/// ```
pub fn router(receiver: CalloutReceiver, path: &str) -> Router {
    Router::new()
        .route(path, post(receive))
        .with_state(receiver)
}

/// The axum handler: authenticates what it can from the headers, admits the request under the
/// receiver's limits, reads the body within its limit and deadline, and answers with the outcome of
/// [`CalloutReceiver::handle`].
///
/// In order, before any body byte is read: an announced body over the limit → `413`; the headers
/// fail authentication → `401` (the whole check for Basic and token schemes; for the HMAC scheme a
/// missing or malformed signature); too many requests in flight, or not enough free body memory for
/// the announced length → `503`. A body that does not arrive within the body deadline → `503`.
///
/// ```no_run
/// # use housecanary_partner::callouts::CalloutReceiver;
/// use housecanary_partner::callouts::axum::receive;
/// # fn app(receiver: CalloutReceiver) -> axum::Router {
/// axum::Router::new()
///     .route("/partner/hc", axum::routing::post(receive))
///     .with_state(receiver)
/// # }
/// ```
pub async fn receive(State(receiver): State<CalloutReceiver>, request: Request) -> Response {
    // The vendor's 30 s run from its request, so reading the body spends the budget too, and a
    // body that stalls cannot hold the connection past it.
    let arrived = tokio::time::Instant::now();
    let deadline = arrived + receiver.budget();
    let (parts, body) = request.into_parts();
    let limit = receiver.body_limit();
    let announced = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        tracing::warn!(?announced, limit, "callout rejected: body too large");
        return CalloutOutcome::TooLarge { limit }.into_response();
    }
    // Never log the URI or headers: they may carry the token.
    if let Err(reason) = receiver
        .verifier()
        .check_headers(&parts.uri, &parts.headers)
    {
        tracing::warn!(%reason, "callout rejected before its body: authentication failed");
        return CalloutOutcome::Unauthorized.into_response();
    }
    let admission = receiver.admission();
    let Some(mut ticket) = admission.admit() else {
        tracing::warn!("callout refused: too many requests in flight");
        return CalloutOutcome::Overloaded.into_response();
    };
    let announced = announced.and_then(|length| usize::try_from(length).ok());
    if let Some(length) = announced {
        if !ticket.reserve(length) {
            tracing::warn!(length, "callout refused: body memory in use");
            return CalloutOutcome::Overloaded.into_response();
        }
    }
    let body_deadline = deadline.min(arrived + admission.body_deadline);
    // Boxed so the request's future stays small while the body is read (see `within`).
    let read = Box::pin(read_limited(body, limit, announced, &mut ticket));
    let body = match within(body_deadline, read).await {
        Ok(Ok(body)) => body,
        Ok(Err(response)) => return response,
        Err(_) => {
            tracing::warn!("callout rejected: the body did not arrive within its deadline");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "body not received in time; retry later",
            )
                .into_response();
        }
    };
    let outcome = receiver
        .handle_until(&parts.uri, &parts.headers, body, deadline)
        .await;
    drop(ticket);
    outcome.into_response()
}

/// Collects the body, refusing it as soon as it grows past `limit` (chunked bodies announce no
/// length) or past the body memory the ticket can reserve. A body that arrives as one chunk (most
/// callouts) is returned as that chunk, without a copy.
async fn read_limited(
    body: Body,
    limit: usize,
    announced: Option<usize>,
    ticket: &mut Ticket,
) -> Result<Bytes, Response> {
    let mut stream = body.into_data_stream();
    let mut first: Option<Bytes> = None;
    let mut collected = BytesMut::new();
    let mut total = 0_usize;
    let mut reserved = announced.unwrap_or(0);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            tracing::warn!(%error, "callout rejected: could not read the body");
            (StatusCode::BAD_REQUEST, "could not read the body").into_response()
        })?;
        total = total.saturating_add(chunk.len());
        if total > limit {
            tracing::warn!(limit, "callout rejected: body too large");
            return Err(CalloutOutcome::TooLarge { limit }.into_response());
        }
        // A body without a length (or longer than announced) reserves memory as it grows.
        if total > reserved {
            if !ticket.reserve(total - reserved) {
                tracing::warn!("callout refused: body memory in use");
                return Err(CalloutOutcome::Overloaded.into_response());
            }
            reserved = total;
        }
        match first.take() {
            None if collected.is_empty() => first = Some(chunk),
            earlier => {
                if let Some(earlier) = earlier {
                    collected.reserve(announced.unwrap_or(total).max(total));
                    collected.extend_from_slice(&earlier);
                }
                collected.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| collected.freeze()))
}

impl IntoResponse for CalloutOutcome {
    /// The outcome's [`status`](CalloutOutcome::status). A refusal or failure carries its short
    /// plain-text [`body`](CalloutOutcome::body) too, for whoever reads the vendor's delivery log or
    /// tries the endpoint by hand; an acknowledgement (`2xx`) carries none: the vendor reads only the
    /// status, and an empty answer is the cheapest one to send at thousands a second.
    fn into_response(self) -> Response {
        if self.is_acknowledged() {
            self.status().into_response()
        } else {
            (self.status(), self.body()).into_response()
        }
    }
}
