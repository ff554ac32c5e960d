//! A ready callout endpoint for axum (feature `axum`): [`router`] mounts a [`CalloutReceiver`]
//! at a path, and [`serve`] runs an app with a request-head timeout.
//!
//! Bodies are read under the receiver's [`ReceiverConfig`](super::ReceiverConfig), so slow senders cannot keep a callout
//! out.
//!
//! ```no_run
//! # async fn run(receiver: housecanary_partner::callouts::CalloutReceiver) -> std::io::Result<()> {
//! let head_timeout = receiver.config().head_timeout;
//! let app = housecanary_partner::callouts::axum::router(receiver, "/hc/callouts");
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! let shutdown = std::future::pending(); // or the application's shutdown signal
//! housecanary_partner::callouts::axum::serve(listener, app, head_timeout, shutdown).await;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use futures_util::StreamExt as _;
use http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::time::{Instant, sleep_until};

use super::receiver::{CalloutOutcome, CalloutReceiver};

/// A router answering `POST path` with `receiver` (other methods get `405`); merge it into the
/// application's router or serve it alone.
///
/// # Panics
/// When `path` does not start with `/` (axum's rule for routes).
pub fn router(receiver: CalloutReceiver, path: &str) -> Router {
    let endpoint = Endpoint {
        receiver,
        readers: Mutex::default(),
    };
    Router::new()
        .route(path, post(receive))
        .with_state(Arc::new(endpoint))
}

/// Serves `app` on `listener` over HTTP/1 until `shutdown` completes, then lets the requests in
/// progress finish; unlike `axum::serve`, disconnects a client whose request head takes longer
/// than `head_timeout`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    head_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    // A read buffer of 64 KiB (hyper's default grows to 400 KiB) per connection: a request head
    // fits, and many connections sending bodies at once hold little memory beyond their bodies.
    http.timer(TokioTimer::new())
        .header_read_timeout(head_timeout)
        .max_buf_size(64 * 1024);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The router's state: the receiver, and the bodies across requests.
struct Endpoint {
    receiver: CalloutReceiver,
    readers: Mutex<Readers>,
}

/// The slots of the bodies being read and the memory all of them hold.
#[derive(Default)]
struct Readers {
    next: u64,
    /// Bytes held by bodies being read or handled.
    memory: usize,
    reading: HashMap<u64, Reader>,
}

struct Reader {
    started: Instant,
    bytes: usize,
    evict: oneshot::Sender<()>,
}

/// Why a body was not read whole: the answer's status and text.
type Refusal = (StatusCode, &'static str);

/// One request's body: its slot while it is read, its memory until the request is answered.
struct Held<'a> {
    endpoint: &'a Endpoint,
    id: u64,
    bytes: usize,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut readers = self.endpoint.lock();
        readers.reading.remove(&self.id);
        readers.memory -= self.bytes;
    }
}

