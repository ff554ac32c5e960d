//! Inbox wake-ups on PostgreSQL: a worker whose next poll is 30 s away processes, within a second
//! or two, a callout stored by another replica's store, and a dead letter another replica redrove
//! (`LISTEN/NOTIFY` on the worker's store, [`PostgresLogConfig::listen_url`]).
#![cfg(all(feature = "axum", feature = "postgres"))]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use credit_valuation_postgres::pool_from_url;
use housecanary_partner::callouts::{
    CalloutMessage, DeadLetter, InboxConfig, InboxWorker, MessageLog, PostgresLogConfig,
    PostgresMessageLog,
};

use crate::callouts_durable::database;
use crate::support::item_status_body as body;

/// How long a woken worker may take; far below the 30 s poll.
const PROMPTLY: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn a_worker_learns_of_another_replica_s_callouts_without_waiting_for_its_poll() {
    let url = database::url();
    let schema = database::unique_schema("wakeups");
    let store = |listen: bool| {
        let config = PostgresLogConfig {
            schema: schema.clone(),
            listen_url: listen.then(|| url.as_str().into()),
            ..PostgresLogConfig::default()
        };
        let log = PostgresMessageLog::new(pool_from_url(&url, 4).unwrap(), config);
        async move { log.await.expect("migrated callout store") }
    };
    // The receiving replica's store, and the worker's: two processes as far as wake-ups go.
    let receiving: Arc<dyn MessageLog> = Arc::new(store(false).await);
    let working: Arc<dyn MessageLog> = Arc::new(store(true).await);

    let handled = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = handled.clone();
    let worker = InboxWorker::new(working, move |message: CalloutMessage| {
        let seen = seen.clone();
        async move {
            seen.lock()
                .unwrap()
                .push(message.message_id().unwrap_or_default().to_owned());
            Ok::<(), String>(())
        }
    })
    .unwrap()
    .with_config(InboxConfig {
        idle_poll: Duration::from_secs(30),
        ..InboxConfig::default()
    })
    .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        worker
            .run(async {
                let _ = stopped.await;
            })
            .await;
    });
    // Let the worker find the inbox empty and settle into its long wait.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let handled_within = |id: &'static str| {
        let handled = handled.clone();
        async move {
            let started = tokio::time::Instant::now();
            while started.elapsed() < PROMPTLY {
                if handled.lock().unwrap().iter().any(|seen| seen == id) {
                    return started.elapsed();
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            panic!("{id} was not processed within {PROMPTLY:?} of being stored");
        }
    };
    receiving
        .enqueue("stored-elsewhere", body("stored-elsewhere"))
        .await
        .unwrap();
    handled_within("stored-elsewhere").await;

    receiving
        .store_dead_letter(DeadLetter::new(
            "redriven",
            body("redriven"),
            "handler failed",
            5,
        ))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiving.redrive("redriven").await.unwrap());
    handled_within("redriven").await;

    stop.send(()).unwrap();
    running.await.unwrap();
}
