//! Inbox workers: woken by a stored or redriven callout long before their poll (from their own
//! store, or from another replica's when listening), batch claims, and the gauges.
#![cfg(feature = "postgres")]

use std::sync::Arc;
use std::time::Duration;

use credit_valuation_postgres::pool_from_url;
use housecanary_partner::SecretString;
use housecanary_partner::callouts::{
    DeadLetter, InMemoryMessageLog, InboxConfig, InboxWorker, MessageLog, PostgresLogConfig,
    PostgresMessageLog,
};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use tokio::sync::mpsc;

use crate::callouts_durable::database;
use crate::support::item_status_body as body;

const LEASE: Duration = Duration::from_secs(60);

/// A worker on `working` that polls only every 30 s, started and idle, handles within two seconds
/// each callout stored, and a dead letter redriven, through `storing` (the same store, or another
/// replica's).
async fn a_stored_callout_wakes_an_idle_worker(
    storing: Arc<dyn MessageLog>,
    working: Arc<dyn MessageLog>,
) {
    let (handled, mut seen) = mpsc::unbounded_channel();
    let worker = InboxWorker::new(working, move |message| {
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
    let dead = DeadLetter::new("w-dead", body("w-dead"), "handler failed", 8);
    storing.store_dead_letter(dead).await.unwrap();
    for id in ["w-1", "w-2", "w-dead"] {
        if id == "w-dead" {
            assert!(storing.redrive(id).await.unwrap());
        } else {
            storing.enqueue(id, body(id)).await.unwrap();
        }
        let woken = tokio::time::timeout(Duration::from_secs(2), seen.recv()).await;
        assert_eq!(
            woken.expect("handled within two seconds"),
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
    let log = in_memory();
    a_stored_callout_wakes_an_idle_worker(log.clone(), log).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn postgres_a_stored_callout_wakes_an_idle_worker() {
    let log = postgres("wake").await;
    a_stored_callout_wakes_an_idle_worker(log.clone(), log).await;
}

/// Two stores on one table, as two replicas have: the worker's listens (`listen_url`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn postgres_another_replica_s_callout_wakes_a_listening_idle_worker() {
    let url = database::url();
    let schema = database::unique_schema("wake_replica");
    let store = |listen_url: Option<SecretString>| {
        let config = PostgresLogConfig {
            schema: schema.clone(),
            claim_lease: LEASE,
            listen_url,
            ..PostgresLogConfig::default()
        };
        let log = PostgresMessageLog::new(pool_from_url(&url, 4).unwrap(), config);
        async move { Arc::new(log.await.expect("migrated callout store")) as Arc<dyn MessageLog> }
    };
    let storing = store(None).await;
    let working = store(Some(url.as_str().into())).await;
    a_stored_callout_wakes_an_idle_worker(storing, working).await;
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
