//! Fault knobs: latency, 503 and 429 answers, dropped callouts, and the Innovis inquiries that are
//! recorded and then dropped, answered 504 or stalled.

use std::process::Command;
use std::time::{Duration, Instant};

use credit_valuation_sandbox::{
    Faults, InquiryAnswer, RecordedInquiry, Sandbox, SandboxConfig, TestCredentials, fixtures,
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{
    BINARY, CalloutReceiver, RunningBinary, eventually, hc, http, innovis_token,
    innovis_token_request, one_item_order, second_use,
};

#[tokio::test]
async fn rate_limits_carry_retry_after_and_vendor_shaped_bodies() {
    let sandbox = Sandbox::start_with(SandboxConfig::default().faults(Faults {
        rate_limit_rate: 1.0,
        ..Faults::default()
    }))
    .await
    .unwrap();
    let response = http()
        .post(sandbox.innovis_token_url())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    let (status, body) = hc(&sandbox, Method::GET, "orders/", None).await;
    assert_eq!(status, 429);
    assert!(body["detail"].is_string());
    assert_eq!(sandbox.stats().faults_injected, 2);
    assert_eq!(
        sandbox.stats().token_requests,
        0,
        "a faulted request never reaches the vendor"
    );

    sandbox.set_faults(Faults {
        server_error_rate: 1.0,
        ..Faults::default()
    });
    let response = http()
        .post(sandbox.innovis_gateway_url())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert!(body["errorMessage"].is_string());

    sandbox.set_faults(Faults::default());
    assert_eq!(hc(&sandbox, Method::GET, "orders/", None).await.0, 200);
}

#[tokio::test]
async fn a_share_of_answers_fail() {
    let sandbox = Sandbox::start_with(SandboxConfig::default().faults(Faults {
        server_error_rate: 0.5,
        ..Faults::default()
    }))
    .await
    .unwrap();
    let mut failed = 0;
    for _ in 0..200 {
        if hc(&sandbox, Method::GET, "orders/", None).await.0 == 503 {
            failed += 1;
        }
    }
    assert!(
        (40..=160).contains(&failed),
        "{failed} of 200 failed at a 50% rate"
    );
}

#[tokio::test]
async fn latency_is_added() {
    let sandbox = Sandbox::start_with(SandboxConfig::default().faults(Faults {
        latency: Duration::from_millis(80),
        ..Faults::default()
    }))
    .await
    .unwrap();
    let started = Instant::now();
    assert_eq!(hc(&sandbox, Method::GET, "orders/", None).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(80));
}

#[tokio::test]
async fn dropped_callouts_are_never_sent() {
    let auth = TestCredentials::default().hmac_callout_auth();
    let receiver = CalloutReceiver::start(auth.clone(), 0).await;
    let config = SandboxConfig::default()
        .step_interval(Duration::from_millis(5))
        .callout_target(receiver.url.clone(), auth)
        .faults(Faults {
            drop_callout_rate: 1.0,
            ..Faults::default()
        });
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let order = one_item_order("Dropped", "1 A St");
    let (_, created) = hc(&sandbox, Method::POST, "orders/", Some(order)).await;
    let order_id = created["id"].as_u64().unwrap();
    eventually(|| sandbox.stats().callouts_dropped == 7).await;
    let (_, order) = hc(&sandbox, Method::GET, &format!("orders/{order_id}/"), None).await;
    assert_eq!(order["status"], "complete", "the order still completes");
    assert!(receiver.attempts().is_empty());
    assert_eq!(sandbox.stats().callouts_attempted, 0);
}

#[tokio::test]
async fn only_loopback_addresses_are_accepted() {
    let public = "0.0.0.0:0".parse().unwrap();
    let error = Sandbox::bind(public, SandboxConfig::default())
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        credit_valuation_sandbox::SandboxError::NotLoopback { .. }
    ));
    assert!(error.to_string().contains("loopback"));
}

