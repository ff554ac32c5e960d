//! What the ledger costs and guarantees in production: round trips per send counted at the wire
//! by a proxy, a held consumer lock that stops only that consumer, one fingerprint key per ledger,
//! table names that cannot clash, and a settle that survives a failing ledger. The PostgreSQL
//! tests need `DATABASE_URL`; with `CI=true` and no database they fail, never skip.

#[cfg(feature = "postgres")]
use std::net::SocketAddr;
use std::sync::Arc;
#[cfg(feature = "postgres")]
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use credit_valuation_sandbox::Sandbox;
use credit_valuation_sandbox::fixtures::{self, TestConsumer};
use innovis_client::ledger::{FingerprintKey, InquiryLedger};
#[cfg(feature = "postgres")]
use innovis_client::ledger::{PostgresLedger, PostgresLedgerConfig};
use innovis_client::{Client, ProductCode, ReportRequest};
#[cfg(feature = "postgres")]
use tokio::io::{AsyncReadExt, AsyncWriteExt};
#[cfg(feature = "postgres")]
use tokio::net::{TcpListener, TcpStream};

use crate::support::{applicant, consumer, purpose, sandbox_config};

/// `DATABASE_URL`. The PostgreSQL tests are ignored by default (listed as ignored, never passed,
/// without a database); `bash .ci/test` starts a cluster and runs them.
#[cfg(feature = "postgres")]
fn database_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "DATABASE_URL is not set: `bash .ci/test` starts a throwaway PostgreSQL and runs the \
             PostgreSQL tests"
        ),
    }
}

#[cfg(feature = "postgres")]
/// Counts round trips between the ledger and PostgreSQL: each time the client speaks after the
/// server did (or first), one more.
#[cfg(feature = "postgres")]
#[derive(Default)]
struct TurnCounter {
    turns: AtomicU64,
    client_spoke_last: std::sync::Mutex<bool>,
}

#[cfg(feature = "postgres")]
impl TurnCounter {
    fn saw(&self, from_client: bool) {
        let mut last = self.client_spoke_last.lock().unwrap();
        if from_client && !*last {
            self.turns.fetch_add(1, Ordering::SeqCst);
        }
        *last = from_client;
    }

    fn turns(&self) -> u64 {
        self.turns.load(Ordering::SeqCst)
    }
}

#[cfg(feature = "postgres")]
/// A TCP proxy to `target` on loopback that counts turns per connection into one counter.
async fn counting_proxy(target: SocketAddr) -> (SocketAddr, Arc<TurnCounter>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let counter = Arc::new(TurnCounter::default());
    let shared = counter.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = TcpStream::connect(target).await.unwrap();
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::spawn(pump(client_read, server_write, shared.clone(), true));
            tokio::spawn(pump(server_read, client_write, shared.clone(), false));
        }
    });
    (address, counter)
}

