//! What the client logs: the trace number, product, return code and report reference — never PII or tokens.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::support::*;
use innovis_client::pii::{DateOfBirth, Ssn};
use innovis_client::{Applicant, ProductCode, ReportRequest};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Collects everything the fmt subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Set in the child process that runs the span test alone.
const ALONE: &str = "INNOVIS_CLIENT_SPAN_TEST_ALONE";

#[tokio::test]
async fn spans_carry_identifiers_and_no_pii() {
    // `tracing` caches each callsite's interest process-wide: another test of this binary that
    // opens the same span first, with no subscriber, can leave it disabled for this one. So the
    // check runs alone, in a child process of this binary.
    if std::env::var_os(ALONE).is_none() {
        let name = test_name(module_path!(), "spans_carry_identifiers_and_no_pii");
        let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([name.as_str(), "--exact", "--test-threads=1"])
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
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    // A 401 first, so the retry path logs too.
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(record_body("log-1")))
        .mount(&server)
        .await;

    let request = ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001", "EU0042")
        .permissible_purpose(purpose())
        .customer_trace_number("log-1")
        .applicant(
            Applicant::new()
                .name("JOHN", "CONSUMER")
                .ssn(Ssn::new("123-45-6789").unwrap())
                .dob(DateOfBirth::new("1980-01-02").unwrap()),
        )
        .build()
        .unwrap();
    client(&server).send(&request).await.unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "customer_trace_number=log-1",
        "product=CR",
        "return_code=Record",
        "report_reference=RR0000000001",
    ] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }
    for secret in [
        "123456789",
        "123-45-6789",
        "1980-01-02",
        "tok-1",
        "tok-2",
        CLIENT_SECRET,
    ] {
        assert!(!text.contains(secret), "log shows {secret:?}: {text}");
    }
}
