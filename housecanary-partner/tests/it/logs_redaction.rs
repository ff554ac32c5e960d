//! What this crate logs (every level, every span field) never holds the partner token, a signed
//! URL's signature, a callout secret or a report blob, on success and on every failure path.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use housecanary_partner::RetryPolicy;
use housecanary_partner::callouts::{
    CalloutOutcome, CalloutReceiver, CalloutVerifier, InMemoryMessageLog,
};
use housecanary_partner::{CalloutAuth, SecretString};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::client_at;

const PARTNER_TOKEN: &str = "partner-token-d41d8cd9";
const SIGNATURE: &str = "signature-8f00b204e98";
const CALLOUT_SECRETS: [&str; 4] = [
    "basic-pw-5e8ff9bf",
    "header-tok-0cc175b9",
    "query-tok-92eb5ffe",
    "hmac-key-4a8a08f0",
];
/// Base64 of a fake report; its text must not reach any log line.
const REPORT: &str = "JVBERi0xLjQgc2VjcmV0IHJlcG9ydCBjb250ZW50";

/// Everything the subscriber writes, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Installs a TRACE subscriber for this crate on the current thread (the tests run on a
/// current-thread runtime, so every event of the test lands here).
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("housecanary_partner=trace,credit_valuation_core=trace")
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(captured.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

fn assert_absent(logs: &str, needles: &[&str]) {
    assert!(
        !logs.is_empty(),
        "nothing was logged: the test would prove nothing"
    );
    for needle in needles {
        assert!(
            !logs.contains(needle),
            "{needle} appears in the logs:\n{logs}"
        );
    }
}

#[tokio::test]
async fn client_calls_retries_failures_and_downloads_log_no_token_or_signature() {
    let (captured, _guard) = capture();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/1/"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/1/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1, "status": "new"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/2/"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid token."})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/signed/a.zip"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/signed/a.zip"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"PK".to_vec()))
        .mount(&server)
        .await;
    let client = client_at(
        &server.uri(),
        PARTNER_TOKEN,
        RetryPolicy::default().initial_backoff(Duration::from_millis(1)),
    );

    client.get_order(1_u64).await.unwrap();
    client.get_order(2_u64).await.unwrap_err();
    let signed = format!("{}/signed/a.zip?X-Signature={SIGNATURE}", server.uri());
    let mut out = Vec::new();
    client
        .download_url(&signed.parse().unwrap(), &mut out)
        .await
        .unwrap();

    let logs = captured.text();
    assert!(logs.contains("retrying"), "{logs}");
    assert_absent(&logs, &[PARTNER_TOKEN, SIGNATURE]);
}

fn schemes(secrets: [&str; 4]) -> [CalloutAuth; 4] {
    [
        CalloutAuth::basic("hc", SecretString::from(secrets[0]))
            .expect("non-empty callout credentials"),
        CalloutAuth::header_token(
            http::HeaderName::from_static("x-callout-token"),
            SecretString::from(secrets[1]),
        )
        .expect("non-empty callout credentials"),
        CalloutAuth::query_token("token", SecretString::from(secrets[2]))
            .expect("non-empty callout credentials"),
        CalloutAuth::hmac_sha1(
            http::HeaderName::from_static("x-hc-signature"),
            SecretString::from(secrets[3]),
        )
        .expect("non-empty callout credentials"),
    ]
}

#[tokio::test]
async fn the_receiver_logs_no_secret_and_no_report_on_any_path() {
    let (captured, _guard) = capture();
    let [primary, rest @ ..] = schemes(CALLOUT_SECRETS);
    let verifier = rest.into_iter().fold(
        CalloutVerifier::new(primary),
        CalloutVerifier::with_additional,
    );
    let receiver = CalloutReceiver::new(
        verifier,
        Arc::new(InMemoryMessageLog::default()),
        |message| async move {
            // The first delivery of m-fail fails, so the failure path is logged too.
            match message.message_id() {
                Some("m-fail") => Err("store unavailable".to_owned()),
                _ => Ok(()),
            }
        },
    )
    .unwrap();
    let complete = |id: &str| {
        Bytes::from(
            serde_json::to_vec(&json!({
                "message_type": "order_complete", "message_id": id, "order_id": 1,
                "order_item_id": 2, "download_url": "https://example.com/r.pdf",
                "report": REPORT,
            }))
            .unwrap(),
        )
    };
    let not_a_callout = Bytes::from(
        serde_json::to_vec(&json!({"message_type": "order_complete", "report": REPORT})).unwrap(),
    );
    let near_misses = schemes([
        "basic-pw-5e8ff9bX",
        "header-tok-0cc175bX",
        "query-tok-92eb5ffX",
        "hmac-key-4a8a08fX",
    ]);
    let good = schemes(CALLOUT_SECRETS);
    let mut outcomes = Vec::new();
    for (index, (right, wrong)) in good.iter().zip(&near_misses).enumerate() {
        for body in [
            complete(&format!("m-{index}")),
            complete("m-fail"),
            not_a_callout.clone(),
        ] {
            for auth in [right, wrong] {
                let signed = auth.sign(&"/callouts".parse().unwrap(), &body).unwrap();
                outcomes.push(
                    receiver
                        .handle(
                            &crate::support::request_parts(&signed.uri, &signed.headers),
                            bytes::Bytes::copy_from_slice(&body),
                        )
                        .await,
                );
            }
        }
    }
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, CalloutOutcome::Processed { .. }))
    );
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, CalloutOutcome::HandlerFailed { .. }))
    );
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, CalloutOutcome::DeadLettered { .. }))
    );
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, CalloutOutcome::Unauthorized))
    );

    let logs = captured.text();
    assert!(
        logs.contains("callout rejected: authentication failed"),
        "{logs}"
    );
    // Neither the configured secrets nor the near misses that were received, nor any part of
    // the report worth the name.
    let mut needles: Vec<&str> = CALLOUT_SECRETS.to_vec();
    needles.extend(["5e8ff9b", "0cc175b", "92eb5ff", "4a8a08f"]);
    needles.extend(
        REPORT
            .as_bytes()
            .chunks(12)
            .map(|c| std::str::from_utf8(c).unwrap()),
    );
    assert_absent(&logs, &needles);
}
