//! The axum receiver through a real HTTP server on loopback, with a reqwest client as the vendor.
#![cfg(feature = "axum")]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use housecanary_partner::callouts::{
    CalloutMessage, CalloutReceiver, CalloutVerifier, InMemoryMessageLog, ReceiverConfig,
};
use housecanary_partner::{CalloutAuth, SecretString};
use reqwest::StatusCode;
use tokio::sync::Notify;

use crate::support::{self, SIGNATURE_HEADER, serve};

const SECRET: &str = "partner-callout-secret";

fn auth() -> CalloutAuth {
    support::hmac_auth(SECRET)
}

fn status_change(message_id: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "message_type": "order_status_change",
        "message_id": message_id,
        "order_id": 1201,
        "customer_order_id": "batch-1",
        "new_status": "complete",
        "external_integration_ids": ["a"]
    }))
    .expect("test JSON")
}

/// The vendor's side: signs `body` and POSTs it; returns the status and the response text.
async fn deliver(
    client: &reqwest::Client,
    addr: SocketAddr,
    body: Vec<u8>,
) -> (StatusCode, String) {
    let url = format!("http://{addr}/callouts");
    let signed = auth()
        .sign(&url.parse().expect("URI"), &body)
        .expect("sign");
    let response = client
        .post(signed.uri.to_string())
        .headers(signed.headers)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("request reaches the loopback server");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

/// A handler that counts its calls and records the ids it accepted.
#[derive(Clone, Default)]
struct Recorder {
    calls: Arc<AtomicUsize>,
    accepted: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn record(&self, message: &CalloutMessage) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(id) = message.message_id() {
            self.accepted
                .lock()
                .expect("not poisoned")
                .push(id.to_owned());
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn accepted(&self) -> Vec<String> {
        self.accepted.lock().expect("not poisoned").clone()
    }
}

fn counting_receiver(recorder: &Recorder) -> CalloutReceiver {
    let recorder = recorder.clone();
    CalloutReceiver::new(
        CalloutVerifier::new(auth()),
        Arc::new(InMemoryMessageLog::default()),
        move |message: CalloutMessage| {
            let recorder = recorder.clone();
            async move {
                recorder.record(&message);
                Ok::<(), String>(())
            }
        },
    )
    .unwrap()
}

#[tokio::test]
async fn ten_redeliveries_of_one_message_run_the_handler_once() {
    let recorder = Recorder::default();
    let addr = serve(counting_receiver(&recorder), "/callouts").await;
    let client = reqwest::Client::new();
    for attempt in 0..10 {
        let (status, text) = deliver(&client, addr, status_change("m-redelivered")).await;
        assert_eq!(status, StatusCode::OK, "attempt {attempt}: {text}");
    }
    assert_eq!(recorder.calls(), 1);
    assert_eq!(recorder.accepted(), ["m-redelivered"]);
}

#[tokio::test]
async fn a_handler_failure_then_a_redelivery_processes_the_message_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let successes = Arc::new(AtomicUsize::new(0));
    let receiver = {
        let (calls, successes) = (Arc::clone(&calls), Arc::clone(&successes));
        CalloutReceiver::new(
            CalloutVerifier::new(auth()),
            Arc::new(InMemoryMessageLog::default()),
            move |_message: CalloutMessage| {
                let (calls, successes) = (Arc::clone(&calls), Arc::clone(&successes));
                async move {
                    if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                        return Err("database briefly unavailable");
                    }
                    successes.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
            },
        )
        .unwrap()
    };
    let addr = serve(receiver, "/callouts").await;
    let client = reqwest::Client::new();

    let (status, text) = deliver(&client, addr, status_change("m-retry")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{text}");
    assert!(
        !text.contains("database"),
        "the handler's error is not sent back: {text}"
    );

    let (status, _) = deliver(&client, addr, status_change("m-retry")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = deliver(&client, addr, status_change("m-retry")).await;
    assert_eq!(status, StatusCode::OK);

    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "failed once, succeeded once, then deduplicated"
    );
    assert_eq!(successes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_redelivery_is_processed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = {
        let calls = Arc::clone(&calls);
        CalloutReceiver::new(
            CalloutVerifier::new(auth()),
            Arc::new(InMemoryMessageLog::default()),
            move |_message: CalloutMessage| {
                let calls = Arc::clone(&calls);
                async move {
                    if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                        panic!("handler bug");
                    }
                    Ok::<(), String>(())
                }
            },
        )
        .unwrap()
    };
    let addr = serve(receiver, "/callouts").await;
    let client = reqwest::Client::new();
    let (status, _) = deliver(&client, addr, status_change("m-panic")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (status, _) = deliver(&client, addr, status_change("m-panic")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_slow_handler_answers_5xx_within_the_budget_and_leaves_the_id_unprocessed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = {
        let calls = Arc::clone(&calls);
        CalloutReceiver::new(
            CalloutVerifier::new(auth()),
            Arc::new(InMemoryMessageLog::default()),
            move |_message: CalloutMessage| {
                let calls = Arc::clone(&calls);
                async move {
                    if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                        // Never finishes: only the budget can end this delivery.
                        std::future::pending::<()>().await;
                    }
                    Ok::<(), String>(())
                }
            },
        )
        .unwrap()
        .with_config(ReceiverConfig {
            budget: Duration::from_millis(200),
            ..ReceiverConfig::default()
        })
        .expect("budget shorter than the lease")
    };
    let addr = serve(receiver, "/callouts").await;
    let client = reqwest::Client::new();

    let started = std::time::Instant::now();
    let (status, _) = deliver(&client, addr, status_change("m-slow")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered at the budget, not later"
    );

    let (status, _) = deliver(&client, addr, status_change("m-slow")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the overrun left the id unprocessed"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn concurrent_deliveries_of_one_id_run_the_handler_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let entered = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let receiver = {
        let (calls, entered, release) = (
            Arc::clone(&calls),
            Arc::clone(&entered),
            Arc::clone(&release),
        );
        CalloutReceiver::new(
            CalloutVerifier::new(auth()),
            Arc::new(InMemoryMessageLog::default()),
            move |_message: CalloutMessage| {
                let (calls, entered, release) = (
                    Arc::clone(&calls),
                    Arc::clone(&entered),
                    Arc::clone(&release),
                );
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    entered.notify_one();
                    release.notified().await;
                    Ok::<(), String>(())
                }
            },
        )
        .unwrap()
    };
    let addr = serve(receiver, "/callouts").await;
    let client = reqwest::Client::new();

    let first = tokio::spawn({
        let client = client.clone();
        async move { deliver(&client, addr, status_change("m-concurrent")).await }
    });
    entered.notified().await; // the first delivery holds the claim now

    let duplicates = futures_util::future::join_all(
        (0..5).map(|_| deliver(&client, addr, status_change("m-concurrent"))),
    )
    .await;
    for (status, text) in duplicates {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
    }

    release.notify_one();
    let (status, _) = first.await.expect("first delivery task");
    assert_eq!(status, StatusCode::OK);
    let (status, text) = deliver(&client, addr, status_change("m-concurrent")).await;
    // An acknowledgement has no body: the vendor reads only the status.
    assert_eq!((status, text.as_str()), (StatusCode::OK, ""));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_oversized_body_is_answered_413_announced_or_chunked() {
    let recorder = Recorder::default();
    let addr = serve(
        counting_receiver(&recorder)
            .with_config(ReceiverConfig {
                body_limit: 1024,
                ..ReceiverConfig::default()
            })
            .unwrap(),
        "/callouts",
    )
    .await;
    let client = reqwest::Client::new();

    // A valid, signed callout padded past the limit with an extra field.
    let mut value: serde_json::Value = serde_json::from_slice(&status_change("m-big")).unwrap();
    value["padding"] = serde_json::Value::String("x".repeat(2048));
    let body = serde_json::to_vec(&value).unwrap();
    let (status, _) = deliver(&client, addr, body.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // Chunked transfer: no Content-Length, the limit is enforced while reading.
    let url = format!("http://{addr}/callouts");
    let signed = auth().sign(&url.parse().unwrap(), &body).unwrap();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(256).map(|chunk| Ok(chunk.to_vec())).collect();
    let response = client
        .post(signed.uri.to_string())
        .headers(signed.headers)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Just under the limit passes.
    let (status, _) = deliver(&client, addr, status_change("m-small")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(recorder.accepted(), ["m-small"]);
}

#[tokio::test]
async fn the_default_limit_takes_an_order_complete_with_a_large_report() {
    let recorder = Recorder::default();
    let addr = serve(counting_receiver(&recorder), "/callouts").await;
    // 3 MiB of base64: past the 2 MiB that axum's own extractors would allow by default.
    let report = "QUJD".repeat(768 * 1024);
    let body = serde_json::to_vec(&serde_json::json!({
        "message_type": "order_complete", "message_id": "c-big", "order_id": 1,
        "order_item_id": 2, "report": report, "external_integration_ids": []
    }))
    .unwrap();
    let (status, _) = deliver(&reqwest::Client::new(), addr, body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(recorder.accepted(), ["c-big"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_distinct_messages_are_all_processed() {
    let recorder = Recorder::default();
    let addr = serve(counting_receiver(&recorder), "/callouts").await;
    let client = reqwest::Client::new();
    let results = futures_util::future::join_all(
        (0..100).map(|i| deliver(&client, addr, status_change(&format!("m-{i}")))),
    )
    .await;
    assert!(
        results.iter().all(|(status, _)| *status == StatusCode::OK),
        "{results:?}"
    );
    assert_eq!(recorder.calls(), 100);
    let distinct: HashSet<String> = recorder.accepted().into_iter().collect();
    assert_eq!(distinct.len(), 100);
}

#[tokio::test]
async fn unauthenticated_and_non_callout_requests_never_reach_the_handler() {
    let recorder = Recorder::default();
    let addr = serve(counting_receiver(&recorder), "/callouts").await;
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/callouts");

    // Signed with another secret: 401, and the answer does not say why.
    let body = status_change("m-forged");
    let forged = CalloutAuth::hmac_sha1(
        http::HeaderName::from_static(SIGNATURE_HEADER),
        SecretString::from("attacker-0123456789"),
    )
    .expect("non-empty callout credentials")
    .sign(&url.parse().unwrap(), &body)
    .unwrap();
    let response = client
        .post(&url)
        .headers(forged.headers)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let text = response.text().await.unwrap();
    assert_eq!(text, "unauthorized");

    // No signature at all.
    let response = client
        .post(&url)
        .body(status_change("m-bare"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Properly signed but not a callout: kept as a dead letter and acknowledged, never lost.
    let (status, text) = deliver(&client, addr, b"{\"hello\":\"world\"}".to_vec()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text, "");
    let (status, _) = deliver(&client, addr, b"not json".to_vec()).await;
    assert_eq!(status, StatusCode::OK);

    // Only POST is routed.
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);

    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn an_unknown_message_type_reaches_the_handler_and_is_deduplicated() {
    let recorder = Recorder::default();
    let addr = serve(counting_receiver(&recorder), "/callouts").await;
    let client = reqwest::Client::new();
    let body =
        br#"{"message_type":"order_review_required","message_id":"u-1","order_id":5}"#.to_vec();
    for _ in 0..3 {
        let (status, _) = deliver(&client, addr, body.clone()).await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(recorder.accepted(), ["u-1"]);
}

#[tokio::test]
async fn a_body_that_stalls_is_answered_503_within_the_budget_without_the_handler() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let recorder = Recorder::default();
    let addr = serve(
        counting_receiver(&recorder)
            .with_config(ReceiverConfig {
                budget: Duration::from_millis(300),
                ..ReceiverConfig::default()
            })
            .expect("budget shorter than the lease"),
        "/callouts",
    )
    .await;
    let body = status_change("m-stalled");
    let signed = auth()
        .sign(&"/callouts".parse().expect("URI"), &body)
        .expect("sign");
    let signature = signed
        .headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .expect("signature header")
        .to_owned();
    // Announce the whole body, send half of it, then stall with the connection open.
    let mut socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /callouts HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         {SIGNATURE_HEADER}: {signature}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.expect("write head");
    let half = body.get(..body.len() / 2).expect("half");
    socket.write_all(half).await.expect("write half");

    let started = std::time::Instant::now();
    let mut answer = vec![0_u8; 512];
    let read = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut answer))
        .await
        .expect("answered while the body was still incomplete")
        .expect("read");
    let answer = String::from_utf8_lossy(answer.get(..read).unwrap_or_default()).into_owned();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(recorder.calls(), 0);
}

#[test]
fn the_endpoint_counts_its_answers_by_status() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let addr = serve(counting_receiver(&Recorder::default()), "/callouts").await;
            let client = reqwest::Client::new();
            let (status, _) = deliver(&client, addr, status_change("m-counted")).await;
            assert_eq!(status, StatusCode::OK);
            let unsigned = client
                .post(format!("http://{addr}/callouts"))
                .body(status_change("m-forged"))
                .send()
                .await
                .unwrap();
            assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
        })
    });
    let counts: Vec<(String, DebugValue)> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(key, ..)| key.key().name() == housecanary_partner::metrics::CALLOUTS)
        .map(|(key, _, _, value)| {
            let labels: Vec<String> = key
                .key()
                .labels()
                .map(|label| format!("{}={}", label.key(), label.value()))
                .collect();
            (labels.join(","), value)
        })
        .collect();
    for status in ["status=200", "status=401"] {
        assert!(
            counts
                .iter()
                .any(|(labels, value)| labels == status && *value == DebugValue::Counter(1)),
            "{status}: {counts:?}"
        );
    }
}
