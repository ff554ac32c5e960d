//! The framework-agnostic `CalloutReceiver::handle`: deduplication edge cases under paused time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use housecanary_partner::callouts::{
    Begin, CalloutMessage, CalloutOutcome, CalloutReceiver, CalloutVerifier, ClaimToken,
    DeadLetter, Enqueued, InMemoryMessageLog, InboxStats, MessageLog, MessageLogError,
    ReceiverConfig, StoredCallout,
};
use housecanary_partner::{CalloutAuth, SecretString};

use crate::support;

fn auth() -> CalloutAuth {
    CalloutAuth::query_token("token", SecretString::from("q-secret-0123456789"))
        .expect("non-empty callout credentials")
}

/// Request parts as the vendor would send them for `body`.
fn signed_parts(body: &[u8]) -> http::request::Parts {
    support::signed_parts(&auth(), body)
}

fn body(message_id: &str) -> Bytes {
    support::item_status_body(message_id)
}

/// A receiver whose handler sleeps `delay` (paused time) and counts its calls.
fn receiver(
    log: Arc<dyn MessageLog>,
    delay: Duration,
    calls: &Arc<AtomicUsize>,
) -> CalloutReceiver {
    let calls = Arc::clone(calls);
    CalloutReceiver::new(
        CalloutVerifier::new(auth()),
        log,
        move |_m: CalloutMessage| {
            let calls = Arc::clone(&calls);
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                Ok::<(), String>(())
            }
        },
    )
    .unwrap()
    .with_config(ReceiverConfig {
        budget: Duration::from_secs(25),
        ..ReceiverConfig::default()
    })
    .expect("budget shorter than the lease")
}

