//! Durable callouts: the store's contract on the in-memory log and on PostgreSQL (the same test
//! bodies run on both), the inline and inbox receivers, the receiver's hardening, and three receiver
//! replicas as real processes sharing one database.
//!
//! PostgreSQL tests are ignored by default, so that a run without a database lists them as ignored
//! rather than passed; `bash .ci/test` (the README's test command) starts a throwaway cluster and runs
//! them. Asked to run without `DATABASE_URL`, they fail.
//!
//! Some tests re-run this test binary as a child process (`std::env::current_exe()`), selecting an
//! ignored entry point with an environment variable: the replicas, and the memory measurement, which
//! needs a process of its own so the peak resident size is its alone. The child is given the
//! test's full name in this binary (`callouts_durable::…`, from `module_path!()`).
#![cfg(all(feature = "axum", feature = "postgres"))]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use housecanary_partner::callouts::{
    Begin, CalloutMessage, CalloutOutcome, CalloutReceiver, CalloutVerifier, ClaimToken,
    InMemoryMessageLog, InboxConfig, InboxWorker, MessageLog, PostgresLogConfig,
    PostgresMessageLog, ReceiverConfig, WorkOutcome,
};
use housecanary_partner::{CalloutAuth, SecretString};

use crate::support::{self, item_status_body as body, serve, test_name};

const SECRET: &str = "durable-callout-secret";

fn hmac_auth() -> CalloutAuth {
    support::hmac_auth(SECRET)
}

/// Request parts as the vendor sends them for `body`.
fn signed_parts(body: &[u8]) -> http::request::Parts {
    support::signed_parts(&hmac_auth(), body)
}

fn new_claim(begin: Begin) -> ClaimToken {
    match begin {
        Begin::New(token) => token,
        other => panic!("expected a new claim, got {other:?}"),
    }
}

/// The database for the PostgreSQL variants, and the rule that CI never skips them.
pub(crate) mod database {
    use credit_valuation_postgres::pool_from_url;
    use housecanary_partner::callouts::{PostgresLogConfig, PostgresMessageLog};
    use std::time::Duration;

    /// `DATABASE_URL`.
    ///
    /// # Panics
    /// When it is unset: a PostgreSQL test that was asked to run never passes without a database.
    pub fn url() -> String {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => url,
            _ => panic!(
                "DATABASE_URL is not set: `bash .ci/test` starts a throwaway PostgreSQL and runs \
                 the PostgreSQL tests"
            ),
        }
    }

    /// A schema name no other test (or earlier run) uses.
    pub fn unique_schema(prefix: &str) -> String {
        let prefix: String = prefix.chars().take(24).collect();
        format!("t_{prefix}_{:016x}", fastrand::u64(..))
    }

    /// A migrated log in a schema of its own.
    pub async fn log(url: &str, prefix: &str, lease: Duration) -> PostgresMessageLog {
        let pool = pool_from_url(url, 8).expect("pool");
        let config = PostgresLogConfig {
            schema: unique_schema(prefix),
            claim_lease: lease,
            ..PostgresLogConfig::default()
        };
        let log = PostgresMessageLog::new(pool, config).await;
        log.expect("migrated callout store")
    }

    /// A plain connection for assertions.
    pub async fn connect(url: &str) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect to DATABASE_URL");
        tokio::spawn(connection);
        client
    }
}

/// Writes each test body once, generic over the store, and runs it on the in-memory log and on
/// PostgreSQL. The body gets an `Arc<dyn MessageLog>` with the given claim lease.
macro_rules! on_both_stores {
    ($(fn $name:ident(lease = $lease:expr) $body:expr;)*) => {
        mod in_memory {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let log: Arc<dyn MessageLog> =
                        Arc::new(InMemoryMessageLog::default().lease($lease));
                    ($body)(log).await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
                async fn $name() {
                    let url = database::url();
                    let log: Arc<dyn MessageLog> =
                        Arc::new(database::log(&url, stringify!($name), $lease).await);
                    ($body)(log).await;
                }
            )*
        }
    };
}

/// The store contract, the inline receiver and the inbox, written once.
mod contract {
    use super::*;

    // Long enough that a loaded CI machine does not see a fresh claim expire mid-test.
    const SHORT: Duration = Duration::from_millis(1500);
    const LONG: Duration = Duration::from_secs(60);

