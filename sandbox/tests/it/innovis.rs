//! The Innovis simulator over raw HTTP: tokens, the gateway's rules, every returnCode, SECONDUSE.

use std::collections::HashSet;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use credit_valuation_sandbox::{Sandbox, SandboxConfig, fixtures};
use serde_json::{Value, json};

use crate::support::{http, innovis_token, innovis_token_request, second_use};

fn report_request(ssn: &str) -> Value {
    json!({
        "customerId": fixtures::CR_CUSTOMER_ID,
        "endUserCode": fixtures::CR_END_USER_CODE,
        "endUser": "ACME LENDING",
        "customerTraceNumber": "TRACE-0001",
        "productCode": "CR",
        "permissiblePurposeCode": fixtures::PERMISSIBLE_PURPOSE,
        "softwareProviderId": "SBX1",
        "applicants": [{
            "applicantId": "1A",
            "names": [{ "first": "PAT", "last": "RECORD" }],
            "ssn": ssn,
            "dob": "1980-04-12",
            "addresses": [{ "addressIdentifier": "C", "line1": "1 MAIN ST", "city": "AUSTIN", "state": "TX", "zip": "78701" }],
            "phones": [{ "phoneNumber": "5125550100" }],
            "emailAddress": "pat@example.com",
            "ipAddress": "203.0.113.9",
        }],
    })
}

async fn gateway(sandbox: &Sandbox, token: &str, body: &Value) -> (u16, Value) {
    let response = http()
        .post(sandbox.innovis_gateway_url())
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn token_call(sandbox: &Sandbox, body: Value) -> (u16, Value) {
    let response = http()
        .post(sandbox.innovis_token_url())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn token_is_jwt_shaped_with_exp_and_expires_in() {
    let sandbox =
        Sandbox::start_with(SandboxConfig::default().token_lifetime(Duration::from_secs(120)))
            .await
            .unwrap();
    let (status, body) = token_call(&sandbox, innovis_token_request(sandbox.credentials())).await;
    assert_eq!(status, 200);
    assert_eq!(body["expires_in"], 120);
    assert_eq!(body["token_type"], "Bearer");
    let token = body["access_token"].as_str().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["aud"], "innovisgateway");
    assert_eq!(claims["gty"], "client-credentials");
    assert_eq!(claims["scope"], "grs key-management");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        120
    );
    assert_eq!(sandbox.stats().token_requests, 1);
}

#[tokio::test]
async fn an_enormous_token_lifetime_is_capped_not_a_panic() {
    let sandbox = Sandbox::start_with(SandboxConfig::default().token_lifetime(Duration::MAX))
        .await
        .unwrap();
    let (status, body) = token_call(&sandbox, innovis_token_request(sandbox.credentials())).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["expires_in"],
        credit_valuation_sandbox::MAX_TOKEN_LIFETIME.as_secs()
    );
    let token = body["access_token"].as_str().unwrap();
    let (status, _) = gateway(&sandbox, token, &report_request(fixtures::RECORD_SSN)).await;
    assert_eq!(status, 200, "the token is valid, not already expired");
}

