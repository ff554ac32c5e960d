//! What goes on the wire: `Content-Length: 0` on a body-less POST, headers, spans.

use std::sync::{Arc, Mutex};

use credit_valuation_core::Request;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{transport, url};

#[tokio::test]
async fn a_post_without_a_body_sends_content_length_zero() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("content-length", "0"))
        .respond_with(ResponseTemplate::new(201).set_body_string("{}"))
        .expect(1)
        .mount(&server)
        .await;
    transport(&server.uri())
        .send(Request::post(
            url(&server.uri(), "/orders/7/exports/"),
            "POST exports/",
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_json_body_goes_with_its_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("content-type", "application/json"))
        .and(header("user-agent", "client-core-tests/1"))
        .respond_with(ResponseTemplate::new(201).set_body_string("{}"))
        .expect(1)
        .mount(&server)
        .await;
    transport(&server.uri())
        .send(Request::post(url(&server.uri(), "/o"), "POST o").json_body(r#"{"a":1}"#))
        .await
        .unwrap();
    let seen = server.received_requests().await.unwrap();
    assert_eq!(seen[0].body, br#"{"a":1}"#);
}

/// Captures what a `fmt` subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Set in the child process that runs the span test alone.
const ALONE: &str = "CLIENT_CORE_SPAN_TEST_ALONE";

#[tokio::test]
async fn each_attempt_has_a_span_with_opentelemetry_fields_and_no_query() {
    // `tracing` caches each callsite's interest process-wide: another test of this binary that
    // creates the same span first, with no subscriber, can leave it disabled for this one. So the
    // check runs alone, in a child process of this binary.
    if std::env::var_os(ALONE).is_none() {
        let name = "wire::each_attempt_has_a_span_with_opentelemetry_fields_and_no_query";
        let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([name, "--exact", "--test-threads=1"])
            .env(ALONE, "1")
            .output()
            .expect("run the span test alone");
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{report}");
        assert!(
            report.contains("1 passed"),
            "the child ran no test: {report}"
        );
        return;
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    transport(&server.uri())
        .send(Request::get(
            url(&server.uri(), "/orders/?page=2&signature=s3cret"),
            "GET orders/",
        ))
        .await
        .unwrap();
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for field in [
        "http.request.method=GET",
        "url.path=\"/orders/\"",
        "server.address=\"127.0.0.1\"",
        "http.response.status_code=503",
        "http.response.status_code=200",
        "http.request.resend_count=0",
        "http.request.resend_count=1",
    ] {
        assert!(text.contains(field), "{field} missing from:\n{text}");
    }
    assert!(
        !text.contains("s3cret") && !text.contains("page=2"),
        "{text}"
    );
}
