//! SSNs, dates of birth, names, addresses and contact details never appear in `Debug` output or error text,
//! and requests cannot be serialized outside the crate (`tests/ui/serialize_*.rs`).

use crate::support::*;
use innovis_client::pii::{ConsumerAccessCode, DateOfBirth, Ssn, mask_digit_runs};
use innovis_client::{Address, Applicant, ConsumerReport, Error, ProductCode, ReportRequest};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SSN_DASHED: &str = "123-45-6789";
const SSN: &str = "123456789";
const DOB: &str = "1980-01-02";
const ACCESS_CODE: &str = "K3Y9Z";

fn assert_clean(what: &str, text: &str) {
    let others = [
        "JOHN",
        "CONSUMER",
        "1 MAIN ST",
        "PITTSBURGH",
        "15222",
        "4125550100",
        "john@example.com",
    ];
    for secret in [SSN, SSN_DASHED, DOB, "19800102", ACCESS_CODE, CLIENT_SECRET]
        .into_iter()
        .chain(others)
    {
        assert!(!text.contains(secret), "{what} shows {secret:?}: {text}");
    }
}

fn applicant() -> Applicant {
    Applicant::new()
        .name("JOHN", "CONSUMER")
        .ssn(Ssn::new(SSN_DASHED).unwrap())
        .dob(DateOfBirth::new(DOB).unwrap())
        .address(Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222"))
        .phone("4125550100")
        .email_address("john@example.com")
        .consumer_access_code(ConsumerAccessCode::new(ACCESS_CODE).unwrap())
}

#[test]
fn requests_builders_and_pii_types_do_not_show_pii() {
    let builder = ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001", "EU0042")
        .permissible_purpose(purpose())
        .applicant(applicant())
        .applicant(applicant());
    assert_clean("builder", &format!("{builder:?} {builder:#?}"));
    let request = builder.build().unwrap();
    assert_clean("request", &format!("{request:?} {request:#?}"));
    assert_clean("applicant", &format!("{:?}", applicant()));
    assert_clean("ssn", &format!("{:?}", Ssn::new(SSN).unwrap()));
    assert_clean("dob", &format!("{:?}", DateOfBirth::new(DOB).unwrap()));
    // The wire body is the one place the values go; it is built inside the crate (a request is not
    // `Serialize`: `tests/ui/serialize_*.rs`), and checked against the vendor's JSON in `tests/requests.rs`.
}

/// The ways an SSN is written in free text: each must be masked wherever the crate prints vendor text.
const SSN_FORMS: [&str; 6] = [
    "666010001",
    "666-01-0001",
    "666 01 0001",
    "666.01.0001",
    "６６６０１０００１",
    "６６６ ０１ ０００１",
];

/// What must not show of [`SSN_FORMS`] and a date of birth: any of their digit groups.
fn assert_no_digit_groups(what: &str, text: &str) {
    for group in ["666", "0001", "６６６", "０００１", "1980", "19800102"] {
        assert!(!text.contains(group), "{what} shows {group:?}: {text}");
    }
}

#[test]
fn spaced_dotted_and_full_width_ssns_are_masked() {
    let expected = [
        "#########",
        "###-##-####",
        "### ## ####",
        "###.##.####",
        "#########",
        "### ## ####",
    ];
    for (form, expected) in SSN_FORMS.into_iter().zip(expected) {
        let masked = mask_digit_runs(&format!("ssn {form}, max 16"));
        assert_eq!(masked, format!("ssn {expected}, max 16"), "{form}");
        assert_no_digit_groups(form, &masked);
    }
}

#[test]
fn consumer_report_debug_masks_pii_in_the_vendors_free_text() {
    for form in SSN_FORMS {
        let report: ConsumerReport = serde_json::from_value(json!({
            "softwareProviderId": "IGTW",
            "softwareProviderVersion": format!("v {form}"),
            "customerTraceNumber": format!("t-{form}"),
            "userId": format!("USER {form}"),
            "reportReferenceNumber": form,
            "productCode": form,
            "customerId": form,
            "applicantId": "1A",
            "consumerId": form,
            "returnCode": form,
            "returnReasonCode": form,
            "returnReasonDesc": format!("SSN {form} DOB 1980.01.02"),
            "accessMethod": form,
            "personal": {"ssn": SSN, "dob": DOB}
        }))
        .unwrap();
        let text = format!("{report:?}\n{report:#?}");
        assert_no_digit_groups(form, &text);
        assert_clean(form, &text);
        // Masked, not dropped: what holds no long digit run stays readable.
        for readable in ["IGTW", "\"1A\"", "SSN ", " DOB ####.##.##", "personal"] {
            assert!(
                text.contains(readable),
                "{form}: {readable:?} missing: {text}"
            );
        }
    }

    // Known codes hold no digits and print as they are.
    let report: ConsumerReport = serde_json::from_value(json!({
        "returnCode": "No Record", "productCode": "PREQUAL", "returnReasonCode": "E12"
    }))
    .unwrap();
    let text = format!("{report:?}");
    for readable in ["NoRecord", "PREQUAL", "E12"] {
        assert!(text.contains(readable), "{readable:?} missing: {text}");
    }
}

#[test]
fn validation_errors_do_not_echo_values() {
    let errors: Vec<Error> = vec![
        Ssn::new("123-45-67890").unwrap_err(),
        Ssn::new("123-45-678x").unwrap_err(),
        DateOfBirth::new("1980-01-32").unwrap_err(),
        DateOfBirth::new("19800102").unwrap_err(),
        ConsumerAccessCode::new("K3Y9Z-TOO-LONG").unwrap_err(),
    ];
    for err in errors {
        let text = format!("{err} {err:?}");
        for leaked in [
            "1234567890",
            "678x",
            "1980-01-32",
            "19800102",
            "K3Y9Z-TOO-LONG",
        ] {
            assert!(!text.contains(leaked), "{text}");
        }
    }
}

#[tokio::test]
async fn vendor_messages_and_bodies_echoing_pii_are_masked_in_errors() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "errorMessage": format!("invalid ssn {SSN_DASHED} / {SSN} or dob {DOB}")
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(r#"{{"Consumers":{{"returnCode":"Record","ssn":"{SSN}","dob":"{DOB}","consumerId":{{"n":{SSN}}}}}}}"#),
            "application/json",
        ))
        .mount(&server)
        .await;
    let client = client(&server);
    let request = ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001", "EU0042")
        .permissible_purpose(purpose())
        .applicant(applicant())
        .build()
        .unwrap();

    let api = client.send(&request).await.unwrap_err();
    assert!(matches!(api, Error::Api { status: 400, .. }));
    assert_clean("api error", &format!("{api} {api:?}"));

    let decode = client.send(&request).await.unwrap_err();
    assert!(matches!(decode, Error::Decode { .. }), "{decode:?}");
    assert_clean("decode error", &format!("{decode} {decode:?}"));
    assert_clean("client", &format!("{client:?}"));
}