    async fn only_the_holder_of_a_claim_can_end_it(log: Arc<dyn MessageLog>) {
        let token = new_claim(log.try_begin("a").await.unwrap());
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::InProgress);
        let stranger = ClaimToken::from_i64(token.as_i64().wrapping_add(1));
        assert!(matches!(
            log.complete("a", stranger).await.unwrap_err(),
            housecanary_partner::callouts::MessageLogError::ClaimLost { .. }
        ));
        log.abandon("a", stranger).await.unwrap();
        assert_eq!(
            log.try_begin("a").await.unwrap(),
            Begin::InProgress,
            "a stranger's abandon changes nothing"
        );
        log.complete("a", token).await.unwrap();
        assert_eq!(log.try_begin("a").await.unwrap(), Begin::AlreadyProcessed);
        assert!(
            matches!(
                log.complete("a", token).await.unwrap_err(),
                housecanary_partner::callouts::MessageLogError::ClaimLost { .. }
            ),
            "a resolved claim cannot be resolved again"
        );
        // Abandoning releases the id for the next delivery.
        let token = new_claim(log.try_begin("b").await.unwrap());
        log.abandon("b", token).await.unwrap();
        new_claim(log.try_begin("b").await.unwrap());
    }

    async fn a_stale_claim_is_taken_over_and_its_holder_can_no_longer_complete(
        log: Arc<dyn MessageLog>,
    ) {
        let first = new_claim(log.try_begin("slow").await.unwrap());
        tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
        let second = new_claim(log.try_begin("slow").await.unwrap());
        assert_ne!(first, second);
        assert!(
            matches!(
                log.complete("slow", first).await.unwrap_err(),
                housecanary_partner::callouts::MessageLogError::ClaimLost { .. }
            ),
            "the slow first holder must not erase the new holder's claim"
        );
        assert_eq!(log.try_begin("slow").await.unwrap(), Begin::InProgress);
        log.complete("slow", second).await.unwrap();
        assert_eq!(
            log.try_begin("slow").await.unwrap(),
            Begin::AlreadyProcessed
        );
    }

    async fn inbox_claims_are_exclusive_retried_and_dead_lettered(log: Arc<dyn MessageLog>) {
        use housecanary_partner::callouts::Enqueued;
        assert_eq!(
            log.enqueue("i1", body("i1")).await.unwrap(),
            Enqueued::Stored
        );
        assert_eq!(
            log.enqueue("i2", body("i2")).await.unwrap(),
            Enqueued::Stored
        );
        assert_eq!(
            log.enqueue("i1", body("i1")).await.unwrap(),
            Enqueued::AlreadyKnown
        );
        let first = log.claim_due(1).await.unwrap().pop().expect("one due");
        let second = log.claim_due(1).await.unwrap().pop().expect("another due");
        assert_ne!(first.message_id, second.message_id);
        assert!(
            log.claim_due(1).await.unwrap().is_empty(),
            "both are claimed"
        );
        assert_eq!(first.attempts, 1);
        assert_eq!(first.body, body(&first.message_id));

        log.retry_later(&first.message_id, first.token, "flaky", Duration::ZERO)
            .await
            .unwrap();
        let again = log.claim_due(1).await.unwrap().pop().expect("due again");
        assert_eq!(again.message_id, first.message_id);
        assert_eq!(again.attempts, 2);
        assert!(matches!(
            log.dead_letter(&again.message_id, first.token, "x")
                .await
                .unwrap_err(),
            housecanary_partner::callouts::MessageLogError::ClaimLost { .. }
        ));
        log.dead_letter(&again.message_id, again.token, "still failing")
            .await
            .unwrap();
        log.complete(&second.message_id, second.token)
            .await
            .unwrap();

        let dead = log.dead_letters(None, 10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].message_id, first.message_id);
        assert_eq!(dead[0].reason, "still failing");
        assert_eq!(dead[0].attempts, 2);
        assert_eq!(dead[0].body, body(&first.message_id));
        assert!(log.claim_due(1).await.unwrap().is_empty());
        assert_eq!(
            log.try_begin(&second.message_id).await.unwrap(),
            Begin::AlreadyProcessed
        );
    }

    async fn an_inbox_claim_past_its_lease_is_taken_over(log: Arc<dyn MessageLog>) {
        log.enqueue("crashed", body("crashed")).await.unwrap();
        let first = log.claim_due(1).await.unwrap().pop().expect("due");
        assert!(log.claim_due(1).await.unwrap().is_empty());
        tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
        let second = log.claim_due(1).await.unwrap().pop().expect("taken over");
        assert_eq!(second.message_id, "crashed");
        assert_eq!(second.attempts, 2);
        assert!(matches!(
            log.complete("crashed", first.token).await.unwrap_err(),
            housecanary_partner::callouts::MessageLogError::ClaimLost { .. }
        ));
        log.complete("crashed", second.token).await.unwrap();
    }

    async fn inline_receiver_processes_once_and_keeps_what_does_not_parse(
        log: Arc<dyn MessageLog>,
    ) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let receiver = CalloutReceiver::new(
            CalloutVerifier::new(hmac_auth()),
            log.clone(),
            move |_message: CalloutMessage| {
                counted.fetch_add(1, Ordering::SeqCst);
                async { Ok::<(), String>(()) }
            },
        )
        .expect("lease longer than the budget");
        let b = body("inline-1");
        let parts = signed_parts(&b);
        let outcome = receiver.handle(&parts, b.clone()).await;
        assert!(
            matches!(outcome, CalloutOutcome::Processed { .. }),
            "{outcome:?}"
        );
        let outcome = receiver.handle(&parts, b).await;
        assert!(
            matches!(outcome, CalloutOutcome::AlreadyProcessed { .. }),
            "{outcome:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Authenticated but malformed: kept raw with the parse error, acknowledged, never handled.
        let malformed = Bytes::from_static(
            br#"{"message_type":"order_item_status_change","message_id":"bad","order_id":{}}"#,
        );
        let outcome = receiver
            .handle(&signed_parts(&malformed), malformed.clone())
            .await;
        assert_eq!(outcome.status(), http::StatusCode::OK);
        let CalloutOutcome::DeadLettered { message_id, .. } = outcome else {
            panic!("expected a dead letter, got {outcome:?}");
        };
        let dead = log.dead_letters(None, 10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].message_id, message_id);
        assert_eq!(dead[0].body, malformed);
        assert!(dead[0].reason.contains("order_id"), "{}", dead[0].reason);
        // The same bytes again land on the same dead letter.
        receiver.handle(&signed_parts(&malformed), malformed).await;
        assert_eq!(log.dead_letters(None, 10).await.unwrap().len(), 1);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    async fn inbox_receiver_acknowledges_once_stored_and_workers_process_once(
        log: Arc<dyn MessageLog>,
    ) {
        let receiver = CalloutReceiver::inbox(CalloutVerifier::new(hmac_auth()), log.clone());
        let handled = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let seen = Arc::clone(&handled);
        let failures = Arc::new(AtomicUsize::new(0));
        let failed = Arc::clone(&failures);
        let worker = InboxWorker::new(log.clone(), move |message: CalloutMessage| {
            let id = message.message_id().unwrap_or_default().to_owned();
            let seen = Arc::clone(&seen);
            let failed = Arc::clone(&failed);
            async move {
                if id == "poison" {
                    failed.fetch_add(1, Ordering::SeqCst);
                    return Err(format!("cannot handle {id}"));
                }
                seen.lock().unwrap().push(id);
                Ok(())
            }
        })
        .expect("lease longer than the budget")
        .with_config(InboxConfig {
            max_attempts: 3,
            backoff: housecanary_partner::Backoff::new(
                Duration::from_millis(10),
                Duration::from_millis(20),
            ),
            ..InboxConfig::default()
        })
        .unwrap();

        for id in ["ok-1", "ok-2", "poison", "ok-1"] {
            let b = body(id);
            let outcome = receiver.handle(&signed_parts(&b), b).await;
            assert_eq!(outcome.status(), http::StatusCode::OK, "{outcome:?}");
            assert!(
                matches!(outcome, CalloutOutcome::Stored { .. }),
                "{outcome:?}"
            );
        }
        let mut outcomes = Vec::new();
        let started = tokio::time::Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            let done = worker.run_once().await.unwrap();
            match done.is_empty() {
                false => outcomes.extend(done),
                true if outcomes
                    .iter()
                    .any(|o| matches!(o, WorkOutcome::DeadLettered { .. })) =>
                {
                    break;
                }
                true => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
        let mut handled = handled.lock().unwrap().clone();
        handled.sort();
        assert_eq!(handled, ["ok-1", "ok-2"]);
        assert_eq!(failures.load(Ordering::SeqCst), 3, "max_attempts = 3");
        let dead = log.dead_letters(None, 10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].message_id, "poison");
        assert_eq!(dead[0].reason, "cannot handle poison");
        assert_eq!(dead[0].attempts, 3);

        // A redelivery of a processed id is acknowledged and not processed again.
        let b = body("ok-2");
        let outcome = receiver.handle(&signed_parts(&b), b).await;
        assert!(
            matches!(outcome, CalloutOutcome::Stored { new: false, .. }),
            "{outcome:?}"
        );
        assert_eq!(worker.run_once().await.unwrap(), []);
    }

    on_both_stores! {
        fn only_the_holder_of_a_claim_can_end_it_(lease = LONG) only_the_holder_of_a_claim_can_end_it;
        fn a_stale_claim_is_taken_over_(lease = SHORT) a_stale_claim_is_taken_over_and_its_holder_can_no_longer_complete;
        fn inbox_claims_are_exclusive_retried_and_dead_lettered_(lease = LONG) inbox_claims_are_exclusive_retried_and_dead_lettered;
        fn an_inbox_claim_past_its_lease_is_taken_over_(lease = SHORT) an_inbox_claim_past_its_lease_is_taken_over;
        fn inline_receiver_(lease = LONG) inline_receiver_processes_once_and_keeps_what_does_not_parse;
        fn inbox_receiver_(lease = LONG) inbox_receiver_acknowledges_once_stored_and_workers_process_once;
    }
}