#[tokio::test]
async fn unknown_paths_answer_a_json_404() {
    let sandbox = Sandbox::start().await.unwrap();
    let response = http()
        .get(sandbox.base_url().join("nope/").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"], "Not found.");
}

/// A CR inquiry for the consumer on file, so that its report can be used for SECONDUSE.
fn credit_report_request(trace: &str) -> Value {
    json!({
        "customerId": fixtures::CR_CUSTOMER_ID,
        "endUserCode": fixtures::CR_END_USER_CODE,
        "customerTraceNumber": trace,
        "productCode": "CR",
        "permissiblePurposeCode": fixtures::PERMISSIBLE_PURPOSE,
        "softwareProviderId": "SBX1",
        "applicants": [{
            "applicantId": "1A",
            "names": [{ "first": "PAT", "last": "RECORD" }],
            "ssn": fixtures::RECORD_SSN,
        }],
    })
}

/// Posts `body` to the gateway with a fresh client (no pooled connection to reuse) and `timeout`.
async fn send_inquiry(
    sandbox: &Sandbox,
    token: &str,
    body: &Value,
    timeout: Option<Duration>,
) -> reqwest::Result<reqwest::Response> {
    let mut client = reqwest::Client::builder();
    if let Some(timeout) = timeout {
        client = client.timeout(timeout);
    }
    client
        .build()
        .unwrap()
        .post(sandbox.innovis_gateway_url())
        .bearer_auth(token)
        .json(body)
        .send()
        .await
}

/// hyper's "connection closed before message completed" anywhere in the error's sources.
fn closed_before_an_answer(error: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(current) = source {
        if current
            .to_string()
            .contains("connection closed before message completed")
        {
            return true;
        }
        source = current.source();
    }
    false
}

fn only_inquiry(sandbox: &Sandbox, trace: &str) -> RecordedInquiry {
    let recorded = sandbox.innovis_inquiries_for_trace(trace);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    recorded.into_iter().next().unwrap()
}

/// The inquiry's report was stored like an answered one's: a SECONDUSE of it is confirmed.
async fn assert_second_use_works(sandbox: &Sandbox, token: &str, inquiry: &RecordedInquiry) {
    let request = second_use(
        &inquiry.report_reference_number,
        inquiry.consumer_id.as_deref().unwrap(),
        &inquiry.inquiry_date,
    );
    let response = send_inquiry(sandbox, token, &request, None).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["Consumers"]["secondUse"]["originalReportReferenceNumber"],
        inquiry.report_reference_number.as_str()
    );
}

#[tokio::test]
async fn answered_inquiries_are_recorded_per_trace_number_and_faulted_requests_are_not() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = innovis_token(&sandbox).await;
    let mut references = Vec::new();
    for trace in ["TRACE-A", "TRACE-B", "TRACE-A"] {
        let response = send_inquiry(&sandbox, &token, &credit_report_request(trace), None)
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        references.push(body["Consumers"]["reportReferenceNumber"].clone());
    }
    let repeated = sandbox.innovis_inquiries_for_trace("TRACE-A");
    assert_eq!(
        repeated.len(),
        2,
        "a repeated trace number is two inquiries"
    );
    assert_eq!(repeated[0].report_reference_number, references[0]);
    assert_eq!(repeated[1].report_reference_number, references[2]);
    let first = &repeated[0];
    assert_eq!(first.customer_trace_number.as_deref(), Some("TRACE-A"));
    assert_eq!(first.product_code, "CR");
    assert_eq!(first.customer_id, fixtures::CR_CUSTOMER_ID);
    assert_eq!(first.end_user_code, fixtures::CR_END_USER_CODE);
    assert_eq!(
        first.permissible_purpose_code,
        fixtures::PERMISSIBLE_PURPOSE
    );
    assert_eq!(first.return_code, "Record");
    assert!(first.consumer_id.is_some());
    assert_eq!(first.answer, InquiryAnswer::Answered);
    assert_eq!(sandbox.innovis_inquiries().len(), 3);
    assert_eq!(sandbox.stats().inquiries_recorded, 3);

    // Stopped before processing: not an inquiry.
    sandbox.set_faults(Faults {
        server_error_rate: 1.0,
        ..Faults::default()
    });
    let response = send_inquiry(&sandbox, &token, &credit_report_request("TRACE-503"), None)
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(sandbox.innovis_inquiries_for_trace("TRACE-503").is_empty());
    assert!(
        sandbox
            .innovis_inquiries_for_trace("TRACE-NEVER-SENT")
            .is_empty()
    );
    assert_eq!(sandbox.stats().inquiries_recorded, 3);
}

#[tokio::test]
async fn a_recorded_inquiry_can_lose_its_connection_without_an_answer() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = innovis_token(&sandbox).await;
    sandbox.set_faults(Faults {
        gateway_drop_after_recording_rate: 1.0,
        ..Faults::default()
    });
    let error = send_inquiry(&sandbox, &token, &credit_report_request("TRACE-DROP"), None)
        .await
        .expect_err("no answer after a dropped connection");
    assert!(!error.is_connect(), "the request was sent: {error:?}");
    assert!(!error.is_timeout(), "{error:?}");
    assert!(
        error.status().is_none(),
        "no status was received: {error:?}"
    );
    assert!(
        closed_before_an_answer(&error),
        "the connection closed before a response: {error:?}"
    );

    let inquiry = only_inquiry(&sandbox, "TRACE-DROP");
    assert_eq!(inquiry.answer, InquiryAnswer::ConnectionDropped);
    let stats = sandbox.stats();
    assert_eq!(stats.inquiries_recorded, 1);
    assert_eq!(stats.faults_after_recording, 1);
    assert_eq!(stats.faults_injected, 0);

    sandbox.set_faults(Faults::default());
    assert_second_use_works(&sandbox, &token, &inquiry).await;
}