#[test]
fn consumer_reports_show_only_the_names_of_untyped_fields() {
    let report: ConsumerReport = serde_json::from_value(json!({
        "returnCode": "Record",
        "consumerId": "C1",
        "personal": {"ssn": SSN, "dob": DOB}
    }))
    .unwrap();
    let text = format!("{report:?}");
    assert_clean("consumer report", &text);
    assert!(text.contains("personal"), "{text}");

    let err = serde_json::from_value::<ConsumerReport>(json!({
        "returnCode": "Error", "returnReasonDesc": format!("BAD SSN {SSN}")
    }))
    .unwrap()
    .check()
    .unwrap_err();
    assert_clean("return code error", &format!("{err} {err:?}"));
}

#[tokio::test]
async fn error_bodies_echoing_names_show_their_shape_not_the_values() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    // A structured errorMessage, then an error body without one: both echo the applicant's name.
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "errorMessage": {"field": "names[0].last", "value": "CONSUMER"}
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "errors": [{"last": "CONSUMER", "first": "JOHN"}]
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let request = ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001", "EU0042")
        .permissible_purpose(purpose())
        .applicant(applicant())
        .build()
        .unwrap();

    for status in [400, 422] {
        let err = client.send(&request).await.unwrap_err();
        let Error::Api {
            status: got,
            message,
            ..
        } = &err
        else {
            panic!("expected Api, got {err:?}");
        };
        assert_eq!(*got, status);
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("CONSUMER") && !text.contains("JOHN"),
            "{text}"
        );
        assert!(
            message.contains("\"value\"") || message.contains("\"last\""),
            "{message}"
        );
    }
}