/// Settings refused at construction.
mod configuration {
    use super::*;

    fn budget(millis: u64) -> InboxConfig {
        InboxConfig {
            budget: Duration::from_millis(millis),
            ..InboxConfig::default()
        }
    }
    use housecanary_partner::callouts::{ConfigError, REDELIVERY_HORIZON, StoreSetupError};

    #[test]
    fn a_four_second_budget_over_a_one_second_lease_is_refused() {
        let one_second = || InMemoryMessageLog::default().lease(Duration::from_secs(1));
        let refused = CalloutReceiver::new(
            CalloutVerifier::new(hmac_auth()),
            Arc::new(one_second()),
            |_| async { Ok::<(), String>(()) },
        )
        .unwrap_err();
        assert_eq!(
            refused,
            ConfigError::LeaseShorterThanBudget {
                lease: Duration::from_secs(1),
                budget: Duration::from_secs(25),
            }
        );
        // With a lease that allows the default budget, lowering the budget to 4 s is still refused
        // when the lease is not longer.
        let four = InMemoryMessageLog::default().lease(Duration::from_secs(30));
        let receiver = CalloutReceiver::new(
            CalloutVerifier::new(hmac_auth()),
            Arc::new(four),
            |_| async { Ok::<(), String>(()) },
        )
        .unwrap();
        let config = ReceiverConfig {
            budget: Duration::from_secs(4),
            ..ReceiverConfig::default()
        };
        assert!(receiver.with_config(config).is_ok());
        let worker = InboxWorker::new(
            Arc::new(InMemoryMessageLog::default().lease(Duration::from_secs(31))),
            |_| async { Ok::<(), String>(()) },
        )
        .unwrap();
        assert_eq!(
            worker.with_config(budget(40_000)).unwrap_err(),
            ConfigError::LeaseShorterThanBudget {
                lease: Duration::from_secs(31),
                budget: Duration::from_secs(40),
            }
        );
        // The issue's case: a 4 s budget over a 1 s lease.
        let worker =
            InboxWorker::new(Arc::new(one_second()), |_| async { Ok::<(), String>(()) }).unwrap();
        assert_eq!(
            worker.config().budget,
            Duration::from_millis(500),
            "half the short lease"
        );
        assert_eq!(
            worker.with_config(budget(4_000)).unwrap_err(),
            ConfigError::LeaseShorterThanBudget {
                lease: Duration::from_secs(1),
                budget: Duration::from_secs(4),
            }
        );
    }

