//! What the vendor sends back never carries personal data or a signed URL into an error or a
//! report's `Debug`, and never grows with the body: numbers in any spacing, phone numbers, dates
//! with month names and the values the request itself carried are masked, every text is bounded.

use innovis_client::pii::{DateOfBirth, Ssn};
use innovis_client::{Address, Applicant, Error, ProductCode, ReportRequest};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// The most bytes a quoted vendor text may take (`credit_valuation_core::MAX_QUOTED_BYTES` plus the `…`).
const BOUND: usize = 300 + '…'.len_utf8();

/// The request's personal values, and the forms a vendor may echo them in.
const LEAKS: &[&str] = &[
    "JANE",
    "Jane",
    "jane",
    "DOE",
    "doe",
    "Doe",
    "ELM",
    "PITTSBURGH",
    "Pittsburgh",
    "15222",
    "666",
    "0001",
    "412",
    "0100",
    "1980",
    "April",
    "Apr",
    "X-Amz",
    "AKIA",
    "s3cr3t",
];

fn request() -> ReportRequest {
    ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001", "EU0042")
        .permissible_purpose(purpose())
        .applicant(
            Applicant::new()
                .name("Jane", "Doe")
                .ssn(Ssn::new("666-01-0001").unwrap())
                .dob(DateOfBirth::new("1980-04-12").unwrap())
                .address(Address::current(
                    "12 Elm Street",
                    "Pittsburgh",
                    "PA",
                    "15222",
                ))
                .phone("4125550100"),
        )
        .customer_trace_number("echo")
        .build()
        .unwrap()
}

/// Every form the issue names, and a 20,000-byte tail.
fn echo() -> String {
    format!(
        "consumer JANE  doe / jane-doe / JaneDoe at 12 ELM  street, PITTSBURGH 15222; ssn 666 - 01 - 0001 \
         or 666_01_0001; phone (412) 555-0100; born April 12, 1980 or 12 Apr 1980; see \
         https://s.example/r.pdf?X-Amz-Credential=AKIA&X-Amz-Signature=s3cr3t {}",
        "x".repeat(20_000)
    )
}

fn assert_clean(what: &str, text: &str) {
    for leak in LEAKS {
        assert!(!text.contains(leak), "{what} shows {leak:?}: {text}");
    }
}

async fn answer(template: ResponseTemplate) -> Result<innovis_client::ReportResponse, Error> {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(template)
        .mount(&server)
        .await;
    client(&server).send(&request()).await
}

#[tokio::test]
async fn an_error_message_echoing_the_request_is_masked_and_bounded() {
    let err = answer(ResponseTemplate::new(400).set_body_json(json!({"errorMessage": echo()})))
        .await
        .unwrap_err();
    let Error::Api { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.len() <= BOUND, "{} bytes", message.len());
    assert!(message.starts_with("consumer "), "{message}");
    assert_clean("Api.message", message);
    assert_clean("the error", &format!("{err} {err:?}"));
}

#[tokio::test]
async fn a_decode_error_masks_and_bounds_its_path_message_and_excerpt() {
    // Cut off inside an unknown key's value: the path names the key, which holds an SSN and
    // 20,000 more bytes; the message and the excerpt are near the echo.
    let body = format!(
        r#"{{"Consumers":{{"SSN 666010004 {}":["{}", 12 Apr"#,
        "k".repeat(20_000),
        echo()
    );
    let err = answer(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .await
        .unwrap_err();
    let Error::Decode {
        path,
        message,
        excerpt,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    for (what, text) in [("path", path), ("message", message), ("excerpt", excerpt)] {
        assert!(text.len() <= BOUND, "{what}: {} bytes", text.len());
        assert_clean(what, text);
    }
    assert!(path.starts_with("Consumers.SSN #########"), "{path}");
}

#[tokio::test]
async fn return_reasons_and_the_report_debug_mask_what_the_request_carried() {
    let body = json!({"JANE DOE 666-01-0001": 1, "Consumers": [{
        "returnCode": "Error",
        "returnReasonCode": "6660",
        "returnReasonDesc": echo(),
        "userId": "jane doe",
        "customerTraceNumber": "echo",
    }]});
    let response = answer(ResponseTemplate::new(200).set_body_json(body))
        .await
        .expect("a report");
    let debug = format!("{response:?} {response:#?}");
    assert_clean("the response's Debug", &debug);
    assert!(debug.contains("echo"), "{debug}");
    let err = response.check().unwrap_err();
    let text = format!("{err} {err:?}");
    assert_clean("check()", &text);
    assert!(err.reason_text.as_ref().unwrap().len() <= BOUND);
    assert_eq!(err.reason_code.as_deref(), Some("####"));
}
