//! The exact JSON the client sends for CR, REFUPD and SECONDUSE, and the headers it sends with it.

use crate::support::*;
use innovis_client::pii::{ConsumerAccessCode, DateOfBirth, Ssn};
use innovis_client::{
    Address, Applicant, Client, Error, Name, ProductCode, ReportRequest, ReturnCode,
    SecondUseRequest,
};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn full_applicant() -> Applicant {
    Applicant::new()
        .with_name(Name::new("JOHN", "CONSUMER").part("middle", "Q"))
        .ssn(Ssn::new("123-45-6789").unwrap())
        .dob(DateOfBirth::new("1980-01-02").unwrap())
        .phone("4125550100")
        .email_address("john@example.com")
        .ip_address("203.0.113.7".parse().unwrap())
        .address(Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222"))
        .consumer_access_code(ConsumerAccessCode::new("K3Y9").unwrap())
}

#[tokio::test]
async fn cr_request_matches_the_vendor_json_field_by_field() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .and(header("authorization", "Bearer tok-1"))
        .and(header("content-type", "application/json"))
        .and(header(
            "user-agent",
            concat!("innovis-client/", env!("CARGO_PKG_VERSION")),
        ))
        .and(body_json(json!({
            "customerId": "7001000001",
            "endUserCode": "EU0042",
            "endUser": "ACME MORTGAGE",
            "customerTraceNumber": "loan-42",
            "productCode": "CR",
            "permissiblePurposeCode": "17",
            "softwareProviderId": "SP01",
            "applicants": [
                {
                    "applicantId": "1A",
                    "names": [{"first": "JOHN", "last": "CONSUMER", "middle": "Q"}],
                    "ssn": "123456789",
                    "dob": "1980-01-02",
                    "phones": [{"phoneNumber": "4125550100"}],
                    "emailAddress": "john@example.com",
                    "ipAddress": "203.0.113.7",
                    "addresses": [{
                        "addressIdentifier": "C",
                        "line1": "1 MAIN ST",
                        "city": "PITTSBURGH",
                        "state": "PA",
                        "zip": "15222"
                    }],
                    "consumerAccessCode": "K3Y9"
                },
                {"applicantId": "2A", "names": [{"first": "JANE", "last": "CONSUMER"}]}
            ]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(record_body("loan-42")))
        .expect(1)
        .mount(&server)
        .await;

    let request = ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001", "EU0042")
        .permissible_purpose(purpose())
        .end_user("ACME MORTGAGE")
        .customer_trace_number("loan-42")
        .applicant(full_applicant())
        .applicant(Applicant::new().name("JANE", "CONSUMER"))
        .build()
        .unwrap();
    let before = jiff::Timestamp::now();
    let response = client(&server).send(&request).await.unwrap();

    let consumer = &response.consumers()[0];
    assert_eq!(consumer.return_code, Some(ReturnCode::Record));
    assert_eq!(consumer.customer_trace_number.as_deref(), Some("loan-42"));
    assert!(consumer.other.contains_key("creditData"));
    let [reference] = response.references() else {
        panic!("expected one reference, got {:?}", response.references())
    };
    assert_eq!(reference.report_reference_number(), "RR0000000001");
    assert_eq!(reference.consumer_id(), "C000000042");
    assert_eq!(reference.product(), &ProductCode::CR);
    assert_eq!(reference.house_number(), request.house_number());
    assert!(reference.inquired_at() >= before && reference.inquired_at() <= jiff::Timestamp::now());
    assert_eq!(
        response.raw()["Consumers"]["creditData"],
        json!({"tradelines": []})
    );
}

#[tokio::test]
async fn refupd_request_is_sent_like_cr_and_its_answer_decodes() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .and(header("authorization", "Bearer tok-1"))
        .and(body_json(json!({
            "customerId": "7001000001",
            "endUserCode": "EU0042",
            "customerTraceNumber": "refresh-1",
            "productCode": "REFUPD",
            "permissiblePurposeCode": "17",
            "softwareProviderId": "SP01",
            "applicants": [{
                "applicantId": "1A",
                "names": [{"first": "JOHN", "last": "CONSUMER"}],
                "ssn": "123456789"
            }]
        })))
        // REFUPD's answer shape is undocumented: lowercase wrapper, an array, unknown fields.
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "consumers": [{
                "customerTraceNumber": "refresh-1",
                "productCode": "REFUPD",
                "reportReferenceNumber": 77001,
                "consumerId": "C000000042",
                "returnCode": "Record",
                "updateStatus": "APPLIED"
            }],
            "batchId": "B1"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let request = ReportRequest::builder(ProductCode::REFUPD)
        .house_number("7001000001", "EU0042")
        .permissible_purpose(purpose())
        .customer_trace_number("refresh-1")
        .applicant(
            Applicant::new()
                .name("JOHN", "CONSUMER")
                .ssn(Ssn::new("123456789").unwrap()),
        )
        .build()
        .unwrap();
    let response = client(&server).send(&request).await.unwrap();
    let consumer = &response.consumers()[0];
    assert_eq!(consumer.product_code, Some(ProductCode::REFUPD));
    assert_eq!(consumer.report_reference_number.as_deref(), Some("77001"));
    assert_eq!(consumer.other["updateStatus"], "APPLIED");
    assert_eq!(response.other()["batchId"], "B1");
    assert_eq!(response.references()[0].product(), &ProductCode::REFUPD);
}

async fn second_use_sends(client: &Client, server: &MockServer, expected_date: &str) {
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .and(header("authorization", "Bearer tok-1"))
        .and(body_json(json!({
            "customerId": "7001000009",
            "endUserCode": "EU0777",
            "endUser": "SECOND LENDER",
            "customerTraceNumber": "share-1",
            "productCode": "SECONDUSE",
            "permissiblePurposeCode": "17",
            "softwareProviderId": "SP01",
            "accessMethod": "ID",
            "originalInquiryDate": expected_date,
            "reportReferenceNumber": "RR0000000001",
            "applicants": [{"consumerId": "C000000042"}]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "Consumers": {"customerTraceNumber": "share-1", "productCode": "SECONDUSE", "returnCode": "Record",
                          "reportReferenceNumber": "RR0000000099"}
        })))
        .expect(1)
        .mount(server)
        .await;

    let request = SecondUseRequest::builder(reference("2026-01-02T03:04:05Z"))
        .house_number("7001000009", "EU0777")
        .permissible_purpose(purpose())
        .end_user("SECOND LENDER")
        .customer_trace_number("share-1")
        .build()
        .unwrap();
    let response = client.send_second_use(&request).await.unwrap();
    assert_eq!(
        response.consumers()[0].product_code,
        Some(ProductCode::SECONDUSE)
    );
    assert!(response.check().is_ok());
    // A SECONDUSE answer is a confirmation, not a report to share again.
    assert!(response.references().is_empty());
}

#[tokio::test]
async fn second_use_request_matches_the_vendor_json_in_utc() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    second_use_sends(&client(&server), &server, "2026-01-02 03:04:05").await;
}

#[tokio::test]
async fn second_use_inquiry_date_uses_the_configured_time_zone() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
    let client = Client::new(config(environment(&server)).inquiry_time_zone(tz)).unwrap();
    second_use_sends(&client, &server, "2026-01-01 22:04:05").await;
}