#[tokio::test]
async fn token_errors_are_rfc6749_bodies() {
    let sandbox = Sandbox::start().await.unwrap();
    let good = innovis_token_request(sandbox.credentials());
    let with = |key: &str, value: &str| {
        let mut body = good.clone();
        body[key] = json!(value);
        body
    };
    let (status, body) = token_call(&sandbox, with("client_secret", "wrong")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = token_call(&sandbox, with("client_id", "someone-else")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = token_call(&sandbox, with("grant_type", "password")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, body) = token_call(&sandbox, with("audience", "elsewhere")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("audience")
    );
    let form = http()
        .post(sandbox.innovis_token_url())
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 400);
}

#[tokio::test]
async fn gateway_needs_a_valid_unexpired_bearer_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let request = report_request(fixtures::RECORD_SSN);
    let missing = http()
        .post(sandbox.innovis_gateway_url())
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    let body: Value = missing.json().await.unwrap();
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .contains("Authorization")
    );
    let (status, _) = gateway(&sandbox, "not-a-token", &request).await;
    assert_eq!(status, 401);

    let token = innovis_token(&sandbox).await;
    let (status, _) = gateway(&sandbox, &token, &request).await;
    assert_eq!(status, 200);
    sandbox.expire_innovis_tokens();
    let (status, body) = gateway(&sandbox, &token, &request).await;
    assert_eq!(status, 401);
    assert!(body["errorMessage"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn every_return_code_has_a_test_consumer() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = innovis_token(&sandbox).await;
    let mut references = HashSet::new();
    for consumer in fixtures::CONSUMERS {
        let mut request = report_request(consumer.ssn);
        request["customerTraceNumber"] = json!(format!("TRACE-{}", consumer.last_name));
        let (status, body) = gateway(&sandbox, &token, &request).await;
        assert_eq!(status, 200, "{body}");
        let report = &body["Consumers"];
        assert_eq!(report["returnCode"], consumer.return_code);
        assert_eq!(report["returnReasonCode"], consumer.return_reason_code);
        assert_eq!(
            report["customerTraceNumber"],
            format!("TRACE-{}", consumer.last_name)
        );
        assert_eq!(report["customerId"], fixtures::CR_CUSTOMER_ID);
        assert_eq!(report["applicantId"], "1A");
        assert_eq!(report["softwareProviderId"], "IGTW");
        let reference = report["reportReferenceNumber"].as_str().unwrap();
        assert!(!reference.is_empty() && reference.len() <= 30);
        assert!(
            references.insert(reference.to_owned()),
            "reference numbers are unique"
        );
        let consumer_id = report["consumerId"].as_str().unwrap();
        assert_eq!(!consumer_id.is_empty(), consumer.on_file);
        assert!(consumer_id.len() <= 16);
        assert_eq!(report.get("creditData").is_some(), consumer.on_file);
    }
    let returned: HashSet<&str> = fixtures::CONSUMERS.iter().map(|c| c.return_code).collect();
    let expected: HashSet<&str> = ["Record", "No Record", "Suppress", "Error", "Exempt"].into();
    assert_eq!(returned, expected);
    assert_eq!(sandbox.stats().gateway_requests, 5);
}

#[tokio::test]
async fn house_numbers_only_work_with_their_end_users_products_and_purpose() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = innovis_token(&sandbox).await;
    let cases = [
        (
            "endUserCode",
            json!(fixtures::PREQUAL_END_USER_CODE),
            "endUserCode",
        ),
        (
            "customerId",
            json!("9999999999"),
            "not a registered House Number",
        ),
        (
            "productCode",
            json!("PREQUAL"),
            "productCode PREQUAL is not enabled",
        ),
        (
            "permissiblePurposeCode",
            json!("01"),
            "permissiblePurposeCode",
        ),
        ("softwareProviderId", json!("ZZZZ"), "softwareProviderId"),
    ];
    for (field, value, expected) in cases {
        let mut request = report_request(fixtures::RECORD_SSN);
        request[field] = value;
        let (status, body) = gateway(&sandbox, &token, &request).await;
        assert_eq!(status, 400, "{field}: {body}");
        let message = body["errorMessage"].as_str().unwrap();
        assert!(message.contains(expected), "{field}: {message}");
    }
    let mut prequal = report_request(fixtures::RECORD_SSN);
    prequal["customerId"] = json!(fixtures::PREQUAL_CUSTOMER_ID);
    prequal["endUserCode"] = json!(fixtures::PREQUAL_END_USER_CODE);
    prequal["productCode"] = json!("PREQUAL");
    let (status, body) = gateway(&sandbox, &token, &prequal).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Consumers"]["productCode"], "PREQUAL");
}

