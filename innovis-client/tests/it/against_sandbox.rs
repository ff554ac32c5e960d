//! The client against the offline sandbox: a second, independent implementation of the Innovis wire
//! format (crate `credit-valuation-sandbox`), spoken to over real HTTP on loopback. The wiremock tests pin exact bytes;
//! these show that both sides agree end to end: tokens, House Numbers, every `returnCode`, REFUPD and
//! SECONDUSE from a stored reference.

use std::time::Duration;

use credit_valuation_sandbox::fixtures::{self, TestConsumer};
use credit_valuation_sandbox::{Sandbox, SandboxConfig};
use innovis_client::{
    Client, Config, Error, HouseNumber, ProductCode, ReportReference, ReportRequest,
    ReportResponse, ResellerProfile, ReturnCode, SecondUseRequest,
};

use crate::support::{applicant, consumer, purpose, sandbox_config, sandbox_config_with_secret};

/// Every request gets this long; the sandbox answers in milliseconds.
const DEADLINE: Duration = Duration::from_secs(5);

/// A config for the sandbox with short timeouts.
fn with_deadline(config: Config) -> Config {
    config.request_timeout(DEADLINE).connect_timeout(DEADLINE)
}

fn client(sandbox: &Sandbox) -> Client {
    Client::new(with_deadline(sandbox_config(sandbox))).expect("client for the sandbox")
}

/// The reseller's registrations as the sandbox knows them: one House Number for CR, also used for
/// SECONDUSE and REFUPD.
fn profile() -> ResellerProfile {
    ResellerProfile::new()
        .register(purpose(), ProductCode::CR, fixtures::CR_CUSTOMER_ID)
        .expect("register CR")
        .allow_second_use_on(ProductCode::CR)
        .allow_refupd_on(ProductCode::CR)
}

fn report_request(product: ProductCode, consumer: &TestConsumer, trace: &str) -> ReportRequest {
    profile()
        .report_request(purpose(), product, fixtures::CR_END_USER_CODE)
        .expect("registered House Number")
        .applicant(applicant(consumer))
        .customer_trace_number(trace)
        .build()
        .expect("valid request")
}