impl Endpoint {
    fn lock(&self) -> MutexGuard<'_, Readers> {
        self.readers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for a new body; when all are taken, the reader furthest behind the minimum rate (the
    /// oldest among those that sent nothing) is told to go.
    fn admit(&self, now: Instant) -> (Held<'_>, oneshot::Receiver<()>) {
        let (evict, evicted) = oneshot::channel();
        let mut readers = self.lock();
        let config = self.receiver.config();
        if readers.reading.len() >= config.body_slots {
            let rate = config.min_body_rate.max(1) as f64;
            let behind =
                |reader: &Reader| (now - reader.started).as_secs_f64() - reader.bytes as f64 / rate;
            let slowest = readers
                .reading
                .iter()
                .max_by(|a, b| behind(a.1).total_cmp(&behind(b.1)))
                .map(|(id, _)| *id);
            if let Some(reader) = slowest.and_then(|id| readers.reading.remove(&id)) {
                // The reader may have finished meanwhile; then there is nothing to tell.
                let _ = reader.evict.send(());
            }
        }
        let id = readers.next;
        readers.next += 1;
        let reader = Reader {
            started: now,
            bytes: 0,
            evict,
        };
        readers.reading.insert(id, reader);
        let held = Held {
            endpoint: self,
            id,
            bytes: 0,
        };
        (held, evicted)
    }

    /// Reads `body` whole under the limits, or says why not; the body's memory stays held by the
    /// returned guard.
    async fn read(&self, body: Body, deadline: Instant) -> Result<(Bytes, Held<'_>), Refusal> {
        let config = self.receiver.config();
        let started = Instant::now();
        let (mut held, mut evicted) = self.admit(started);
        let mut last = started;
        // Chunks are copied out at once: a chunk can keep a whole read buffer of the server alive.
        // The copy grows by doubling (at most to the limit), and its capacity is what is counted.
        let mut collected: Vec<u8> = Vec::new();
        let mut stream = body.into_data_stream();
        loop {
            // From the first second on, `collected.len()` at `min_body_rate` must cover the time.
            let rate = config.min_body_rate.max(1) as f64;
            let allowed = Duration::from_secs_f64(collected.len() as f64 / rate);
            let crawl = started + allowed.max(Duration::from_secs(1));
            let wake = (last + config.idle_timeout).min(crawl).min(deadline);
            let chunk = tokio::select! {
                biased;
                _ = &mut evicted => return Err((StatusCode::REQUEST_TIMEOUT, "every body slot is taken and this body was the slowest")),
                chunk = stream.next() => chunk,
                () = sleep_until(wake) => {
                    return Err(match wake {
                        _ if wake >= deadline => (StatusCode::SERVICE_UNAVAILABLE, "body not received in time"),
                        _ if wake >= last + config.idle_timeout => (StatusCode::REQUEST_TIMEOUT, "the body paused too long"),
                        _ => (StatusCode::REQUEST_TIMEOUT, "the body arrives too slowly"),
                    });
                }
            };
            let Some(chunk) = chunk else { break };
            let chunk = chunk.map_err(|_| (StatusCode::BAD_REQUEST, "could not read the body"))?;
            let needed = collected.len() + chunk.len();
            if needed > config.body_limit {
                let limit = config.body_limit;
                return Err(CalloutOutcome::TooLarge { limit }.answer());
            }
            let grown = if needed > collected.capacity() {
                needed.max(collected.capacity() * 2).min(config.body_limit)
            } else {
                collected.capacity()
            };
            let mut readers = self.lock();
            let more = grown - collected.capacity();
            if readers.memory + more > config.body_memory {
                return Err(CalloutOutcome::Overloaded.answer());
            }
            readers.memory += more;
            held.bytes += more;
            if let Some(reader) = readers.reading.get_mut(&held.id) {
                reader.bytes = needed;
            }
            drop(readers);
            collected.reserve_exact(grown - collected.len());
            collected.extend_from_slice(&chunk);
            last = Instant::now();
        }
        // The slot is free for the next body; the memory stays held until the answer.
        self.lock().reading.remove(&held.id);
        Ok((Bytes::from(collected), held))
    }
}

/// Before any body byte is read: an announced body over the limit → `413`, headers that fail
/// authentication → `401`; then the body is read and handled by [`CalloutReceiver`].
async fn receive(State(endpoint): State<Arc<Endpoint>>, request: Request) -> Response {
    let response = answer(&endpoint, request).await;
    crate::metrics::callout_answered(response.status());
    response
}

async fn answer(endpoint: &Endpoint, request: Request) -> Response {
    // The vendor's 30 s run from its request, so reading the body spends the budget too.
    let receiver = &endpoint.receiver;
    let deadline = Instant::now() + receiver.config().budget;
    let (parts, body) = request.into_parts();
    let limit = receiver.config().body_limit;
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
    let (body, _held) = match endpoint.read(body, deadline).await {
        Ok(read) => read,
        Err((status, text)) => {
            tracing::warn!(%status, reason = text, "callout body dropped");
            return (status, text).into_response();
        }
    };
    receiver
        .handle_until(&parts.uri, &parts.headers, body, deadline)
        .await
        .into_response()
}

impl IntoResponse for CalloutOutcome {
    /// The outcome's [`status`](CalloutOutcome::status), with its [`body`](CalloutOutcome::body)
    /// unless it is a `2xx` (the vendor reads only the status).
    fn into_response(self) -> Response {
        match self.answer() {
            (status, _) if status.is_success() => status.into_response(),
            answer => answer.into_response(),
        }
    }
}
