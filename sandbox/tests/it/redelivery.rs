//! Callout redelivery: an unacknowledged callout is sent again, 11 deliveries in all (the first and
//! 10 redeliveries, as the vendor documents), then dropped.

use std::time::Duration;

use credit_valuation_sandbox::{Sandbox, SandboxConfig, TestCredentials};
use reqwest::Method;

use crate::support::{CalloutReceiver, eventually, hc, one_item_order};

/// Messages one single-item order produces: item + order at validation, item + order at
/// reportPending, item + order_complete + order at completion.
const MESSAGES_PER_ORDER: u64 = 7;

fn config(receiver: &CalloutReceiver) -> SandboxConfig {
    SandboxConfig::default()
        .step_interval(Duration::from_millis(5))
        .redelivery_interval(Duration::from_millis(5))
        .callout_target(
            receiver.url.clone(),
            TestCredentials::default().hmac_callout_auth(),
        )
}

async fn order(sandbox: &Sandbox) {
    let order = one_item_order("Redelivery", "123 Main St");
    assert_eq!(
        hc(sandbox, Method::POST, "orders/", Some(order)).await.0,
        201
    );
}

#[tokio::test]
async fn an_unacknowledged_callout_is_delivered_exactly_11_times() {
    let receiver =
        CalloutReceiver::start(TestCredentials::default().hmac_callout_auth(), u32::MAX).await;
    let sandbox = Sandbox::start_with(config(&receiver)).await.unwrap();
    order(&sandbox).await;
    eventually(|| sandbox.stats().callouts_given_up == MESSAGES_PER_ORDER).await;
    assert_eq!(credit_valuation_sandbox::CALLOUT_DELIVERIES, 11);
    // Give a would-be 12th attempt time to show up.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let attempts = receiver.attempts();
    assert_eq!(attempts.len() as u64, MESSAGES_PER_ORDER);
    for (message_id, count) in &attempts {
        assert_eq!(*count, 11, "message {message_id}");
    }
    let stats = sandbox.stats();
    assert_eq!(stats.callouts_attempted, 11 * MESSAGES_PER_ORDER);
    assert_eq!(stats.callouts_acknowledged, 0);
    assert_eq!(stats.callouts_given_up, MESSAGES_PER_ORDER);
}

#[tokio::test]
async fn redelivery_stops_at_the_first_2xx() {
    let receiver = CalloutReceiver::start(TestCredentials::default().hmac_callout_auth(), 3).await;
    let sandbox = Sandbox::start_with(config(&receiver)).await.unwrap();
    order(&sandbox).await;
    eventually(|| sandbox.stats().callouts_acknowledged == MESSAGES_PER_ORDER).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        receiver.attempts().values().all(|count| *count == 4),
        "{:?}",
        receiver.attempts()
    );
    let stats = sandbox.stats();
    assert_eq!(stats.callouts_attempted, 4 * MESSAGES_PER_ORDER);
    assert_eq!(stats.callouts_given_up, 0);
}

#[tokio::test]
async fn a_receiver_that_times_out_gets_the_message_again() {
    let receiver = CalloutReceiver::start_with(
        TestCredentials::default().hmac_callout_auth(),
        0,
        Some((1, Duration::from_millis(500))),
    )
    .await;
    let sandbox = Sandbox::start_with(config(&receiver).callout_timeout(Duration::from_millis(50)))
        .await
        .unwrap();
    order(&sandbox).await;
    eventually(|| sandbox.stats().callouts_acknowledged == MESSAGES_PER_ORDER).await;
    assert!(
        receiver.attempts().values().all(|count| *count == 2),
        "{:?}",
        receiver.attempts()
    );
}

#[tokio::test]
async fn the_attempt_limit_is_configurable() {
    let receiver =
        CalloutReceiver::start(TestCredentials::default().hmac_callout_auth(), u32::MAX).await;
    let sandbox = Sandbox::start_with(config(&receiver).max_delivery_attempts(3))
        .await
        .unwrap();
    order(&sandbox).await;
    eventually(|| sandbox.stats().callouts_given_up == MESSAGES_PER_ORDER).await;
    assert!(receiver.attempts().values().all(|count| *count == 3));
}
