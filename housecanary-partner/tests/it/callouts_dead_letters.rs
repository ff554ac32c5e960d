//! (features `axum` and `postgres`) Dead letters through the public API: paging, redrive (one and
//! all) to a worker, delete, on both stores; the in-memory cap with its eviction; retention and
//! purge in PostgreSQL.
#![cfg(all(feature = "axum", feature = "postgres"))]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use housecanary_partner::callouts::{
    DeadLetter, InMemoryMessageLog, InboxConfig, InboxWorker, MessageLog, PostgresLogConfig,
    PostgresMessageLog, WorkOutcome,
};

use crate::callouts_durable::database;
use crate::support::item_status_body;

fn ids(dead: &[DeadLetter]) -> Vec<&str> {
    dead.iter().map(|dead| dead.message_id.as_str()).collect()
}

/// A worker that fails its first `failures` attempts overall, then succeeds; counts its successes.
fn worker(log: Arc<dyn MessageLog>, failures: usize, done: &Arc<AtomicUsize>) -> InboxWorker {
    let attempts = Arc::new(AtomicUsize::new(0));
    let done = Arc::clone(done);
    InboxWorker::new(log, move |_message| {
        let failing = attempts.fetch_add(1, Ordering::SeqCst) < failures;
        let done = Arc::clone(&done);
        async move {
            if failing {
                return Err("order store unavailable".to_owned());
            }
            done.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    })
    .unwrap()
    .with_config(InboxConfig {
        max_attempts: 1,
        batch: 1, // one at a time, so the dead letters' order is the order stored
        ..InboxConfig::default()
    })
    .unwrap()
}

/// Three callouts fail into dead letters; they are paged, one is deleted, one redriven and
/// processed by a worker, then the rest redriven all at once.
async fn dead_letters_page_redrive_and_delete(log: Arc<dyn MessageLog>) {
    for id in ["d-1", "d-2", "d-3"] {
        log.enqueue(id, item_status_body(id)).await.unwrap();
    }
    let done = Arc::new(AtomicUsize::new(0));
    let failing = worker(Arc::clone(&log), 3, &done);
    for _ in 0..3 {
        let outcome = failing.run_once().await.unwrap().remove(0);
        assert!(
            matches!(outcome, WorkOutcome::DeadLettered { .. }),
            "{outcome:?}"
        );
    }
    let first = log.dead_letters(None, 2).await.unwrap();
    assert_eq!(ids(&first), ["d-1", "d-2"]);
    assert_eq!(first[0].body, item_status_body("d-1"));
    assert_eq!(first[0].reason, "order store unavailable");
    let second = log.dead_letters(Some("d-2"), 2).await.unwrap();
    assert_eq!(ids(&second), ["d-3"]);

    assert!(log.delete_dead_letter("d-2").await.unwrap());
    assert!(
        !log.delete_dead_letter("d-2").await.unwrap(),
        "deleted already"
    );
    assert!(log.redrive("d-1").await.unwrap());
    assert!(
        !log.redrive("d-1").await.unwrap(),
        "no longer a dead letter"
    );
    assert!(log.dead_letters(Some("d-1"), 10).await.unwrap().is_empty());
    assert_eq!(ids(&log.dead_letters(None, 10).await.unwrap()), ["d-3"]);

    // Back to pending with its attempts reset: a worker allowing one attempt processes it.
    let healthy = worker(Arc::clone(&log), 0, &done);
    let outcome = healthy.run_once().await.unwrap().remove(0);
    assert_eq!(
        outcome,
        WorkOutcome::Processed {
            message_id: "d-1".into()
        }
    );
    assert_eq!(done.load(Ordering::SeqCst), 1);

    assert_eq!(log.redrive_all().await.unwrap(), 1);
    assert!(log.dead_letters(None, 10).await.unwrap().is_empty());
    let outcome = healthy.run_once().await.unwrap().remove(0);
    assert_eq!(
        outcome,
        WorkOutcome::Processed {
            message_id: "d-3".into()
        }
    );
    assert_eq!(healthy.run_once().await.unwrap(), []);
    assert_eq!(done.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn in_memory_dead_letters_page_redrive_and_delete() {
    dead_letters_page_redrive_and_delete(Arc::new(InMemoryMessageLog::default())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn postgres_dead_letters_page_redrive_and_delete() {
    let url = database::url();
    let log = database::log(&url, "dead_letters", Duration::from_secs(60)).await;
    dead_letters_page_redrive_and_delete(Arc::new(log)).await;
}

#[tokio::test]
async fn in_memory_dead_letters_are_capped_by_count_and_bytes_oldest_first() {
    let log = InMemoryMessageLog::default().dead_letter_limits(3, 1000);
    let dead = |id: &str, size: usize| DeadLetter::new(id, Bytes::from(vec![b'x'; size]), "bad", 0);
    for n in 0..5 {
        log.store_dead_letter(dead(&format!("c-{n}"), 10))
            .await
            .unwrap();
    }
    assert_eq!(
        ids(&log.dead_letters(None, 10).await.unwrap()),
        ["c-2", "c-3", "c-4"]
    );
    assert_eq!(log.dead_letters_dropped(), 2);
    // 600 + 300 + 200 bytes pass 1000: the two oldest go.
    log.store_dead_letter(dead("b-1", 600)).await.unwrap();
    log.store_dead_letter(dead("b-2", 300)).await.unwrap();
    log.store_dead_letter(dead("b-3", 200)).await.unwrap();
    assert_eq!(
        ids(&log.dead_letters(None, 10).await.unwrap()),
        ["b-2", "b-3"]
    );
    assert_eq!(log.dead_letters_dropped(), 6);
    // A redriven or deleted dead letter frees its place.
    assert!(log.delete_dead_letter("b-2").await.unwrap());
    log.store_dead_letter(dead("b-4", 700)).await.unwrap();
    assert_eq!(
        ids(&log.dead_letters(None, 10).await.unwrap()),
        ["b-3", "b-4"]
    );
    assert_eq!(log.dead_letters_dropped(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn postgres_purges_dead_letters_past_their_retention_with_processed_ids() {
    let url = database::url();
    let pool = credit_valuation_postgres::pool_from_url(&url, 4).unwrap();
    let schema = database::unique_schema("dead_retention");
    let config = PostgresLogConfig {
        schema: schema.clone(),
        dead_letter_retention: Duration::from_secs(3600),
        ..PostgresLogConfig::default()
    };
    let log = PostgresMessageLog::new(pool, config).await.unwrap();
    for id in ["old", "new"] {
        let dead = DeadLetter::new(id, item_status_body(id), "bad", 0);
        log.store_dead_letter(dead).await.unwrap();
    }
    let client = database::connect(&url).await;
    let aged = format!(
        "UPDATE \"{schema}\".callout_messages SET processed_at = now() - interval '2 hours'
         WHERE message_id = 'old'"
    );
    client.execute(&aged, &[]).await.unwrap();
    assert_eq!(log.purge().await.unwrap(), 1);
    assert_eq!(ids(&log.dead_letters(None, 10).await.unwrap()), ["new"]);
    assert_eq!(log.purge().await.unwrap(), 0);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn a_postgres_store_answers_its_readiness_probe() {
    let log = database::log(&database::url(), "health", Duration::from_secs(30)).await;
    log.health().await.expect("a reachable database is ready");
}
