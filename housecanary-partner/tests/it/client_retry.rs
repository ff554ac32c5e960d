//! Retries of GETs: Retry-After under paused time, a 503 storm, transport failures.

use std::time::Duration;

use housecanary_partner::{Delivery, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TOKEN, client_at};

/// A day: far beyond any timer of the HTTP stack, which the paused clock may also jump to
/// while the runtime waits for the network, so only an honoured `Retry-After` gets this far.
const DAY: Duration = Duration::from_secs(86_400);

async fn retry_after_then_success(retry_after: String) -> Duration {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/1/"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", retry_after.as_str()))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/1/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1, "status": "new"})))
        .expect(1)
        .mount(&server)
        .await;
    // Without Retry-After the first backoff would be at most 10 ms.
    let policy = RetryPolicy::default()
        .initial_backoff(Duration::from_millis(10))
        .max_retry_after(2 * DAY);
    let client = client_at(&server.uri(), TOKEN, policy);

    let started = tokio::time::Instant::now();
    let order = client.get_order(1_u64).await.unwrap();
    assert_eq!(order.id.to_string(), "1");
    started.elapsed()
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_seconds_is_waited_out_then_succeeds() {
    let waited = retry_after_then_success(DAY.as_secs().to_string()).await;
    assert!(waited >= DAY, "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_as_an_http_date_is_waited_out_then_succeeds() {
    let when = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(86_400 + 60);
    let date = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&when)
        .unwrap();
    let waited = retry_after_then_success(date).await;
    assert!(waited >= DAY, "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_503_storm_gives_up_after_the_configured_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/1/"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"detail": "Service unavailable"})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let client = client_at(&server.uri(), TOKEN, RetryPolicy::default().max_attempts(3));

    let err = client.get_order(1_u64).await.unwrap_err();
    match err {
        Error::Api { status, detail, .. } => {
            assert_eq!(status, 503);
            assert_eq!(detail.as_deref(), Some("Service unavailable"));
        }
        other => panic!("expected Api, got {other:?}"),
    }
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_returned_not_waited() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(60));
    let client = client_at(&server.uri(), TOKEN, policy);

    let err = client.get_order(1_u64).await.unwrap_err();
    assert!(
        matches!(err, Error::Api { status: 429, retry_after: Some(d), .. } if d == Duration::from_secs(3600)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_404_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_at(&server.uri(), TOKEN, RetryPolicy::default());

    let err = client.get_order(1_u64).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_a_transport_error_that_was_not_sent() {
    // Bind then drop a listener so the port is (almost certainly) closed.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = client_at(
        &format!("http://127.0.0.1:{port}"),
        TOKEN,
        RetryPolicy::default().max_attempts(2),
    );

    let err = client.get_order(1_u64).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(err.delivery(), Delivery::NotSent);
}
