//! The one retry rule: idempotent calls retry 429/502/503/504 and transport failures; calls that
//! are not idempotent retry only what certainly was not processed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use credit_valuation_core::{Delivery, Error, Request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{quick_retries, transport, transport_with, url};

#[tokio::test]
async fn an_idempotent_call_retries_gateway_failures_until_success() {
    let server = MockServer::start().await;
    for status in [503, 502, 504] {
        Mock::given(path("/r"))
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(path("/r"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[1]"))
        .mount(&server)
        .await;
    let transport = transport_with(&server.uri(), |c| c.retry_policy(quick_retries(4)));
    let value: Vec<u8> = transport
        .send_json(Request::get(url(&server.uri(), "/r"), "GET r"))
        .await
        .unwrap();
    assert_eq!(value, [1]);
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_call_that_is_not_idempotent_is_never_resent_after_a_5xx() {
    for status in [500, 502, 503, 504] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        let err = transport(&server.uri())
            .send(Request::post(url(&server.uri(), "/orders/"), "POST orders/").json_body("{}"))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.delivery(), Delivery::MayHaveBeenProcessed, "{err}");
        assert!(err.to_string().contains("do not resend"), "{err}");
    }
}

#[tokio::test]
async fn a_429_is_retried_for_every_call_and_retry_after_seconds_is_waited() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_string("{}"))
        .mount(&server)
        .await;
    let started = Instant::now();
    transport(&server.uri())
        .send(Request::post(
            url(&server.uri(), "/orders/"),
            "POST orders/",
        ))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_and_beyond_the_cap() {
    let server = MockServer::start().await;
    // A date in the past: retry at once.
    Mock::given(path("/past"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/past"))
        .respond_with(ResponseTemplate::new(200).set_body_string("1"))
        .mount(&server)
        .await;
    // A date far ahead: past the cap, so the answer is returned with its Retry-After.
    Mock::given(path("/future"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", "Fri, 31 Dec 2100 23:59:59 GMT"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = transport(&server.uri());
    let one: u8 = transport
        .send_json(Request::get(url(&server.uri(), "/past"), "GET past"))
        .await
        .unwrap();
    assert_eq!(one, 1);
    let err = transport
        .send(Request::get(url(&server.uri(), "/future"), "GET future"))
        .await
        .unwrap_err();
    match err {
        Error::Status {
            status: 503,
            retry_after: Some(wait),
            ..
        } => {
            assert!(wait > Duration::from_secs(3600 * 24 * 365));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_when_not_idempotent() {
    // Nothing listens on this port: every attempt fails to connect, so nothing was sent.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let transport = transport(&base);
    let started = Instant::now();
    let err = transport
        .send(Request::post(url(&base, "orders/"), "POST orders/"))
        .await
        .unwrap_err();
    assert_eq!(err.delivery(), Delivery::NotSent, "{err}");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_timeout_after_sending_is_not_resent_when_not_idempotent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .expect(1)
        .mount(&server)
        .await;
    let transport = transport_with(&server.uri(), |c| {
        c.request_timeout(Duration::from_millis(300))
    });
    let err = transport
        .send(Request::post(url(&server.uri(), "/i"), "POST i"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                delivery: Delivery::MayHaveBeenProcessed,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_overall_deadline_stops_retries() {
    let server = MockServer::start().await;
    Mock::given(path("/busy"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "2"))
        .expect(1)
        .mount(&server)
        .await;
    let transport = transport_with(&server.uri(), |c| {
        c.retry_policy(quick_retries(5).overall_deadline(Duration::from_secs(1)))
    });
    let err = transport
        .send(Request::get(url(&server.uri(), "/busy"), "GET busy"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn a_scheme_other_than_http_is_a_configuration_error() {
    let transport = transport("http://127.0.0.1:9/");
    let err = transport
        .send(Request::get(url("ftp://files.example/", "a"), "GET a"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::NotSent);
}

/// A server that reads the start of each request, then hangs up without answering.
async fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0_u8; 1024];
            let _ = socket.read(&mut buffer).await;
            drop(socket);
        }
    });
    (format!("http://{address}/"), connections)
}

/// A server that answers every connection with plain text and hangs up, so an `https` client
/// fails in the TLS handshake: a connection failure, before any request byte was sent.
async fn not_tls_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            drop(socket);
        }
    });
    (format!("https://{address}/"), connections)
}

#[tokio::test]
async fn a_dropped_connection_is_retried_only_when_idempotent() {
    let (base, connections) = hang_up_server().await;
    let transport = transport(&base);
    let err = transport
        .send(Request::get(url(&base, "orders/1/"), "GET orders/1/"))
        .await
        .unwrap_err();
    assert_eq!(err.delivery(), Delivery::MayHaveBeenProcessed, "{err:?}");
    assert_eq!(connections.swap(0, Ordering::SeqCst), 3);

    let err = transport
        .send(Request::post(url(&base, "orders/"), "POST orders/").json_body("{}"))
        .await
        .unwrap_err();
    assert_eq!(err.delivery(), Delivery::MayHaveBeenProcessed, "{err:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failed_tls_handshake_was_never_sent_and_is_retried_for_every_call() {
    let (base, connections) = not_tls_server().await;
    let transport = transport(&base);
    for request in [
        Request::get(url(&base, "orders/1/"), "GET orders/1/"),
        Request::post(url(&base, "orders/"), "POST orders/").json_body("{}"),
    ] {
        let err = transport.send(request).await.unwrap_err();
        assert_eq!(err.delivery(), Delivery::NotSent, "{err:?}");
        assert_eq!(connections.swap(0, Ordering::SeqCst), 3);
    }
}
