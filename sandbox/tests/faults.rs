//! Fault knobs: latency, 503 and 429 answers, dropped callouts.

mod support;

use std::time::{Duration, Instant};

use reqwest::Method;
use sandbox::{Faults, Sandbox, SandboxConfig, TestCredentials};
use serde_json::{Value, json};
use support::{CalloutReceiver, eventually, hc, http};

#[tokio::test]
async fn rate_limits_carry_retry_after_and_vendor_shaped_bodies() {
    let sandbox = Sandbox::start_with(SandboxConfig::default().with_faults(Faults {
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
    let sandbox = Sandbox::start_with(SandboxConfig::default().with_faults(Faults {
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
    let sandbox = Sandbox::start_with(SandboxConfig::default().with_faults(Faults {
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
        .with_step_interval(Duration::from_millis(5))
        .with_callout_target(receiver.url.clone(), auth)
        .with_faults(Faults {
            drop_callout_rate: 1.0,
            ..Faults::default()
        });
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let order = json!({ "order_type": "valueReport", "name": "Dropped", "items": [{ "address": "1 A St", "zipcode": "94103" }] });
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
    assert!(matches!(error, sandbox::SandboxError::NotLoopback { .. }));
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