#[tokio::test(start_paused = true)]
async fn the_default_budget_is_25_seconds_and_an_overrun_is_503() {
    let calls = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(InMemoryMessageLog::default());
    let slow = receiver(log.clone(), Duration::from_secs(26), &calls);
    assert_eq!(slow.config().budget, Duration::from_secs(25));
    let b = body("m-slow");
    let started = tokio::time::Instant::now();
    let outcome = slow.handle(&signed_parts(&b), b.clone()).await;
    assert!(
        matches!(outcome, CalloutOutcome::TimedOut { .. }),
        "{outcome:?}"
    );
    assert_eq!(outcome.status(), http::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(started.elapsed(), Duration::from_secs(25));
    assert!(
        matches!(log.try_begin("m-slow").await.unwrap(), Begin::New(_)),
        "left unprocessed"
    );

    let fast = receiver(
        Arc::new(InMemoryMessageLog::default()),
        Duration::from_secs(24),
        &calls,
    );
    let outcome = fast.handle(&signed_parts(&b), b).await;
    assert!(
        matches!(outcome, CalloutOutcome::Processed { .. }),
        "{outcome:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_delivery_releases_its_claim() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = receiver(
        Arc::new(InMemoryMessageLog::default()),
        Duration::from_secs(10),
        &calls,
    );
    let b = body("m-cancelled");
    let parts = signed_parts(&b);

    // The server drops the request future (client went away) while the handler runs.
    let dropped =
        tokio::time::timeout(Duration::from_secs(1), receiver.handle(&parts, b.clone())).await;
    assert!(dropped.is_err());
    tokio::task::yield_now().await; // let the spawned release run

    let outcome = receiver.handle(&parts, b).await;
    assert!(
        matches!(outcome, CalloutOutcome::Processed { .. }),
        "{outcome:?}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_message_without_an_id_is_handled_every_time() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = receiver(
        Arc::new(InMemoryMessageLog::default()),
        Duration::ZERO,
        &calls,
    );
    let b = Bytes::from_static(br#"{"message_type":"heartbeat"}"#);
    for _ in 0..3 {
        let outcome = receiver.handle(&signed_parts(&b), b.clone()).await;
        assert!(
            matches!(outcome, CalloutOutcome::Processed { message_id: None }),
            "{outcome:?}"
        );
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

/// A log whose backend is down.
struct BrokenLog;

impl MessageLog for BrokenLog {
    fn claim_lease(&self) -> Duration {
        Duration::from_secs(60)
    }
    fn try_begin<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<Begin, MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn complete<'a>(
        &'a self,
        _id: &'a str,
        _token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn abandon<'a>(
        &'a self,
        _id: &'a str,
        _token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn store_dead_letter(&self, _dead: DeadLetter) -> BoxFuture<'_, Result<(), MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn enqueue<'a>(
        &'a self,
        _id: &'a str,
        _body: Bytes,
    ) -> BoxFuture<'a, Result<Enqueued, MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn claim_due(
        &self,
        _limit: usize,
    ) -> BoxFuture<'_, Result<Vec<StoredCallout>, MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn inbox_stats(&self) -> BoxFuture<'_, Result<InboxStats, MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn retry_later<'a>(
        &'a self,
        _id: &'a str,
        _token: ClaimToken,
        _reason: &'a str,
        _delay: Duration,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn dead_letter<'a>(
        &'a self,
        _id: &'a str,
        _token: ClaimToken,
        _reason: &'a str,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn dead_letters<'a>(
        &'a self,
        _after: Option<&'a str>,
        _limit: usize,
    ) -> BoxFuture<'a, Result<Vec<DeadLetter>, MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn redrive<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<bool, MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn redrive_all(&self) -> BoxFuture<'_, Result<u64, MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
    fn delete_dead_letter<'a>(
        &'a self,
        _id: &'a str,
    ) -> BoxFuture<'a, Result<bool, MessageLogError>> {
        Box::pin(async { Err(MessageLogError::new("connection refused")) })
    }
}

#[tokio::test(start_paused = true)]
async fn an_unavailable_log_answers_503_without_calling_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = receiver(Arc::new(BrokenLog), Duration::ZERO, &calls);
    let b = body("m-log-down");
    let outcome = receiver.handle(&signed_parts(&b), b).await;
    assert!(
        matches!(outcome, CalloutOutcome::LogUnavailable { .. }),
        "{outcome:?}"
    );
    assert_eq!(outcome.status(), http::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// A log that never answers.
struct HangingLog;

impl MessageLog for HangingLog {
    fn claim_lease(&self) -> Duration {
        Duration::from_secs(60)
    }
    fn try_begin<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<Begin, MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn complete<'a>(
        &'a self,
        _id: &'a str,
        _token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn abandon<'a>(
        &'a self,
        _id: &'a str,
        _token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn store_dead_letter(&self, _dead: DeadLetter) -> BoxFuture<'_, Result<(), MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn enqueue<'a>(
        &'a self,
        _id: &'a str,
        _body: Bytes,
    ) -> BoxFuture<'a, Result<Enqueued, MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn claim_due(
        &self,
        _limit: usize,
    ) -> BoxFuture<'_, Result<Vec<StoredCallout>, MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn inbox_stats(&self) -> BoxFuture<'_, Result<InboxStats, MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn retry_later<'a>(
        &'a self,
        _id: &'a str,
        _token: ClaimToken,
        _reason: &'a str,
        _delay: Duration,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn dead_letter<'a>(
        &'a self,
        _id: &'a str,
        _token: ClaimToken,
        _reason: &'a str,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn dead_letters<'a>(
        &'a self,
        _after: Option<&'a str>,
        _limit: usize,
    ) -> BoxFuture<'a, Result<Vec<DeadLetter>, MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn redrive<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<bool, MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn redrive_all(&self) -> BoxFuture<'_, Result<u64, MessageLogError>> {
        Box::pin(std::future::pending())
    }
    fn delete_dead_letter<'a>(
        &'a self,
        _id: &'a str,
    ) -> BoxFuture<'a, Result<bool, MessageLogError>> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test(start_paused = true)]
async fn a_hanging_log_is_bounded_by_the_budget() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = receiver(Arc::new(HangingLog), Duration::ZERO, &calls);
    let b = body("m-log-hangs");
    let started = tokio::time::Instant::now();
    let outcome = receiver.handle(&signed_parts(&b), b).await;
    assert!(
        matches!(outcome, CalloutOutcome::LogUnavailable { .. }),
        "{outcome:?}"
    );
    assert_eq!(started.elapsed(), Duration::from_secs(25));
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn the_body_limit_applies_before_authentication() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = receiver(
        Arc::new(InMemoryMessageLog::default()),
        Duration::ZERO,
        &calls,
    )
    .with_config(ReceiverConfig {
        body_limit: 16,
        ..ReceiverConfig::default()
    })
    .unwrap();
    let b = body("m-large");
    let outcome = receiver.handle(&signed_parts(&b), b).await;
    assert!(
        matches!(outcome, CalloutOutcome::TooLarge { limit: 16 }),
        "{outcome:?}"
    );
    assert_eq!(outcome.status(), http::StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn durations_past_a_year_are_refused_or_capped_and_never_overflow_the_clock() {
    use housecanary_partner::callouts::{ConfigError, InboxConfig, InboxWorker, WorkOutcome};

    let calls = Arc::new(AtomicUsize::new(0));
    let too_long = |result: Result<CalloutReceiver, ConfigError>| {
        matches!(result, Err(ConfigError::TooLong { .. }))
    };
    let log = || InMemoryMessageLog::default().lease(Duration::MAX);
    assert!(too_long(
        receiver(Arc::new(log()), Duration::ZERO, &calls).with_config(ReceiverConfig {
            budget: Duration::MAX,
            ..ReceiverConfig::default()
        })
    ));
    assert!(too_long(
        receiver(Arc::new(log()), Duration::ZERO, &calls).with_config(ReceiverConfig {
            idle_timeout: Duration::MAX,
            ..ReceiverConfig::default()
        })
    ));
    let worker = InboxWorker::new(Arc::new(log()), |_| async { Ok::<(), String>(()) }).unwrap();
    let config = InboxConfig {
        budget: Duration::MAX,
        ..InboxConfig::default()
    };
    assert!(matches!(
        worker.with_config(config),
        Err(ConfigError::TooLong { .. })
    ));

    // The longest lease and the longest budget it allows still claim and answer.
    let longest = ConfigError::LONGEST_DURATION;
    let receiver = receiver(Arc::new(log()), Duration::ZERO, &calls)
        .with_config(ReceiverConfig {
            budget: longest - Duration::from_secs(1),
            ..ReceiverConfig::default()
        })
        .unwrap();
    let b = body("m-long");
    let outcome = receiver.handle(&signed_parts(&b), b).await;
    assert!(
        matches!(outcome, CalloutOutcome::Processed { .. }),
        "{outcome:?}"
    );

    // A failing handler with the longest back-off is scheduled, not a panic.
    let log = Arc::new(log());
    log.enqueue("m-retry", body("m-retry")).await.unwrap();
    let failing = InboxWorker::new(log.clone(), |_| async { Err::<(), _>("down") })
        .unwrap()
        .with_config(InboxConfig {
            backoff: housecanary_partner::Backoff::new(longest, longest),
            ..InboxConfig::default()
        })
        .unwrap();
    let outcome = failing.run_once().await.unwrap();
    assert!(
        matches!(outcome[..], [WorkOutcome::Retrying { .. }]),
        "{outcome:?}"
    );
}