#[tokio::test]
async fn a_recorded_inquiry_can_be_answered_504() {
    let sandbox = Sandbox::start_with(SandboxConfig::default().faults(Faults {
        gateway_504_after_recording_rate: 1.0,
        ..Faults::default()
    }))
    .await
    .unwrap();
    let token = innovis_token(&sandbox).await;
    let response = send_inquiry(&sandbox, &token, &credit_report_request("TRACE-504"), None)
        .await
        .unwrap();
    assert_eq!(response.status(), 504);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .contains("Gateway Timeout")
    );
    assert!(body.get("Consumers").is_none(), "the report is not given");

    let inquiry = only_inquiry(&sandbox, "TRACE-504");
    assert_eq!(inquiry.answer, InquiryAnswer::GatewayTimeout);
    assert_eq!(sandbox.stats().faults_after_recording, 1);
    sandbox.set_faults(Faults::default());
    assert_second_use_works(&sandbox, &token, &inquiry).await;
}

#[tokio::test]
async fn a_recorded_inquiry_can_stall_past_the_client_timeout_and_then_close() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = innovis_token(&sandbox).await;
    sandbox.set_faults(Faults {
        gateway_stall_after_recording_rate: 1.0,
        gateway_stall_duration: Duration::from_secs(30),
        ..Faults::default()
    });
    let client_timeout = Duration::from_millis(300);
    let error = send_inquiry(
        &sandbox,
        &token,
        &credit_report_request("TRACE-STALL"),
        Some(client_timeout),
    )
    .await
    .expect_err("a stall outlasts the client's timeout");
    assert!(error.is_timeout(), "{error:?}");
    let inquiry = only_inquiry(&sandbox, "TRACE-STALL");
    assert_eq!(inquiry.answer, InquiryAnswer::Stalled);

    // A client that waits longer than the stall sees the connection closed, never an answer.
    let stall = Duration::from_millis(200);
    sandbox.set_faults(Faults {
        gateway_stall_after_recording_rate: 1.0,
        gateway_stall_duration: stall,
        ..Faults::default()
    });
    let started = Instant::now();
    let error = send_inquiry(
        &sandbox,
        &token,
        &credit_report_request("TRACE-SHORT-STALL"),
        Some(Duration::from_secs(10)),
    )
    .await
    .expect_err("no answer after a stall");
    assert!(started.elapsed() >= stall, "{:?}", started.elapsed());
    assert!(!error.is_timeout() && !error.is_connect(), "{error:?}");
    assert!(closed_before_an_answer(&error), "{error:?}");
    assert_eq!(
        only_inquiry(&sandbox, "TRACE-SHORT-STALL").answer,
        InquiryAnswer::Stalled
    );

    sandbox.set_faults(Faults::default());
    assert_second_use_works(&sandbox, &token, &inquiry).await;
    assert_eq!(sandbox.stats().faults_after_recording, 2);
}

#[tokio::test]
async fn rejected_gateway_requests_are_never_faulted_after_recording() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = innovis_token(&sandbox).await;
    sandbox.set_faults(Faults {
        gateway_drop_after_recording_rate: 1.0,
        ..Faults::default()
    });
    let mut unregistered = credit_report_request("TRACE-REJECTED");
    unregistered["customerId"] = json!("7999999999");
    let response = send_inquiry(&sandbox, &token, &unregistered, None)
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = send_inquiry(
        &sandbox,
        "not-a-token",
        &credit_report_request("TRACE-401"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 401);
    assert!(sandbox.innovis_inquiries().is_empty());
    assert_eq!(sandbox.stats().faults_after_recording, 0);
    // The token endpoint is not the gateway: faults after recording leave it alone.
    innovis_token(&sandbox).await;
}

#[tokio::test]
async fn the_binary_takes_the_faults_after_recording() {
    let binary = RunningBinary::start(&[
        "--listen",
        "127.0.0.1:0",
        "--504-after-recording-rate",
        "1",
        "--stall-after-recording-rate=0",
        "--stall-ms",
        "50",
        "--drop-after-recording-rate",
        "0",
    ])
    .await;
    let base = &binary.base;
    let token: Value = http()
        .post(format!("{base}oauth/token"))
        .json(&innovis_token_request(&TestCredentials::default()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = http()
        .post(format!("{base}InnovisGateway/orest/grs_v001/request"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&credit_report_request("TRACE-BINARY"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 504);

    for args in [
        &["--504-after-recording-rate", "1.5"][..],
        &["--stall-ms", "soon"],
        &["--drop-after-recording-rate"],
    ] {
        let output = Command::new(BINARY).args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?} should fail");
    }
}