#[tokio::test]
async fn second_use_with_a_future_inquiry_time_is_rejected_before_sending() {
    let server = MockServer::start().await;
    mount_token(&server, 0).await;
    mount_record_gateway(&server, 0).await;
    let future = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1)).to_string();
    let request = SecondUseRequest::builder(reference(&future))
        .house_number("7001000009", "EU0777")
        .permissible_purpose(purpose())
        .build()
        .unwrap();
    let err = client(&server).send_second_use(&request).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Validation {
                field: "originalInquiryDate",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_generated_trace_number_is_sent_and_unique() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_record_gateway(&server, 2).await;
    let build = || {
        ReportRequest::builder(ProductCode::PREQUAL)
            .house_number("7001000001", "EU0042")
            .permissible_purpose(purpose())
            .applicant(Applicant::new())
            .build()
            .unwrap()
    };
    let (a, b) = (build(), build());
    assert_ne!(a.customer_trace_number(), b.customer_trace_number());
    let client = client(&server);
    client.send(&a).await.unwrap();
    client.send(&b).await.unwrap();
    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == GATEWAY_PATH)
        .map(|r| {
            r.body_json::<serde_json::Value>().unwrap()["customerTraceNumber"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(sent, [a.customer_trace_number(), b.customer_trace_number()]);
}