#[cfg(feature = "postgres")]
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    counter: Arc<TurnCounter>,
    from_client: bool,
) {
    let mut buffer = vec![0; 64 * 1024];
    while let Ok(read) = from.read(&mut buffer).await {
        if read == 0 {
            break;
        }
        counter.saw(from_client);
        if to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
}

/// A key of each client's own: the consumers' locks are shared by every ledger of a database
/// (they are named by fingerprint), so tests running at once with one key would hold each other up.
fn key() -> FingerprintKey {
    let bytes: Vec<u8> = std::iter::repeat_with(|| fastrand::u8(..))
        .take(32)
        .collect();
    FingerprintKey::new(bytes).expect("key")
}

#[cfg(feature = "postgres")]
/// A ledger on a pool built here, as an application sharing its pool would.
async fn ledger(url: &str, pool_size: usize) -> Arc<PostgresLedger> {
    let pool = credit_valuation_postgres::pool_from_url(url, pool_size).expect("pool");
    let config = PostgresLedgerConfig::with_pool(pool)
        .schema(&format!("ledger_pg_{}", fastrand::u64(..)))
        .expect("schema");
    Arc::new(PostgresLedger::connect(config).await.expect("ledger"))
}

fn client(sandbox: &Sandbox, ledger: Arc<dyn InquiryLedger>) -> Client {
    Client::new(
        sandbox_config(sandbox)
            .request_timeout(Duration::from_secs(10))
            .inquiry_ledger(ledger, key()),
    )
    .expect("client")
}

fn request(consumer: &TestConsumer, trace: &str) -> ReportRequest {
    ReportRequest::builder(ProductCode::CR)
        .house_number(fixtures::CR_CUSTOMER_ID, fixtures::CR_END_USER_CODE)
        .permissible_purpose(purpose())
        .applicant(applicant(consumer))
        .customer_trace_number(trace)
        .build()
        .expect("request")
}

#[cfg(feature = "postgres")]
#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn a_send_costs_at_most_three_round_trips_to_postgresql() {
    let url = database_url();
    let mut via_proxy = url::Url::parse(&url).expect("DATABASE_URL is a URL");
    let target: SocketAddr = format!(
        "{}:{}",
        via_proxy.host_str().unwrap_or("127.0.0.1"),
        via_proxy.port().unwrap_or(5432)
    )
    .parse()
    .expect("DATABASE_URL names an IP address and port");
    let (proxy, counter) = counting_proxy(target).await;
    via_proxy.set_port(Some(proxy.port())).unwrap();
    // One connection, so the statements prepared by the first send serve the next.
    let ledger = ledger(via_proxy.as_str(), 1).await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox, ledger);
    client
        .send(&request(consumer(fixtures::RECORD_SSN), "warm-up"))
        .await
        .expect("first send prepares the statements");
    for (ssn, trace) in [
        (fixtures::NO_RECORD_SSN, "measured-1"),
        (fixtures::EXEMPT_SSN, "measured-2"),
    ] {
        let before = counter.turns();
        client
            .send(&request(consumer(ssn), trace))
            .await
            .expect("send");
        let turns = counter.turns() - before;
        eprintln!("{trace}: {turns} round trips");
        assert!(turns <= 3, "{trace}: {turns} round trips to PostgreSQL");
        assert!(
            turns >= 2,
            "{trace}: {turns}: the proxy saw the ledger's traffic"
        );
    }
}

#[cfg(feature = "postgres")]
#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn a_consumer_held_by_another_session_stops_only_that_consumer() {
    let url = database_url();
    let ledger = ledger(&url, 4).await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox, ledger.clone());
    let stuck = consumer(fixtures::RECORD_SSN);
    let _holder = send_then_hold_consumer(&client, &ledger, stuck, &url).await;

    let started = Instant::now();
    let waiting = tokio::spawn({
        let client = client.clone();
        async move { client.send_allowing_repeat(&request(stuck, "second")).await }
    });
    // Meanwhile another consumer's send goes through at once.
    let other = Instant::now();
    client
        .send(&request(consumer(fixtures::NO_RECORD_SSN), "other"))
        .await
        .expect("another consumer is not held up");
    assert!(
        other.elapsed() < Duration::from_secs(1),
        "{:?}",
        other.elapsed()
    );

    let error = waiting
        .await
        .unwrap()
        .expect_err("the stuck consumer's send fails");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(!error.delivery().may_have_reached_vendor(), "{error}");
    assert_eq!(
        sandbox.stats().gateway_requests,
        2,
        "nothing sent for the stuck consumer"
    );
}