    #[tokio::test]
    async fn retention_below_the_redelivery_horizon_and_bad_names_are_refused() {
        // Refused before any connection is made, so this runs without a database.
        let pool =
            credit_valuation_postgres::pool_from_url("postgres://nobody@127.0.0.1:1/none", 1)
                .expect("pool");
        let config = PostgresLogConfig {
            retention: REDELIVERY_HORIZON - Duration::from_secs(1),
            ..PostgresLogConfig::default()
        };
        let error = PostgresMessageLog::new(pool.clone(), config)
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                StoreSetupError::Config(ConfigError::RetentionBelowRedeliveryHorizon { .. })
            ),
            "{error}"
        );
        let config = PostgresLogConfig {
            table: "callouts; DROP TABLE x".into(),
            ..PostgresLogConfig::default()
        };
        let error = PostgresMessageLog::new(pool, config).await.unwrap_err();
        assert!(matches!(error, StoreSetupError::Database(_)), "{error}");
        assert!(error.to_string().contains("not a plain SQL identifier"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
    async fn migrations_are_idempotent_and_safe_when_replicas_start_together() {
        let url = database::url();
        let schema = database::unique_schema("migrate");
        let mut starts = Vec::new();
        for _ in 0..4 {
            let pool = credit_valuation_postgres::pool_from_url(&url, 2).unwrap();
            let schema = schema.clone();
            starts.push(tokio::spawn(async move {
                let config = PostgresLogConfig {
                    schema,
                    ..PostgresLogConfig::default()
                };
                PostgresMessageLog::new(pool, config).await
            }));
        }
        for start in starts {
            start.await.unwrap().expect("every replica starts");
        }
        let client = database::connect(&url).await;
        let applied: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM \"{schema}\".schema_migrations"),
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(applied, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
    async fn purge_removes_only_processed_ids_older_than_the_retention() {
        let url = database::url();
        let schema = database::unique_schema("purge");
        let pool = credit_valuation_postgres::pool_from_url(&url, 2).unwrap();
        let config = PostgresLogConfig {
            schema: schema.clone(),
            retention: REDELIVERY_HORIZON,
            ..PostgresLogConfig::default()
        };
        let log = PostgresMessageLog::new(pool, config).await.unwrap();
        for id in ["old", "recent"] {
            let token = new_claim(log.try_begin(id).await.unwrap());
            log.complete(id, token).await.unwrap();
        }
        log.enqueue("pending", body("pending")).await.unwrap();
        let client = database::connect(&url).await;
        client
            .execute(
                &format!(
                    "UPDATE \"{schema}\".callout_messages SET processed_at = now() - interval '1 hour'
                     WHERE message_id = 'old'"
                ),
                &[],
            )
            .await
            .unwrap();
        assert_eq!(log.purge().await.unwrap(), 1);
        assert!(matches!(log.try_begin("old").await.unwrap(), Begin::New(_)));
        assert_eq!(
            log.try_begin("recent").await.unwrap(),
            Begin::AlreadyProcessed
        );
        assert_eq!(log.claim_due(1).await.unwrap().len(), 1, "pending kept");
    }
}

/// The axum receiver authenticates before reading bodies and bounds what it reads at once.
mod hardening {
    use super::*;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpStream;

    /// Sends a request head announcing `length` body bytes and `extra` header lines, no body.
    async fn send_head(addr: SocketAddr, path: &str, extra: &str, length: usize) -> TcpStream {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n{extra}\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream
    }

    /// The status code of the response on `stream`, within `within`.
    async fn status(stream: &mut TcpStream, within: Duration) -> u16 {
        let mut buffer = [0u8; 12];
        tokio::time::timeout(within, stream.read_exact(&mut buffer))
            .await
            .expect("an answer before the body was sent")
            .expect("read the status line");
        std::str::from_utf8(&buffer[9..12])
            .unwrap()
            .parse()
            .unwrap()
    }

    fn inbox_receiver(auth: CalloutAuth) -> CalloutReceiver {
        CalloutReceiver::inbox(
            CalloutVerifier::new(auth),
            Arc::new(InMemoryMessageLog::default()),
        )
    }

    #[tokio::test]
    async fn header_only_schemes_answer_401_before_any_body_byte() {
        let schemes = [
            (
                CalloutAuth::basic("hc", SecretString::from("right-0123456789")).unwrap(),
                "authorization: Basic aGM6d3Jvbmc=\r\n", // hc:wrong
                "/callouts",
            ),
            (
                CalloutAuth::header_token(
                    http::HeaderName::from_static("x-token"),
                    SecretString::from("right-0123456789"),
                )
                .unwrap(),
                "x-token: wrong\r\n",
                "/callouts",
            ),
            (
                CalloutAuth::query_token("token", SecretString::from("right-0123456789")).unwrap(),
                "",
                "/callouts?token=wrong",
            ),
        ];
        for (auth, header, path) in schemes {
            let addr = serve(inbox_receiver(auth), "/callouts").await;
            // A 16 MiB body is announced and never sent: only the headers can have decided.
            let mut stream = send_head(addr, path, header, 16 << 20).await;
            assert_eq!(
                status(&mut stream, Duration::from_secs(2)).await,
                401,
                "{path}"
            );
        }
    }

    #[tokio::test]
    async fn hmac_without_a_well_formed_signature_is_401_before_the_body() {
        let addr = serve(inbox_receiver(hmac_auth()), "/callouts").await;
        for header in [
            "",
            "x-hc-signature: md5=00\r\n",
            "x-hc-signature: sha1=zz\r\n",
        ] {
            let mut stream = send_head(addr, "/callouts", header, 16 << 20).await;
            assert_eq!(
                status(&mut stream, Duration::from_secs(2)).await,
                401,
                "{header}"
            );
        }
        // Well-formed but wrong: decided once the body is read.
        let forged = format!("x-hc-signature: sha1={}\r\n", "0".repeat(40));
        let b = body("forged");
        let mut stream = send_head(addr, "/callouts", &forged, b.len()).await;
        stream.write_all(&b).await.unwrap();
        assert_eq!(status(&mut stream, Duration::from_secs(2)).await, 401);
    }

    #[tokio::test]
    async fn when_every_body_slot_is_taken_the_slowest_reader_gets_408_not_the_newcomer() {
        let config = ReceiverConfig {
            body_slots: 2,
            ..ReceiverConfig::default()
        };
        let receiver = inbox_receiver(hmac_auth()).with_config(config).unwrap();
        let addr = serve(receiver, "/callouts").await;
        let forged = format!("x-hc-signature: sha1={}\r\n", "0".repeat(40));
        // Two slow senders hold both slots; the first is the further behind.
        let mut holding = Vec::new();
        for _ in 0..2 {
            let mut stream = send_head(addr, "/callouts", &forged, 1024).await;
            stream.write_all(b"{").await.unwrap();
            holding.push(stream);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // A whole body is read (and then refused for its forged signature), not turned away.
        let b = body("newcomer");
        let mut third = send_head(addr, "/callouts", &forged, b.len()).await;
        third.write_all(&b).await.unwrap();
        assert_eq!(status(&mut third, Duration::from_secs(2)).await, 401);
        assert_eq!(status(&mut holding[0], Duration::from_secs(2)).await, 408);
        // Bad authentication is still 401 before the body.
        let mut unsigned = send_head(addr, "/callouts", "", 1024).await;
        assert_eq!(status(&mut unsigned, Duration::from_secs(2)).await, 401);
    }

    #[tokio::test]
    async fn a_body_that_pauses_past_the_idle_timeout_is_408() {
        let config = ReceiverConfig {
            idle_timeout: Duration::from_millis(300),
            ..ReceiverConfig::default()
        };
        let receiver = inbox_receiver(hmac_auth()).with_config(config).unwrap();
        let addr = serve(receiver, "/callouts").await;
        let forged = format!("x-hc-signature: sha1={}\r\n", "0".repeat(40));
        let mut stream = send_head(addr, "/callouts", &forged, 1024).await;
        stream.write_all(b"{").await.unwrap();
        let started = std::time::Instant::now();
        assert_eq!(status(&mut stream, Duration::from_secs(3)).await, 408);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    /// Peak resident memory of this process, in KiB (Linux).
    fn peak_rss_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM")
    }

    const MEMORY_CHILD: &str = "CALLOUTS_DURABLE_MEMORY_CHILD";
    const FORGED: usize = 64;
    const FORGED_BODY: usize = 28 << 20;

    /// Runs in a child process: 64 forged HMAC callouts of 28 MiB each, sent at once, against the
    /// default receiver; prints the peak resident growth.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "entry point of the child process of sixty_four_forged_callouts_stay_under_64_mib"]
    async fn forged_callouts_memory_child() {
        if std::env::var(MEMORY_CHILD).is_err() {
            return;
        }
        let addr = serve(inbox_receiver(hmac_auth()), "/callouts").await;
        let before = peak_rss_kib();
        let chunk = vec![b' '; 64 << 10];
        let chunk: &'static [u8] = chunk.leak();
        let mut senders = Vec::new();
        for _ in 0..FORGED {
            senders.push(tokio::spawn(async move {
                let forged = format!("x-hc-signature: sha1={}\r\n", "0".repeat(40));
                let mut stream = send_head(addr, "/callouts", &forged, FORGED_BODY).await;
                let mut sent = 0;
                // The server may answer (503) and close before the whole body is sent.
                while sent < FORGED_BODY {
                    if stream.write_all(chunk).await.is_err() {
                        break;
                    }
                    sent += chunk.len();
                }
                status(&mut stream, Duration::from_secs(30)).await
            }));
        }
        let mut statuses = Vec::new();
        for sender in senders {
            statuses.push(sender.await.unwrap());
        }
        let growth = peak_rss_kib().saturating_sub(before);
        let unauthorized = statuses.iter().filter(|s| **s == 401).count();
        let overloaded = statuses.iter().filter(|s| **s == 503).count();
        println!("MEMORY growth_kib={growth} unauthorized={unauthorized} overloaded={overloaded}");
    }

    #[test]
    fn sixty_four_forged_callouts_stay_under_64_mib() {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                &test_name(module_path!(), "forged_callouts_memory_child"),
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(MEMORY_CHILD, "1")
            .output()
            .expect("run the child");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{stdout}");
        let line = stdout
            .lines()
            .find_map(|line| line.split_once("MEMORY ").map(|(_, rest)| rest))
            .unwrap_or_else(|| panic!("no measurement in {stdout}"));
        let field = |name: &str| -> u64 {
            line.split_whitespace()
                .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                .and_then(|value| value.parse().ok())
                .unwrap()
        };
        println!("{line}");
        // Every forged callout is refused: read whole and found unsigned (401), or stopped when the
        // body memory, taken as bytes arrive, ran out (503). Which of the two depends on timing.
        assert_eq!(
            field("unauthorized") + field("overloaded"),
            FORGED as u64,
            "{line}"
        );
        assert!(field("growth_kib") < 64 * 1024, "{line}");
    }
}

/// Three receiver replicas as real processes on one database, one SIGKILLed mid-handler.
mod replicas {
    use super::*;
    use std::io::Write as _;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};

    const ROLE: &str = "CALLOUTS_DURABLE_REPLICA";
    const SCHEMA: &str = "CALLOUTS_DURABLE_SCHEMA";
    const DIR: &str = "CALLOUTS_DURABLE_DIR";
    const MESSAGES: usize = 1_000;
    /// The message whose first handler run hangs until its process is killed.
    const KILLED_MID_HANDLER: &str = "m-0500";
    const LEASE: Duration = Duration::from_secs(6);
    const BUDGET: Duration = Duration::from_secs(5);

    fn message_id(n: usize) -> String {
        format!("m-{n:04}")
    }

    /// Every 100th message, from the 7th, always fails: it must end as a dead letter.
    fn poisoned(message_id: &str) -> bool {
        message_id
            .strip_prefix("m-")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n % 100 == 7)
    }

    /// The replica process: an inbox receiver and four transactional workers on the shared store.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    #[ignore = "entry point of a replica process of three_replicas_process_everything_exactly_once"]
    async fn replica_process() {
        let Ok(index) = std::env::var(ROLE) else {
            return;
        };
        let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
        let schema = std::env::var(SCHEMA).expect("schema");
        let dir = PathBuf::from(std::env::var(DIR).expect("dir"));
        let pool = credit_valuation_postgres::pool_from_url(&url, 12).unwrap();
        let config = PostgresLogConfig {
            schema: schema.clone(),
            claim_lease: LEASE,
            ..PostgresLogConfig::default()
        };
        let log = PostgresMessageLog::new(pool, config).await.expect("store");
        let receiver =
            CalloutReceiver::inbox(CalloutVerifier::new(hmac_auth()), Arc::new(log.clone()));
        let effects = format!("\"{schema}\".effects");
        let marker = dir.join("in-handler");
        let replica: i32 = index.parse().unwrap();
        let worker = InboxWorker::transactional(log, move |transaction, message| {
            let effects = effects.clone();
            let marker = marker.clone();
            Box::pin(async move {
                let id = message.message_id().unwrap_or_default().to_owned();
                transaction
                    .execute(
                        &format!("INSERT INTO {effects} (message_id, replica) VALUES ($1, $2)"),
                        &[&id, &replica],
                    )
                    .await?;
                if poisoned(&id) {
                    return Err(format!("{id} is poisoned").into());
                }
                if id == KILLED_MID_HANDLER
                    && std::fs::File::create_new(&marker)
                        .and_then(|mut file| write!(file, "{replica}"))
                        .is_ok()
                {
                    // The parent kills this process now, with the effect written but not committed.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
                Ok(())
            })
        })
        .unwrap()
        .with_config(InboxConfig {
            budget: BUDGET,
            max_attempts: 3,
            backoff: housecanary_partner::Backoff::new(
                Duration::from_millis(20),
                Duration::from_millis(100),
            ),
            idle_poll: Duration::from_millis(20),
            ..InboxConfig::default()
        })
        .unwrap();
        for _ in 0..4 {
            let worker = worker.clone();
            tokio::spawn(async move { worker.run(std::future::pending::<()>()).await });
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = housecanary_partner::callouts::axum::router(receiver, "/callouts");
        let ready = dir.join(format!("port-{index}"));
        std::fs::write(dir.join(format!("port-{index}.tmp")), port.to_string()).unwrap();
        std::fs::rename(dir.join(format!("port-{index}.tmp")), &ready).unwrap();
        axum::serve(listener, app).await.unwrap();
    }

    struct Replica {
        child: Child,
        port: u16,
    }

    impl Drop for Replica {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn start_replica(url: &str, schema: &str, dir: &Path, index: usize) -> Replica {
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                &test_name(module_path!(), "replica_process"),
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ROLE, index.to_string())
            .env("DATABASE_URL", url)
            .env(SCHEMA, schema)
            .env(DIR, dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a replica");
        let ready = dir.join(format!("port-{index}"));
        let started = std::time::Instant::now();
        while !ready.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "replica {index} did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let port = std::fs::read_to_string(&ready).unwrap().parse().unwrap();
        std::fs::remove_file(&ready).unwrap();
        Replica { child, port }
    }

    /// Delivers `message_id` to `port`; `true` when acknowledged.
    async fn deliver(client: &reqwest::Client, port: u16, message_id: &str) -> bool {
        let url = format!("http://127.0.0.1:{port}/callouts");
        let b = body(message_id);
        let signed = hmac_auth().sign(&url.parse().unwrap(), &b).unwrap();
        match client
            .post(signed.uri.to_string())
            .headers(signed.headers)
            .body(b)
            .send()
            .await
        {
            Ok(response) => response.status().is_success(),
            Err(_) => false,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
    async fn three_replicas_process_everything_exactly_once() {
        let url = database::url();
        let schema = database::unique_schema("replicas");
        let dir = std::env::temp_dir().join(&schema);
        std::fs::create_dir_all(&dir).unwrap();
        let db = database::connect(&url).await;
        db.batch_execute(&format!(
            "CREATE SCHEMA \"{schema}\";
             CREATE TABLE \"{schema}\".effects (message_id text NOT NULL, replica integer NOT NULL);"
        ))
        .await
        .unwrap();

        // The replicas migrate the store concurrently on start.
        let mut replicas: Vec<Replica> = (0..3)
            .map(|index| start_replica(&url, &schema, &dir, index))
            .collect();
        let ports: Arc<std::sync::Mutex<Vec<Option<u16>>>> = Arc::new(std::sync::Mutex::new(
            replicas.iter().map(|r| Some(r.port)).collect(),
        ));

        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let deliveries = Arc::new(AtomicUsize::new(0));
        let mut rng = fastrand::Rng::with_seed(10);
        let plan: Vec<(String, usize, usize)> = (0..MESSAGES)
            .map(|n| (message_id(n), rng.usize(1..=10), rng.usize(0..3)))
            .collect();
        let sender = {
            let client = client.clone();
            let ports = Arc::clone(&ports);
            let deliveries = Arc::clone(&deliveries);
            tokio::spawn(async move {
                use futures_util::StreamExt as _;
                futures_util::stream::iter(plan)
                    .for_each_concurrent(16, |(id, times, first)| {
                        let client = client.clone();
                        let ports = Arc::clone(&ports);
                        let deliveries = Arc::clone(&deliveries);
                        async move {
                            // All copies at once, to different replicas.
                            let copies = (0..times).map(|copy| {
                                let client = client.clone();
                                let ports = Arc::clone(&ports);
                                let deliveries = Arc::clone(&deliveries);
                                let id = id.clone();
                                async move {
                                    let port = ports.lock().unwrap()[(first + copy) % 3];
                                    let Some(port) = port else { return false };
                                    deliveries.fetch_add(1, Ordering::Relaxed);
                                    deliver(&client, port, &id).await
                                }
                            });
                            let acknowledged = futures_util::future::join_all(copies).await;
                            // Like the vendor, redeliver until one delivery is acknowledged.
                            let mut done = acknowledged.into_iter().any(|ok| ok);
                            let mut attempt = 0;
                            while !done {
                                attempt += 1;
                                assert!(attempt < 50, "{id} never acknowledged");
                                let live: Vec<u16> =
                                    ports.lock().unwrap().iter().flatten().copied().collect();
                                let port = live[attempt % live.len()];
                                deliveries.fetch_add(1, Ordering::Relaxed);
                                done = deliver(&client, port, &id).await;
                                if !done {
                                    tokio::time::sleep(Duration::from_millis(50)).await;
                                }
                            }
                        }
                    })
                    .await;
            })
        };

        // Kill the replica that is inside the handler of KILLED_MID_HANDLER.
        let marker = dir.join("in-handler");
        let started = std::time::Instant::now();
        let killed = loop {
            if let Ok(text) = std::fs::read_to_string(&marker) {
                if let Ok(index) = text.trim().parse::<usize>() {
                    break index;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "no replica entered the handler of {KILLED_MID_HANDLER}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        ports.lock().unwrap()[killed] = None;
        replicas[killed].child.kill().expect("SIGKILL the replica");
        replicas[killed].child.wait().unwrap();

        sender.await.expect("every message acknowledged");

        // Wait until nothing is pending or claimed.
        let table = format!("\"{schema}\".callout_messages");
        let started = std::time::Instant::now();
        loop {
            let open: i64 = db
                .query_one(
                    &format!("SELECT count(*) FROM {table} WHERE state IN ('pending', 'claimed')"),
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            if open == 0 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{open} callouts still open"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        let rows = db
            .query(
                &format!("SELECT message_id, state, last_error FROM {table}"),
                &[],
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), MESSAGES, "none lost, none invented");
        for row in &rows {
            let id: String = row.get(0);
            let state: String = row.get(1);
            if poisoned(&id) {
                assert_eq!(state, "dead", "{id}");
                let reason: Option<String> = row.get(2);
                assert_eq!(
                    reason.as_deref(),
                    Some(format!("{id} is poisoned").as_str())
                );
            } else {
                assert_eq!(state, "processed", "{id}");
            }
        }
        let effects: Vec<(String, i64)> = db
            .query(
                &format!(
                    "SELECT message_id, count(*) FROM \"{schema}\".effects GROUP BY message_id"
                ),
                &[],
            )
            .await
            .unwrap()
            .into_iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        let healthy = (0..MESSAGES).filter(|n| !poisoned(&message_id(*n))).count();
        assert_eq!(
            effects.len(),
            healthy,
            "every healthy message has its effect"
        );
        for (id, count) in &effects {
            assert!(
                !poisoned(id),
                "a failed handler's write was rolled back: {id}"
            );
            assert_eq!(*count, 1, "{id} took effect {count} times");
        }
        println!(
            "{} deliveries of {MESSAGES} messages; replica {killed} killed mid-handler",
            deliveries.load(Ordering::Relaxed)
        );

        // Restart every replica; a processed id delivered again is acknowledged, not processed.
        drop(replicas);
        let replicas: Vec<Replica> = (0..3)
            .map(|index| start_replica(&url, &schema, &dir, index))
            .collect();
        for (n, replica) in replicas.iter().enumerate() {
            assert!(deliver(&client, replica.port, &message_id(n * 10 + 1)).await);
            assert!(deliver(&client, replica.port, KILLED_MID_HANDLER).await);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let total: i64 = db
            .query_one(&format!("SELECT count(*) FROM \"{schema}\".effects"), &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(total, i64::try_from(healthy).unwrap());
        drop(replicas);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
