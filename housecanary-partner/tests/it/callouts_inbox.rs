//! Inbox workers: woken by a stored callout long before their poll, batch claims, and the gauges.
#![cfg(feature = "postgres")]

use std::sync::Arc;
use std::time::Duration;

use housecanary_partner::callouts::{
    DeadLetter, InMemoryMessageLog, InboxConfig, InboxWorker, MessageLog,
};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use tokio::sync::mpsc;

use crate::callouts_durable::database;
use crate::support::item_status_body as body;

const LEASE: Duration = Duration::from_secs(60);

/// A worker that polls only every 30 s, started and idle, gets a stored callout within a second.
async fn a_stored_callout_wakes_an_idle_worker(log: Arc<dyn MessageLog>) {
    let (handled, mut seen) = mpsc::unbounded_channel();
    let worker = InboxWorker::new(log.clone(), move |message| {
        let handled = handled.clone();
        async move {
            handled.send(message.message_id().map(str::to_owned)).ok();
            Ok::<(), String>(())
        }
    })
    .unwrap()
    .with_config(InboxConfig {
        idle_poll: Duration::from_secs(30),
        ..InboxConfig::default()
    })
    .unwrap();
    let running = tokio::spawn(async move { worker.run(std::future::pending()).await });
    tokio::time::sleep(Duration::from_millis(300)).await; // idle, waiting
    for id in ["w-1", "w-2"] {
        log.enqueue(id, body(id)).await.unwrap();
        let woken = tokio::time::timeout(Duration::from_secs(1), seen.recv()).await;
        assert_eq!(
            woken.expect("handled within a second"),
            Some(Some(id.to_owned()))
        );
    }
    running.abort();
}

/// One claim takes up to the limit, oldest first.
async fn a_claim_takes_a_batch(log: Arc<dyn MessageLog>) {
    for id in ["b-1", "b-2", "b-3", "b-4", "b-5"] {
        log.enqueue(id, body(id)).await.unwrap();
    }
    let first = log.claim_due(3).await.unwrap();
    assert_eq!(first.len(), 3);
    let rest = log.claim_due(10).await.unwrap();
    let mut ids: Vec<_> = first
        .iter()
        .chain(&rest)
        .map(|s| s.message_id.clone())
        .collect();
    ids.sort();
    assert_eq!(ids, ["b-1", "b-2", "b-3", "b-4", "b-5"]);
    assert!(log.claim_due(10).await.unwrap().is_empty());
}

/// What a worker publishes at its start: three pending (the oldest stored 100 ms before), one dead
/// letter.
async fn gauges(log: Arc<dyn MessageLog>) {
    for id in ["g-1", "g-2", "g-3"] {
        log.enqueue(id, body(id)).await.unwrap();
    }
    let dead = DeadLetter::new("g-dead", body("g-dead"), "not a callout", 0);
    log.store_dead_letter(dead).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let worker = InboxWorker::new(log, |_| async { Ok::<(), String>(()) }).unwrap();
    let stop = tokio::time::sleep(Duration::from_millis(200));
    worker.run(stop).await;
}

fn gauges_published(
    log: impl FnOnce() -> futures_util::future::BoxFuture<'static, Arc<dyn MessageLog>>,
) {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async { gauges(log().await).await })
    });
    let snapshot = snapshotter.snapshot().into_vec();
    let gauge = |name: &str| {
        snapshot
            .iter()
            .find(|(key, ..)| key.key().name() == name)
            .map(|(.., value)| match value {
                DebugValue::Gauge(value) => value.into_inner(),
                other => panic!("{name} is not a gauge: {other:?}"),
            })
            .unwrap_or_else(|| panic!("{name} not published"))
    };
    use housecanary_partner::metrics::{DEAD_LETTERS, INBOX_DEPTH, INBOX_OLDEST_AGE};
    assert_eq!(gauge(INBOX_DEPTH), 3.0);
    assert_eq!(gauge(DEAD_LETTERS), 1.0);
    let age = gauge(INBOX_OLDEST_AGE);
    assert!((0.09..30.0).contains(&age), "{age}");
}

fn in_memory() -> Arc<dyn MessageLog> {
    Arc::new(InMemoryMessageLog::default().lease(LEASE))
}

async fn postgres(name: &str) -> Arc<dyn MessageLog> {
    Arc::new(database::log(&database::url(), name, LEASE).await)
}

#[tokio::test]
async fn in_memory_a_stored_callout_wakes_an_idle_worker() {
    a_stored_callout_wakes_an_idle_worker(in_memory()).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn postgres_a_stored_callout_wakes_an_idle_worker() {
    a_stored_callout_wakes_an_idle_worker(postgres("wake").await).await;
}

#[tokio::test]
async fn in_memory_a_claim_takes_a_batch() {
    a_claim_takes_a_batch(in_memory()).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn postgres_a_claim_takes_a_batch() {
    a_claim_takes_a_batch(postgres("batch").await).await;
}

#[test]
fn in_memory_workers_publish_the_inbox_gauges() {
    gauges_published(|| Box::pin(async { in_memory() }));
}

#[test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
fn postgres_workers_publish_the_inbox_gauges() {
    gauges_published(|| Box::pin(postgres("gauges")));
}