#[cfg(feature = "postgres")]
#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn an_inquiry_recorded_while_a_send_waits_for_the_consumer_is_seen() {
    let url = database_url();
    let schema = format!("ledger_race_{}", fastrand::u64(..));
    let pool = credit_valuation_postgres::pool_from_url(&url, 4).expect("pool");
    let config = PostgresLedgerConfig::with_pool(pool)
        .schema(&schema)
        .expect("schema");
    let ledger = Arc::new(PostgresLedger::connect(config).await.expect("ledger"));
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox, ledger.clone());
    let raced = consumer(fixtures::RECORD_SSN);
    let holder = send_then_hold_consumer(&client, &ledger, raced, &url).await;
    let first = ledger
        .entries(jiff::Timestamp::UNIX_EPOCH, jiff::Timestamp::now())
        .await
        .unwrap()
        .pop()
        .expect("the first send's entry");

    // An allowed repeat of a completed inquiry, waiting for the consumer's lock.
    let waiting = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .send_allowing_repeat(&request(raced, "checked-before"))
                .await
        }
    });
    let observer = credit_valuation_postgres::pool_from_url(&url, 1).unwrap();
    let observer = observer.get().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(4);
    loop {
        let waiting_for_lock: i64 = observer
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                     AND objid = hashtext($1)::oid",
                &[&first.consumer_fingerprints[0]],
            )
            .await
            .unwrap()
            .get(0);
        if waiting_for_lock > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the send never waited for the lock"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Meanwhile the lock's holder records a pending inquiry for the same consumer and terms, as
    // another replica would, and lets go: the waiting send must decide from it.
    observer
        .execute(
            &format!(
                "INSERT INTO \"{schema}\".inquiry_ledger (trace_number, product, customer_id,
                     end_user_code, permissible_purpose, consumer_fingerprints, requested_at,
                     sdk_version, state)
                 VALUES ('rival', $1, $2, $3, $4, $5, now(), 'test', 'pending')"
            ),
            &[
                &first.product,
                &first.customer_id,
                &first.end_user_code,
                &first.permissible_purpose,
                &first.consumer_fingerprints,
            ],
        )
        .await
        .unwrap();
    drop(holder);

    let error = waiting
        .await
        .unwrap()
        .expect_err("refused: the rival inquiry is unsettled");
    assert!(
        matches!(
            &error,
            innovis_client::Error::DuplicateInquiry(refusal)
                if refusal.reason == innovis_client::ledger::RefusalReason::Unsettled
                    && refusal.earlier_trace_number == "rival"
        ),
        "{error:?}"
    );
    assert_eq!(
        sandbox.stats().gateway_requests,
        1,
        "only the first send left"
    );
    assert!(ledger.entry("checked-before").await.unwrap().is_none());
}

/// Sends once for `consumer`, then has another session hold that consumer's lock, as a stuck
/// replica would (until the returned connection is dropped).
#[cfg(feature = "postgres")]
async fn send_then_hold_consumer(
    client: &Client,
    ledger: &PostgresLedger,
    consumer: &TestConsumer,
    url: &str,
) -> impl Drop {
    let trace = format!("hold-{}", fastrand::u32(..));
    client
        .send(&request(consumer, &trace))
        .await
        .expect("first send");
    let fingerprint = ledger
        .entry(&trace)
        .await
        .unwrap()
        .expect("entry")
        .consumer_fingerprints
        .remove(0);
    let pool = credit_valuation_postgres::pool_from_url(url, 1).unwrap();
    let holder = pool.get().await.unwrap();
    holder
        .execute(
            "SELECT pg_advisory_lock(hashtext('innovis.ledger'), hashtext($1))",
            &[&fingerprint],
        )
        .await
        .unwrap();
    holder
}

#[cfg(feature = "postgres")]
#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn the_overall_deadline_covers_the_ledger_phase() {
    let url = database_url();
    let ledger = ledger(&url, 4).await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let deadline = Duration::from_millis(1500);
    let client = Client::new(
        sandbox_config(&sandbox)
            .retry_policy(innovis_client::RetryPolicy::default().overall_deadline(deadline))
            .inquiry_ledger(ledger.clone(), key()),
    )
    .expect("client");
    let stuck = consumer(fixtures::RECORD_SSN);
    let holder = send_then_hold_consumer(&client, &ledger, stuck, &url).await;

    let started = Instant::now();
    let error = client
        .send_allowing_repeat(&request(stuck, "late"))
        .await
        .expect_err("the ledger cannot decide within the deadline");
    // Well before the ledger's own 5 s lock timeout.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            error,
            innovis_client::Error::Ledger(innovis_client::ledger::LedgerError::DeadlineExceeded(d)) if d == deadline
        ),
        "{error:?}"
    );
    assert!(!error.delivery().may_have_reached_vendor(), "{error}");
    assert!(error.to_string().contains("not sent"), "{error}");
    assert_eq!(
        sandbox.stats().gateway_requests,
        1,
        "nothing sent past the deadline"
    );

    // Released, the consumer is not blocked by an entry of the abandoned send.
    drop(holder);
    tokio::time::sleep(Duration::from_millis(700)).await;
    if let Some(entry) = ledger.entry("late").await.unwrap() {
        assert!(!entry.outcome.is_unsettled(), "{entry:?}");
    }
    client
        .send_allowing_repeat(&request(stuck, "after"))
        .await
        .expect("the consumer goes on once its lock is free");
}