#[tokio::test]
async fn fields_are_validated_without_echoing_pii() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = innovis_token(&sandbox).await;
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut long_trace = report_request(fixtures::RECORD_SSN);
    long_trace["customerTraceNumber"] = json!("T".repeat(31));
    cases.push((
        long_trace,
        "customerTraceNumber exceeds its maximum length of 30",
    ));
    let mut long_end_user = report_request(fixtures::RECORD_SSN);
    long_end_user["endUser"] = json!("E".repeat(31));
    cases.push((long_end_user, "endUser exceeds"));
    cases.push((report_request("666-01-0001"), "applicants[0].ssn"));
    cases.push((
        report_request("66601000A"),
        "applicants[0].ssn must be exactly 9 digits",
    ));
    let mut no_applicants = report_request(fixtures::RECORD_SSN);
    no_applicants["applicants"] = json!([]);
    cases.push((no_applicants, "applicants must hold at least one applicant"));
    let mut too_many = report_request(fixtures::RECORD_SSN);
    too_many["applicants"] = json!(vec![too_many["applicants"][0].clone(); 10]);
    cases.push((too_many, "more than 9"));
    let mut wrong_id = report_request(fixtures::RECORD_SSN);
    wrong_id["applicants"][0]["applicantId"] = json!("2A");
    cases.push((wrong_id, "applicantId must be 1A"));
    let mut no_name = report_request(fixtures::RECORD_SSN);
    no_name["applicants"][0]["names"] = json!([{ "first": "PAT" }]);
    cases.push((no_name, "names[0].last is required"));
    let mut long_email = report_request(fixtures::RECORD_SSN);
    long_email["applicants"][0]["emailAddress"] = json!(format!("{}@example.com", "a".repeat(80)));
    cases.push((long_email, "emailAddress exceeds its maximum length of 80"));
    let mut future_dob = report_request(fixtures::RECORD_SSN);
    future_dob["applicants"][0]["dob"] = json!("2999-01-01");
    cases.push((future_dob, "dob must not be in the future"));
    let mut no_customer = report_request(fixtures::RECORD_SSN);
    no_customer.as_object_mut().unwrap().remove("customerId");
    cases.push((no_customer, "customerId is required"));
    let mut access_method = report_request(fixtures::RECORD_SSN);
    access_method["accessMethod"] = json!("ID");
    cases.push((access_method, "accessMethod must be blank"));
    for (request, expected) in cases {
        let (status, body) = gateway(&sandbox, &token, &request).await;
        assert_eq!(status, 400, "{expected}: {body}");
        let message = body["errorMessage"].as_str().unwrap();
        assert!(
            message.contains(expected),
            "expected {expected:?} in {message:?}"
        );
        assert!(
            !message.contains("666"),
            "an error message echoed an SSN: {message}"
        );
        assert!(
            !message.contains("1980-04-12"),
            "an error message echoed a date of birth"
        );
    }
    let response = http()
        .post(sandbox.innovis_gateway_url())
        .bearer_auth(&token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn second_use_needs_an_issued_reference_and_a_past_date() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = innovis_token(&sandbox).await;
    let (_, report) = gateway(&sandbox, &token, &report_request(fixtures::RECORD_SSN)).await;
    let reference = report["Consumers"]["reportReferenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    let consumer_id = report["Consumers"]["consumerId"]
        .as_str()
        .unwrap()
        .to_owned();
    let inquiry_date = report["Consumers"]["inquiryDate"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, body) = gateway(
        &sandbox,
        &token,
        &second_use(&reference, &consumer_id, &inquiry_date),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let confirmation = &body["Consumers"];
    assert_eq!(confirmation["productCode"], "SECONDUSE");
    assert_eq!(confirmation["accessMethod"], "ID");
    assert_eq!(confirmation["secondUse"]["confirmed"], true);
    assert_eq!(
        confirmation["secondUse"]["originalReportReferenceNumber"],
        reference.as_str()
    );
    assert_eq!(
        confirmation["endUserCode"],
        fixtures::CR_SECOND_END_USER_CODE
    );
    assert_ne!(confirmation["reportReferenceNumber"], reference.as_str());

    let rejected = [
        (
            second_use(&reference, &consumer_id, "2999-01-01 00:00:00"),
            "must not be in the future",
        ),
        (
            second_use(&reference, &consumer_id, "2024-01-01"),
            "YYYY-MM-DD HH:MM:SS",
        ),
        (
            second_use("SBX00000000000000", &consumer_id, "2024-01-01 10:00:00"),
            "do not match",
        ),
        (
            second_use(&reference, "SBXC000000000", "2024-01-01 10:00:00"),
            "do not match",
        ),
    ];
    for (request, expected) in rejected {
        let (status, body) = gateway(&sandbox, &token, &request).await;
        assert_eq!(status, 400, "{expected}: {body}");
        assert!(
            body["errorMessage"].as_str().unwrap().contains(expected),
            "{body}"
        );
    }
    let mut no_access_method = second_use(&reference, &consumer_id, "2024-01-01 10:00:00");
    no_access_method
        .as_object_mut()
        .unwrap()
        .remove("accessMethod");
    let (status, _) = gateway(&sandbox, &token, &no_access_method).await;
    assert_eq!(status, 400);
    let mut other_house = second_use(&reference, &consumer_id, "2024-01-01 10:00:00");
    other_house["customerId"] = json!(fixtures::PREQUAL_CUSTOMER_ID);
    other_house["endUserCode"] = json!(fixtures::PREQUAL_END_USER_CODE);
    let (status, body) = gateway(&sandbox, &token, &other_house).await;
    assert_eq!(status, 400);
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .contains("SECONDUSE is not enabled")
    );

    // A consumer not on file has no report to share.
    let (_, no_record) = gateway(&sandbox, &token, &report_request(fixtures::NO_RECORD_SSN)).await;
    let missing_reference = no_record["Consumers"]["reportReferenceNumber"]
        .as_str()
        .unwrap();
    let (status, _) = gateway(
        &sandbox,
        &token,
        &second_use(missing_reference, "", "2024-01-01 10:00:00"),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn refupd_answers_a_report_with_a_reference_update() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = innovis_token(&sandbox).await;
    let mut request = report_request(fixtures::RECORD_SSN);
    request["productCode"] = json!("REFUPD");
    let (status, body) = gateway(&sandbox, &token, &request).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Consumers"]["productCode"], "REFUPD");
    assert_eq!(body["Consumers"]["returnCode"], "Record");
    assert_eq!(body["Consumers"]["referenceUpdate"]["status"], "UPDATED");
}
