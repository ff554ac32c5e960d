//! What several test modules share: a client for a mock server, signed callout requests, the
//! axum receiver on loopback, and the name a test is known by when this binary re-runs itself.

use std::time::Duration;

use bytes::Bytes;
use housecanary_partner::{CalloutAuth, Client, Config, Environment, RetryPolicy, SecretString};
use wiremock::MockServer;

/// The partner token of the mock-server tests.
pub const TOKEN: &str = "test-partner-token";

/// The header of the HMAC-SHA1 callout scheme in these tests, as the vendor's example names it.
#[cfg(feature = "axum")]
pub const SIGNATURE_HEADER: &str = "x-hc-signature";

/// A client of the Partner API at `origin` (`{origin}/partner-api/v1/`) sending `token`, without
/// timeouts: tests run under tokio's paused clock, which would fire them while the runtime waits
/// for the network.
pub fn client_at(origin: &str, token: &str, policy: RetryPolicy) -> Client {
    Client::new(config_at(origin, token, policy)).expect("client")
}

fn config_at(origin: &str, token: &str, policy: RetryPolicy) -> Config {
    let base = format!("{origin}/partner-api/v1/")
        .parse()
        .expect("base URL");
    Config::new(
        Environment::Custom(base),
        SecretString::from(token.to_owned()),
    )
    .without_timeouts()
    .retry_policy(policy)
}

/// A client of the mock server, retrying after 5 ms.
pub fn client_for(server: &MockServer) -> Client {
    client_at(&server.uri(), TOKEN, fast_retries())
}

/// A client of the mock server whose connections never expire idle: for waits whose paused clock jumps past the pool's idle timeout between polls. An
/// injected HTTP client, so redirects are refused rather than answered (see `Config::http_client`).
pub fn paused_clock_client(server: &MockServer, policy: RetryPolicy) -> Client {
    let http = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .expect("HTTP client");
    let config = config_at(&server.uri(), TOKEN, policy);
    Client::new(config.http_client(http)).expect("client")
}

/// Retries after 5 ms, so that retried tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(5))
}

/// The HMAC-SHA1 callout scheme (`x-hc-signature: sha1=<hex>`) with `secret`.
#[cfg(feature = "axum")]
pub fn hmac_auth(secret: &str) -> CalloutAuth {
    CalloutAuth::hmac_sha1(
        http::HeaderName::from_static(SIGNATURE_HEADER),
        SecretString::from(secret.to_owned()),
    )
    .expect("non-empty callout secret")
}

/// An `order_item_status_change` callout body with this `message_id`.
pub fn item_status_body(message_id: &str) -> Bytes {
    Bytes::from(format!(
        r#"{{"message_type":"order_item_status_change","message_id":"{message_id}","order_id":1,"customer_order_id":"c-1","order_item_id":2,"customer_item_id":null,"new_status":"complete","external_integration_id":null}}"#
    ))
}

/// Request parts as the vendor sends them for `body`, authenticated with `auth`.
/// Request parts with `uri` and `headers`, as a server would hand them over.
pub fn request_parts(uri: &http::Uri, headers: &http::HeaderMap) -> http::request::Parts {
    let mut request = http::Request::post(uri.clone())
        .body(())
        .expect("a request");
    *request.headers_mut() = headers.clone();
    request.into_parts().0
}

pub fn signed_parts(auth: &CalloutAuth, body: &[u8]) -> http::request::Parts {
    let signed = auth
        .sign(&"/callouts".parse().expect("URI"), body)
        .expect("sign");
    let mut request = http::Request::post(signed.uri).body(()).expect("request");
    *request.headers_mut() = signed.headers;
    request.into_parts().0
}

/// Serves `receiver` with the crate's axum router and server setup at `path` on an ephemeral
/// loopback port.
#[cfg(feature = "axum")]
pub async fn serve(
    receiver: housecanary_partner::callouts::CalloutReceiver,
    path: &str,
) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let head_timeout = receiver.config().head_timeout;
    let app = housecanary_partner::callouts::axum::router(receiver, path);
    let server = housecanary_partner::callouts::axum::serve(
        listener,
        app,
        head_timeout,
        std::future::pending(),
    );
    tokio::spawn(server);
    addr
}

/// The name the test harness knows the test `name` of module `module_path` (`module_path!()`)
/// by, for re-running this binary on that test alone (`--exact`): the path without the crate.
#[cfg(all(feature = "axum", feature = "postgres"))]
pub fn test_name(module_path: &str, name: &str) -> String {
    let within = module_path
        .split_once("::")
        .map_or("", |(_crate, rest)| rest);
    format!("{within}::{name}")
}