#[tokio::test]
async fn a_client_with_another_fingerprint_key_is_refused_in_memory() {
    another_key_is_refused(Arc::new(innovis_client::ledger::InMemoryLedger::default())).await;
}

#[cfg(feature = "postgres")]
#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn a_client_with_another_fingerprint_key_is_refused_on_postgresql() {
    another_key_is_refused(ledger(&database_url(), 2).await).await;
}

async fn another_key_is_refused(shared: Arc<dyn InquiryLedger>) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let first = client(&sandbox, shared.clone());
    first
        .send(&request(consumer(fixtures::RECORD_SSN), "key"))
        .await
        .expect("the first client's key is adopted");
    let other_key = FingerprintKey::new(b"another-replica-with-another-key!!".to_vec()).unwrap();
    let other =
        Client::new(sandbox_config(&sandbox).inquiry_ledger(shared, other_key.clone())).unwrap();
    let error = other
        .send(&request(consumer(fixtures::RECORD_SSN), "again"))
        .await
        .expect_err("another key is refused");
    let text = error.to_string();
    assert!(text.contains("fingerprint key"), "{text}");
    assert!(text.contains(&other_key.id()), "{text}");
    assert!(!error.delivery().may_have_reached_vendor(), "{error}");
    assert_eq!(
        sandbox.stats().gateway_requests,
        1,
        "nothing sent for the other key"
    );
}

#[cfg(feature = "postgres")]
#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn ledgers_with_other_table_names_share_a_schema_and_clashes_are_named() {
    let url = database_url();
    let schema = format!("ledger_names_{}", fastrand::u64(..));
    let config = |entries: &str, references: &str| {
        PostgresLedgerConfig::new(url.clone())
            .schema(&schema)
            .unwrap()
            .tables(entries, references)
            .unwrap()
    };
    let sandbox = Sandbox::start().await.expect("sandbox");
    for (entries, references) in [("a_entries", "a_refs"), ("b_entries", "b_refs")] {
        let ledger = Arc::new(
            PostgresLedger::connect(config(entries, references))
                .await
                .expect("a ledger of its own tables"),
        );
        client(&sandbox, ledger)
            .send(&request(consumer(fixtures::RECORD_SSN), entries))
            .await
            .expect("each ledger works");
    }
    // A table of another ledger, used as this one's references.
    let error = PostgresLedger::connect(config("c_entries", "a_entries"))
        .await
        .expect_err("a name another table has");
    assert!(error.to_string().contains("a_entries"), "{error}");
    let error = PostgresLedger::connect(config("d", "d"))
        .await
        .expect_err("one name twice");
    assert!(error.to_string().contains("`d`"), "{error}");
    for system in ["information_schema", "pg_catalog"] {
        let error = PostgresLedger::connect(
            PostgresLedgerConfig::new(url.clone())
                .schema(system)
                .unwrap(),
        )
        .await
        .expect_err("a system schema");
        assert!(error.to_string().contains(system), "{error}");
    }
}

/// An in-memory ledger whose `settle` fails the first `failures` times, as a database that is
/// restarting would.
struct FlakySettle {
    inner: innovis_client::ledger::InMemoryLedger,
    failures: std::sync::atomic::AtomicUsize,
}