/// A CR for the `Record` consumer and the reference it yields. Each pull is a new inquiry (its own
/// trace number) that the caller means to repeat, as the token tests pull twice.
async fn pull_record(client: &Client) -> (ReportResponse, ReportReference) {
    static PULLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let trace = format!(
        "cr-record-{}",
        PULLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let request = report_request(ProductCode::CR, consumer(fixtures::RECORD_SSN), &trace);
    let response = client
        .send_allowing_repeat(&request)
        .await
        .expect("CR for the Record consumer");
    let reference = match response.references() {
        [reference] => reference.clone(),
        other => panic!("expected one reference, got {other:?}"),
    };
    (response, reference)
}

fn expected_return_code(wire: &str) -> ReturnCode {
    match wire {
        "Record" => ReturnCode::Record,
        "No Record" => ReturnCode::NoRecord,
        "Suppress" => ReturnCode::Suppress,
        "Error" => ReturnCode::Error,
        "Exempt" => ReturnCode::Exempt,
        other => panic!("the sandbox has a returnCode this test does not know: {other}"),
    }
}

fn api_message(err: &Error) -> (u16, &str) {
    match err {
        Error::Api {
            status, message, ..
        } => (*status, message.as_str()),
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[tokio::test]
async fn every_fixture_consumer_decodes_into_its_return_code_on_one_token() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let mut seen = Vec::new();
    for (index, consumer) in fixtures::CONSUMERS.iter().enumerate() {
        let trace = format!("cr-{index}");
        let request = report_request(ProductCode::CR, consumer, &trace);
        let response = client.send(&request).await.expect("a report");
        let expected = expected_return_code(consumer.return_code);
        let [report] = response.consumers() else {
            panic!("one consumer report expected: {response:?}");
        };
        assert_eq!(report.return_code.as_ref(), Some(&expected));
        assert_eq!(
            report.return_reason_code.as_deref(),
            Some(consumer.return_reason_code)
        );
        assert_eq!(
            report.return_reason_desc.as_deref(),
            Some(consumer.return_reason_desc)
        );
        assert_eq!(report.product_code.as_ref(), Some(&ProductCode::CR));
        assert_eq!(
            report.customer_trace_number.as_deref(),
            Some(trace.as_str())
        );
        assert_eq!(
            report.customer_id.as_deref(),
            Some(fixtures::CR_CUSTOMER_ID)
        );
        assert_eq!(report.applicant_id.as_deref(), Some("1A"));
        assert!(report.report_reference_number.is_some());

        if expected == ReturnCode::Error {
            let err = response.check().expect_err("returnCode Error is an error");
            assert_eq!(
                err.reason_code.as_deref(),
                Some(consumer.return_reason_code)
            );
            assert_eq!(
                err.reason_text.as_deref(),
                Some(consumer.return_reason_desc)
            );
            assert_eq!(err.trace_number.as_deref(), Some(trace.as_str()));
        } else {
            response
                .check()
                .expect("only returnCode Error fails the check");
        }
        // Only a consumer on file gets a consumerId, hence a reference to store.
        assert_eq!(
            response.references().len(),
            usize::from(consumer.on_file),
            "{:?}",
            consumer.return_code
        );
        assert_eq!(expected.consumer_found(), consumer.on_file);
        assert_eq!(report.other.contains_key("creditData"), consumer.on_file);
        seen.push(expected);
    }
    assert_eq!(
        seen,
        [
            ReturnCode::Record,
            ReturnCode::NoRecord,
            ReturnCode::Suppress,
            ReturnCode::Error,
            ReturnCode::Exempt
        ]
    );
    let stats = sandbox.stats();
    assert_eq!(stats.token_requests, 1, "one token serves every request");
    assert_eq!(stats.gateway_requests, 5);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_stored_reference_shares_the_report_with_a_second_end_user() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let (response, reference) = pull_record(&client).await;
    let [report] = response.consumers() else {
        panic!("one consumer report expected");
    };
    assert_eq!(
        Some(reference.report_reference_number()),
        report.report_reference_number.as_deref()
    );
    assert_eq!(Some(reference.consumer_id()), report.consumer_id.as_deref());
    assert_eq!(reference.product(), &ProductCode::CR);
    assert_eq!(
        reference.house_number(),
        &HouseNumber::new(fixtures::CR_CUSTOMER_ID, fixtures::CR_END_USER_CODE).expect("house")
    );

    // Stored as JSON, reloaded later.
    let stored = serde_json::to_string(&reference).expect("reference serializes");
    let reloaded: ReportReference = serde_json::from_str(&stored).expect("reference reloads");
    assert_eq!(reloaded, reference);

    let request = profile()
        .second_use_request(reloaded, purpose(), fixtures::CR_SECOND_END_USER_CODE)
        .expect("SECONDUSE borrows the CR House Number")
        .customer_trace_number("share-1")
        .build()
        .expect("valid SECONDUSE");
    let confirmation = client
        .send_second_use(&request)
        .await
        .expect("SECONDUSE succeeds");
    confirmation.check().expect("not returnCode Error");
    let [shared] = confirmation.consumers() else {
        panic!("one confirmation expected: {confirmation:?}");
    };
    assert_eq!(shared.product_code.as_ref(), Some(&ProductCode::SECONDUSE));
    assert_eq!(shared.return_code.as_ref(), Some(&ReturnCode::Record));
    assert_eq!(shared.access_method.as_deref(), Some("ID"));
    assert_eq!(shared.consumer_id.as_deref(), Some(reference.consumer_id()));
    assert_eq!(shared.customer_trace_number.as_deref(), Some("share-1"));
    let second_use = shared.other.get("secondUse").expect("confirmation details");
    assert_eq!(second_use["confirmed"], true);
    assert_eq!(
        second_use["originalReportReferenceNumber"],
        reference.report_reference_number()
    );
    assert_eq!(
        confirmation.raw()["Consumers"]["endUserCode"],
        fixtures::CR_SECOND_END_USER_CODE
    );
    assert_eq!(sandbox.stats().token_requests, 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn stored_references_and_debug_output_carry_no_ssn() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    for (index, consumer) in fixtures::CONSUMERS
        .iter()
        .filter(|consumer| consumer.on_file)
        .enumerate()
    {
        let request = report_request(ProductCode::CR, consumer, &format!("no-ssn-{index}"));
        let response = client.send(&request).await.expect("a report");
        let debug = format!("{response:?}");
        assert!(
            !debug.contains(consumer.ssn),
            "Debug shows the SSN: {debug}"
        );
        let stored = serde_json::to_string(response.references()).expect("references serialize");
        assert!(
            !stored.contains(consumer.ssn),
            "a stored reference holds the SSN: {stored}"
        );
        assert!(
            !stored.contains(consumer.dob),
            "a stored reference holds the date of birth"
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_forged_reference_is_refused() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let (_, genuine) = pull_record(&client).await;
    let an_hour_ago = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(1))
        .expect("an hour ago");
    let house =
        HouseNumber::new(fixtures::CR_CUSTOMER_ID, fixtures::CR_END_USER_CODE).expect("house");
    let forgeries = [
        // A reference number the vendor never issued, with a real consumer id.
        ReportReference::new(
            "SBX20000101000000",
            genuine.consumer_id(),
            an_hour_ago,
            ProductCode::CR,
            house.clone(),
        ),
        // The genuine reference number with another consumer's id.
        ReportReference::new(
            genuine.report_reference_number(),
            "FORGED-CONSUMER",
            an_hour_ago,
            ProductCode::CR,
            house,
        ),
    ];
    for forged in forgeries {
        let forged = forged.expect("well-formed reference");
        let request = SecondUseRequest::builder(forged)
            .house_number(fixtures::CR_CUSTOMER_ID, fixtures::CR_SECOND_END_USER_CODE)
            .permissible_purpose(purpose())
            .build()
            .expect("valid SECONDUSE");
        let err = client
            .send_second_use(&request)
            .await
            .expect_err("a forged reference is refused");
        let (status, message) = api_message(&err);
        assert_eq!(status, 400);
        assert!(
            message.contains("do not match a report issued to this user"),
            "{message}"
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn house_number_pairings_the_vendor_does_not_know_are_refused_with_its_message() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let record = consumer(fixtures::RECORD_SSN);
    let request = |customer_id: &str, end_user_code: &str| {
        ReportRequest::builder(ProductCode::CR)
            .house_number(customer_id, end_user_code)
            .permissible_purpose(purpose())
            .applicant(applicant(record))
            .build()
            .expect("valid request")
    };

    // An end user registered on another House Number.
    let err = client
        .send(&request(
            fixtures::CR_CUSTOMER_ID,
            fixtures::PREQUAL_END_USER_CODE,
        ))
        .await
        .expect_err("unknown pairing");
    let (status, message) = api_message(&err);
    assert_eq!(status, 400);
    assert!(
        message.contains("is not registered for customerId"),
        "{message}"
    );

    // A customerId the vendor never issued.
    let err = client
        .send(&request("7999999999", fixtures::CR_END_USER_CODE))
        .await
        .expect_err("unknown House Number");
    let (status, message) = api_message(&err);
    assert_eq!(status, 400);
    assert!(
        message.contains("is not a registered House Number"),
        "{message}"
    );
    assert!(
        !message.contains("7999999999"),
        "digit runs are masked: {message}"
    );

    // A House Number not set up for the product.
    let err = client
        .send(&request(
            fixtures::PREQUAL_CUSTOMER_ID,
            fixtures::PREQUAL_END_USER_CODE,
        ))
        .await
        .expect_err("CR not enabled");
    let (status, message) = api_message(&err);
    assert_eq!(status, 400);
    assert!(
        message.contains("productCode CR is not enabled"),
        "{message}"
    );

    // SECONDUSE to a second end user whose House Number does not allow it.
    let (_, reference) = pull_record(&client).await;
    let second_use = SecondUseRequest::builder(reference)
        .house_number(
            fixtures::PREQUAL_CUSTOMER_ID,
            fixtures::PREQUAL_END_USER_CODE,
        )
        .permissible_purpose(purpose())
        .build()
        .expect("valid SECONDUSE");
    let err = client
        .send_second_use(&second_use)
        .await
        .expect_err("SECONDUSE not enabled");
    let (status, message) = api_message(&err);
    assert_eq!(status, 400);
    assert!(message.contains("SECONDUSE is not enabled"), "{message}");

    // Longer than the vendor allows: refused before anything is sent.
    let before = sandbox.stats().gateway_requests;
    let too_long = ReportRequest::builder(ProductCode::CR)
        .house_number("12345678901234567", fixtures::CR_END_USER_CODE)
        .permissible_purpose(purpose())
        .applicant(applicant(record))
        .build()
        .expect_err("customerId over 16 characters");
    assert!(
        matches!(
            too_long,
            Error::Validation {
                field: "customerId",
                ..
            }
        ),
        "{too_long:?}"
    );
    assert_eq!(sandbox.stats().gateway_requests, before);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refupd_on_the_cr_house_number_decodes() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let request = report_request(
        ProductCode::REFUPD,
        consumer(fixtures::RECORD_SSN),
        "refupd-1",
    );
    assert_eq!(
        request.house_number().customer_id(),
        fixtures::CR_CUSTOMER_ID,
        "REFUPD borrows the CR House Number"
    );
    let response = client.send(&request).await.expect("REFUPD");
    response.check().expect("not returnCode Error");
    let [report] = response.consumers() else {
        panic!("one consumer report expected: {response:?}");
    };
    assert_eq!(report.product_code.as_ref(), Some(&ProductCode::REFUPD));
    assert_eq!(report.return_code.as_ref(), Some(&ReturnCode::Record));
    assert_eq!(report.other["referenceUpdate"]["status"], "UPDATED");
    let [reference] = response.references() else {
        panic!("REFUPD of a consumer on file yields a reference");
    };
    assert_eq!(reference.product(), &ProductCode::REFUPD);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_token_the_gateway_expired_is_replaced_and_the_request_sent_once_more() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    pull_record(&client).await;
    sandbox.expire_innovis_tokens();
    pull_record(&client).await;
    let stats = sandbox.stats();
    assert_eq!(stats.token_requests, 2, "{stats:?}");
    // The first CR, then the 401 with the expired token, then the resend with a fresh one.
    assert_eq!(stats.gateway_requests, 3, "{stats:?}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_short_lived_token_is_refreshed_before_it_is_used_again() {
    let config = SandboxConfig::default().token_lifetime(Duration::from_secs(1));
    let sandbox = Sandbox::start_with(config).await.expect("sandbox starts");
    let client = client(&sandbox);
    pull_record(&client).await;
    // The shortest lifetime the token endpoint can express (`expires_in` is in whole seconds).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    pull_record(&client).await;
    let stats = sandbox.stats();
    assert_eq!(stats.token_requests, 2, "{stats:?}");
    assert_eq!(
        stats.gateway_requests, 2,
        "the expired token was never sent: {stats:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_wrong_client_secret_is_a_token_error_without_the_secret() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let config = sandbox_config_with_secret(
        sandbox.innovis_token_url(),
        sandbox.innovis_gateway_url(),
        sandbox.credentials(),
        "not-the-secret",
    );
    let client = Client::new(with_deadline(config)).expect("client");
    let request = report_request(
        ProductCode::CR,
        consumer(fixtures::RECORD_SSN),
        "bad-secret",
    );
    let err = client.send(&request).await.expect_err("refused");
    match &err {
        Error::Token(common_auth::TokenError::Rejected { status, error, .. }) => {
            assert_eq!(*status, 401);
            assert_eq!(error, "invalid_client");
        }
        other => panic!("expected a rejected token request, got {other:?}"),
    }
    assert!(!format!("{err} {err:?}").contains("not-the-secret"));
    assert_eq!(sandbox.stats().gateway_requests, 0);
    sandbox.shutdown().await;
}