impl InquiryLedger for FlakySettle {
    fn begin<'a>(
        &'a self,
        entry: innovis_client::ledger::LedgerEntry,
        rules: innovis_client::ledger::RepeatRules,
    ) -> innovis_client::ledger::BoxFuture<'a, Result<(), innovis_client::ledger::LedgerError>>
    {
        self.inner.begin(entry, rules)
    }
    fn health(
        &self,
    ) -> innovis_client::ledger::BoxFuture<'_, Result<(), innovis_client::ledger::LedgerError>>
    {
        self.inner.health()
    }
    fn adopt_key<'a>(
        &'a self,
        key_id: &'a str,
    ) -> innovis_client::ledger::BoxFuture<'a, Result<(), innovis_client::ledger::LedgerError>>
    {
        self.inner.adopt_key(key_id)
    }
    fn settle<'a>(
        &'a self,
        trace_number: &'a str,
        outcome: innovis_client::ledger::InquiryOutcome,
        references: Vec<innovis_client::ReportReference>,
    ) -> innovis_client::ledger::BoxFuture<'a, Result<(), innovis_client::ledger::LedgerError>>
    {
        let failing = self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .is_ok();
        if failing {
            return Box::pin(async {
                Err(innovis_client::ledger::LedgerError::Corrupt(
                    "the database is restarting".to_owned(),
                ))
            });
        }
        self.inner.settle(trace_number, outcome, references)
    }
    fn entry<'a>(
        &'a self,
        trace_number: &'a str,
    ) -> innovis_client::ledger::BoxFuture<
        'a,
        Result<Option<innovis_client::ledger::LedgerEntry>, innovis_client::ledger::LedgerError>,
    > {
        self.inner.entry(trace_number)
    }
    fn reference<'a>(
        &'a self,
        number: &'a str,
    ) -> innovis_client::ledger::BoxFuture<
        'a,
        Result<Option<innovis_client::ReportReference>, innovis_client::ledger::LedgerError>,
    > {
        self.inner.reference(number)
    }
    fn entries<'a>(
        &'a self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> innovis_client::ledger::BoxFuture<
        'a,
        Result<Vec<innovis_client::ledger::LedgerEntry>, innovis_client::ledger::LedgerError>,
    > {
        self.inner.entries(from, to)
    }
    fn purge_before<'a>(
        &'a self,
        cutoff: jiff::Timestamp,
    ) -> innovis_client::ledger::BoxFuture<'a, Result<u64, innovis_client::ledger::LedgerError>>
    {
        self.inner.purge_before(cutoff)
    }
}

#[tokio::test]
async fn a_settle_that_fails_after_the_vendor_answered_keeps_the_response_and_is_retried() {
    let ledger = Arc::new(FlakySettle {
        inner: Default::default(),
        failures: 2.into(),
    });
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox, ledger.clone());
    let response = client
        .send(&request(consumer(fixtures::RECORD_SSN), "flaky"))
        .await
        .expect("the caller gets the vendor's answer");
    let reference = response
        .references()
        .first()
        .expect("the report's reference")
        .report_reference_number()
        .to_owned();
    // Settled in the background once the ledger answers again.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let entry = ledger.entry("flaky").await.unwrap().expect("entry");
        if let innovis_client::ledger::InquiryOutcome::Completed {
            report_reference_number,
            ..
        } = &entry.outcome
        {
            assert_eq!(report_reference_number.as_deref(), Some(reference.as_str()));
            break;
        }
        assert!(Instant::now() < deadline, "still {:?}", entry.outcome);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ledger.reference(&reference).await.unwrap().is_some());
}

#[test]
fn inquiries_are_counted_by_outcome_and_refused_repeats_by_reason() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let sandbox = Sandbox::start().await.expect("sandbox");
            let client = client(
                &sandbox,
                Arc::new(innovis_client::ledger::InMemoryLedger::default()),
            );
            let consumer = consumer(fixtures::RECORD_SSN);
            client
                .send(&request(consumer, "counted"))
                .await
                .expect("send");
            client
                .send(&request(consumer, "repeat"))
                .await
                .expect_err("a repeat");
            client.ledger().health().await.expect("healthy");
        })
    });
    let rows: Vec<_> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let key = key.key().clone();
            let labels: Vec<String> = key
                .labels()
                .map(|label| format!("{}={}", label.key(), label.value()))
                .collect();
            (key.name().to_owned(), labels, value)
        })
        .collect();
    let count = |name: &str, label: &str| {
        rows.iter()
            .find(|(n, labels, _)| n == name && labels == &[label.to_owned()])
            .map(|(_, _, value)| value)
    };
    use innovis_client::metrics::{INQUIRIES, REPEAT_REFUSALS};
    assert_eq!(
        count(INQUIRIES, "outcome=completed"),
        Some(&DebugValue::Counter(1)),
        "{rows:?}"
    );
    assert_eq!(
        count(INQUIRIES, "outcome=refused"),
        Some(&DebugValue::Counter(1)),
        "{rows:?}"
    );
    assert_eq!(
        count(REPEAT_REFUSALS, "reason=repeat_within_window"),
        Some(&DebugValue::Counter(1)),
        "{rows:?}"
    );
}
