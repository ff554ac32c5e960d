//! The inquiry ledger, end to end against the sandbox, on the in-memory store and on PostgreSQL
//! (`DATABASE_URL`). The PostgreSQL tests are ignored by default, so that a run without a database
//! lists them as ignored rather than passed; `bash .ci/test` (the README's test command) starts a
//! throwaway cluster and runs them. Asked to run without `DATABASE_URL`, they fail.
//!
//! Every test body is written once, generic over the store, and run for both by `on_both_stores!`.

use std::sync::Arc;
use std::time::Duration;

use credit_valuation_sandbox::fixtures::{self, TestConsumer};
use credit_valuation_sandbox::{Faults, Sandbox, SandboxConfig};
use innovis_client::ledger::{
    FingerprintKey, InMemoryLedger, InquiryLedger, InquiryOutcome, RefusalReason, write_csv,
    write_json_lines,
};
use innovis_client::{Client, Error, ProductCode, ReportRequest};
use jiff::Timestamp;

use crate::support::{
    applicant, consumer, purpose, sandbox_config, sandbox_config_with_secret, test_name,
};

#[derive(Clone, Copy, Debug)]
enum Store {
    Memory,
    Postgres,
}

/// The same key for every client of a test, as replicas sharing a ledger must have.
fn key() -> FingerprintKey {
    FingerprintKey::new(b"inquiry-ledger-tests-fingerprint-key".to_vec()).expect("key")
}

/// A fresh ledger of `store`.
async fn ledger(store: Store) -> Arc<dyn InquiryLedger> {
    match store {
        Store::Memory => Arc::new(InMemoryLedger::default()),
        Store::Postgres => Arc::new(postgres_ledger(&database_url(), &unique_schema()).await),
    }
}

/// `DATABASE_URL`; a PostgreSQL test that was asked to run never passes without a database.
fn database_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "DATABASE_URL is not set: `bash .ci/test` starts a throwaway PostgreSQL and runs the \
             PostgreSQL tests"
        ),
    }
}

fn unique_schema() -> String {
    format!("ledger_test_{}", fastrand::u64(..))
}

#[cfg(feature = "postgres")]
async fn postgres_ledger(url: &str, schema: &str) -> innovis_client::ledger::PostgresLedger {
    use innovis_client::ledger::{PostgresLedger, PostgresLedgerConfig};
    let config = PostgresLedgerConfig::new(url)
        .schema(schema)
        .expect("schema name")
        .pool_size(4);
    PostgresLedger::connect(config)
        .await
        .expect("ledger connects")
}

#[cfg(not(feature = "postgres"))]
async fn postgres_ledger(_: &str, _: &str) -> InMemoryLedger {
    panic!("DATABASE_URL is set: run these tests with --features postgres (or --all-features)")
}

/// Runs `$test(store)` as `$test::memory` and `$test::postgres`.
macro_rules! on_both_stores {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn memory() {
                super::$test(super::Store::Memory).await;
            }
            #[tokio::test]
            #[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
            async fn postgres() {
                super::$test(super::Store::Postgres).await;
            }
        }
    )*};
}

on_both_stores!(
    a_repeat_is_refused_and_an_explicit_repeat_is_allowed,
    a_stored_reference_makes_a_second_use_that_is_itself_recorded,
    a_cancelled_call_settles_may_have_been_sent_and_blocks_the_consumer,
    each_fault_after_processing_settles_may_have_been_sent_until_confirmed,
    the_audit_export_holds_no_personal_data,
    purging_removes_entries_and_references_before_the_cutoff,
    concurrent_inquiries_with_one_trace_number_send_exactly_one,
    each_consumer_of_a_joint_request_is_guarded_on_its_own,
);

fn client(sandbox: &Sandbox, ledger: Arc<dyn InquiryLedger>, timeout: Duration) -> Client {
    let config = sandbox_config(sandbox)
        .request_timeout(timeout)
        .inquiry_ledger(ledger, key());
    Client::new(config).expect("client")
}

fn record_consumer() -> &'static TestConsumer {
    consumer(fixtures::RECORD_SSN)
}

fn cr_request(consumer: &TestConsumer, trace: &str) -> ReportRequest {
    ReportRequest::builder(ProductCode::CR)
        .house_number(fixtures::CR_CUSTOMER_ID, fixtures::CR_END_USER_CODE)
        .permissible_purpose(purpose())
        .end_user("FIRST LENDER")
        .applicant(applicant(consumer))
        .customer_trace_number(trace)
        .build()
        .expect("request")
}

/// A CR for the joint applicants `consumers`, in that order.
fn joint_request(consumers: &[&TestConsumer], trace: &str) -> ReportRequest {
    let (first, rest) = consumers.split_first().expect("one applicant at least");
    let mut builder = ReportRequest::builder(ProductCode::CR)
        .house_number(fixtures::CR_CUSTOMER_ID, fixtures::CR_END_USER_CODE)
        .permissible_purpose(purpose())
        .applicant(applicant(first));
    for consumer in rest {
        builder = builder.applicant(applicant(consumer));
    }
    builder
        .customer_trace_number(trace)
        .build()
        .expect("request")
}

fn refusal(
    result: Result<innovis_client::ReportResponse, Error>,
) -> innovis_client::ledger::RepeatRefusal {
    match result {
        Err(Error::DuplicateInquiry(refusal)) => refusal,
        other => panic!("expected a refused repeat, got {other:?}"),
    }
}

async fn outcome(ledger: &dyn InquiryLedger, trace: &str) -> InquiryOutcome {
    ledger
        .entry(trace)
        .await
        .expect("ledger answers")
        .unwrap_or_else(|| panic!("no entry for {trace}"))
        .outcome
}

async fn a_repeat_is_refused_and_an_explicit_repeat_is_allowed(store: Store) {
    let ledger = ledger(store).await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox, ledger.clone(), Duration::from_secs(5));
    let consumer = record_consumer();

    client
        .send(&cr_request(consumer, "first"))
        .await
        .expect("first pull");
    assert!(matches!(
        outcome(ledger.as_ref(), "first").await,
        InquiryOutcome::Completed { ref return_code, ref report_reference_number, .. }
            if return_code.as_deref() == Some("Record") && report_reference_number.is_some()
    ));

    // Same consumer, House Number, product and purpose within 24 hours: refused, naming the first.
    let refused = refusal(client.send(&cr_request(consumer, "second")).await);
    assert_eq!(
        refused.reason,
        RefusalReason::RepeatWithinWindow(Duration::from_secs(86_400))
    );
    assert_eq!(refused.earlier_trace_number, "first");
    assert!(refused.to_string().contains("first"), "{refused}");
    assert_eq!(
        sandbox.stats().gateway_requests,
        1,
        "nothing was sent for the refused repeat"
    );

    // The caller means it: allowed.
    client
        .send_allowing_repeat(&cr_request(consumer, "second"))
        .await
        .expect("explicit repeat");

    // A reused trace number never is.
    let refused = refusal(
        client
            .send_allowing_repeat(&cr_request(consumer, "first"))
            .await,
    );
    assert_eq!(refused.reason, RefusalReason::TraceNumberUsed);
    sandbox.shutdown().await;
}

async fn a_stored_reference_makes_a_second_use_that_is_itself_recorded(store: Store) {
    let ledger = ledger(store).await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox, ledger.clone(), Duration::from_secs(5));
    let response = client
        .send(&cr_request(record_consumer(), "original"))
        .await
        .expect("original pull");
    let number = response.references()[0]
        .report_reference_number()
        .to_owned();

    // A new client on the same ledger (another replica, or after a restart) finds the reference.
    let replica = self::client(&sandbox, ledger.clone(), Duration::from_secs(5));
    let request = replica
        .second_use_from_ledger(&number)
        .await
        .expect("stored reference")
        .house_number(fixtures::CR_CUSTOMER_ID, fixtures::CR_SECOND_END_USER_CODE)
        .permissible_purpose(purpose())
        .end_user("SECOND LENDER")
        .customer_trace_number("second-use")
        .build()
        .expect("second use");
    replica.send_second_use(&request).await.expect("SECONDUSE");

    let entry = ledger
        .entry("second-use")
        .await
        .expect("ledger")
        .expect("entry");
    assert_eq!(entry.product, "SECONDUSE");
    assert_eq!(entry.end_user_code, fixtures::CR_SECOND_END_USER_CODE);
    assert_eq!(entry.end_user.as_deref(), Some("SECOND LENDER"));
    assert_eq!(
        entry.original_report_reference.as_deref(),
        Some(number.as_str())
    );
    assert!(
        matches!(entry.outcome, InquiryOutcome::Completed { .. }),
        "{:?}",
        entry.outcome
    );

    assert!(matches!(
        replica.second_use_from_ledger("UNKNOWN").await,
        Err(Error::UnknownReportReference { .. })
    ));
    sandbox.shutdown().await;
}

async fn a_cancelled_call_settles_may_have_been_sent_and_blocks_the_consumer(store: Store) {
    let ledger = ledger(store).await;
    let sandbox = Sandbox::start_with(SandboxConfig::default().faults(Faults {
        latency: Duration::from_secs(3),
        ..Faults::default()
    }))
    .await
    .expect("sandbox");
    let client = client(&sandbox, ledger.clone(), Duration::from_secs(10));
    let request = cr_request(record_consumer(), "cancelled");
    let call = {
        let client = client.clone();
        let request = request.clone();
        tokio::spawn(async move { client.send(&request).await })
    };
    // Wait until the entry is written (the request is on its way), then drop the call.
    wait_for(|| async { ledger.entry("cancelled").await.ok().flatten().is_some() }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    call.abort();
    wait_for(|| async {
        matches!(
            ledger
                .entry("cancelled")
                .await
                .ok()
                .flatten()
                .map(|entry| entry.outcome),
            Some(InquiryOutcome::MayHaveBeenSent { .. })
        )
    })
    .await;
    sandbox.set_faults(Faults::default());
    let refused = refusal(client.send(&cr_request(record_consumer(), "retry")).await);
    assert_eq!(refused.reason, RefusalReason::Unsettled);
    assert_eq!(refused.earlier_trace_number, "cancelled");
    client.confirm_not_sent("cancelled").await.expect("settled");
    client
        .send(&request)
        .await
        .expect("the same trace number, once confirmed not sent");
    sandbox.shutdown().await;
}

async fn each_fault_after_processing_settles_may_have_been_sent_until_confirmed(store: Store) {
    let ledger = ledger(store).await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox, ledger.clone(), Duration::from_millis(1500));
    for (index, fault) in sandbox_after_processing_faults().into_iter().enumerate() {
        let trace = format!("fault-{index}");
        sandbox.set_faults(fault);
        let err = client
            .send_allowing_repeat(&cr_request(record_consumer(), &trace))
            .await
            .expect_err("the fault fails the call");
        assert!(
            err.delivery().may_have_been_processed(),
            "{fault:?}: {err:?}"
        );
        assert_eq!(err.trace_number(), Some(trace.as_str()), "{err:?}");
        assert_eq!(
            sandbox.innovis_inquiries_for_trace(&trace).len(),
            1,
            "the vendor recorded the inquiry"
        );
        assert!(matches!(
            outcome(ledger.as_ref(), &trace).await,
            InquiryOutcome::MayHaveBeenSent { .. }
        ));
        sandbox.set_faults(Faults::default());
        // Refused until settled, even when the caller allows repeats.
        let retry = format!("{trace}-retry");
        let refused = refusal(
            client
                .send_allowing_repeat(&cr_request(record_consumer(), &retry))
                .await,
        );
        assert_eq!(refused.reason, RefusalReason::Unsettled);
        client.confirm_sent(&trace).await.expect("settled");
        assert!(matches!(
            client.confirm_sent(&trace).await,
            Err(Error::Ledger(
                innovis_client::ledger::LedgerError::AlreadySettled { .. }
            ))
        ));
    }
    sandbox.shutdown().await;
}

async fn the_audit_export_holds_no_personal_data(store: Store) {
    let ledger = ledger(store).await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox, ledger.clone(), Duration::from_secs(5));
    let started = Timestamp::now();
    let mut consumers = Vec::new();
    for (index, consumer) in fixtures::CONSUMERS.iter().enumerate() {
        let _ = client
            .send(&cr_request(consumer, &format!("audit-{index}")))
            .await;
        consumers.push(consumer);
    }
    let entries = ledger
        .entries(
            started,
            Timestamp::now() + jiff::SignedDuration::from_secs(1),
        )
        .await
        .expect("entries");
    assert_eq!(entries.len(), fixtures::CONSUMERS.len());
    let mut json_lines = Vec::new();
    write_json_lines(&entries, &mut json_lines).expect("json lines");
    let mut csv = Vec::new();
    write_csv(&entries, &mut csv).expect("csv");
    let json_text = String::from_utf8(json_lines).expect("utf8");
    let csv_text = String::from_utf8(csv).expect("utf8");
    assert_eq!(json_text.lines().count(), entries.len());
    assert_eq!(csv_text.lines().count(), entries.len() + 1);
    assert!(
        json_text.contains("\"permissiblePurpose\":\"17\"") && csv_text.contains("FIRST LENDER")
    );
    for consumer in consumers {
        let dob_digits: String = consumer.dob.chars().filter(char::is_ascii_digit).collect();
        for value in [
            consumer.ssn,
            &format!(
                "{}-{}-{}",
                &consumer.ssn[..3],
                &consumer.ssn[3..5],
                &consumer.ssn[5..]
            ),
            consumer.first_name,
            consumer.last_name,
            consumer.dob,
            &dob_digits,
            "1 MAIN ST",
            "PITTSBURGH",
            "15222",
        ] {
            assert!(!json_text.contains(value), "{value} in the JSON export");
            assert!(!csv_text.contains(value), "{value} in the CSV export");
        }
    }
    sandbox.shutdown().await;
}

async fn purging_removes_entries_and_references_before_the_cutoff(store: Store) {
    let ledger = ledger(store).await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox, ledger.clone(), Duration::from_secs(5));
    let response = client
        .send(&cr_request(record_consumer(), "old"))
        .await
        .expect("pull");
    let number = response.references()[0]
        .report_reference_number()
        .to_owned();
    assert_eq!(
        ledger
            .purge_before(Timestamp::UNIX_EPOCH)
            .await
            .expect("purge"),
        0
    );
    let cutoff = Timestamp::now() + jiff::SignedDuration::from_secs(1);
    assert_eq!(ledger.purge_before(cutoff).await.expect("purge"), 1);
    assert!(ledger.entry("old").await.expect("ledger").is_none());
    assert!(ledger.reference(&number).await.expect("ledger").is_none());
    sandbox.shutdown().await;
}

async fn concurrent_inquiries_with_one_trace_number_send_exactly_one(store: Store) {
    let ledger = ledger(store).await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    // Two replicas, each sending for different consumers under one trace number at once: the
    // consumers' checks run under different locks, the trace number must still be taken once.
    let replicas = [
        client(&sandbox, ledger.clone(), Duration::from_secs(5)),
        client(&sandbox, ledger.clone(), Duration::from_secs(5)),
    ];
    let requests: Vec<ReportRequest> = fixtures::CONSUMERS
        .iter()
        .map(|consumer| cr_request(consumer, "shared-trace"))
        .collect();
    let sends = requests
        .iter()
        .enumerate()
        .map(|(index, request)| replicas[index % 2].send(request));
    let results = futures_util::future::join_all(sends).await;
    let sent = results.iter().filter(|result| result.is_ok()).count();
    assert_eq!(sent, 1, "{results:?}");
    for result in results.into_iter().filter(Result::is_err) {
        assert_eq!(refusal(result).reason, RefusalReason::TraceNumberUsed);
    }
    assert_eq!(sandbox.innovis_inquiries_for_trace("shared-trace").len(), 1);
    sandbox.shutdown().await;
}

/// Polls `check` every 20 ms for up to 5 s.
async fn wait_for<F, Fut>(check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..250 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the condition did not hold within 5 s");
}

/// Environment of the crash test's child process.
const CHILD_ENV: &str = "LEDGER_CRASH_CHILD_SCHEMA";

/// The child of `a_crash_after_the_request_left_blocks_the_retry_until_settled`: sends one inquiry
/// to a sandbox that will not answer in time, and is killed while it waits.
#[tokio::test]
#[ignore = "run only as the crash test's child process"]
async fn crash_child() {
    let Ok(schema) = std::env::var(CHILD_ENV) else {
        return;
    };
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let gateway = std::env::var("LEDGER_CRASH_GATEWAY").expect("gateway");
    let token = std::env::var("LEDGER_CRASH_TOKEN").expect("token url");
    let credentials = credit_valuation_sandbox::TestCredentials::default();
    let config = sandbox_config_with_secret(
        token.parse().expect("url"),
        gateway.parse().expect("url"),
        &credentials,
        &credentials.innovis_client_secret,
    )
    .request_timeout(Duration::from_secs(60))
    .inquiry_ledger(Arc::new(postgres_ledger(&url, &schema).await), key());
    let client = Client::new(config).expect("client");
    let result = client.send(&cr_request(record_consumer(), "crashed")).await;
    panic!("the parent kills this process before the sandbox answers, yet it answered: {result:?}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn a_crash_after_the_request_left_blocks_the_retry_until_settled() {
    let url = database_url();
    let schema = unique_schema();
    let ledger: Arc<dyn InquiryLedger> = Arc::new(postgres_ledger(&url, &schema).await);
    // The gateway records the child's inquiry, then holds its answer.
    let sandbox = Sandbox::start_with(SandboxConfig::default().faults(Faults {
        gateway_stall_after_recording_rate: 1.0,
        gateway_stall_duration: Duration::from_secs(60),
        ..Faults::default()
    }))
    .await
    .expect("sandbox");
    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            &test_name(module_path!(), "crash_child"),
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD_ENV, &schema)
        .env("DATABASE_URL", &url)
        .env(
            "LEDGER_CRASH_GATEWAY",
            sandbox.innovis_gateway_url().as_str(),
        )
        .env("LEDGER_CRASH_TOKEN", sandbox.innovis_token_url().as_str())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("child process");
    // The entry is written before the request leaves; the sandbox then holds the request.
    wait_for(|| async { ledger.entry("crashed").await.ok().flatten().is_some() }).await;
    wait_for(|| async { !sandbox.innovis_inquiries_for_trace("crashed").is_empty() }).await;
    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap the child");
    assert!(matches!(
        outcome(ledger.as_ref(), "crashed").await,
        InquiryOutcome::Pending
    ));

    // After the restart, on the same database: the retry is refused until the entry is settled.
    sandbox.set_faults(Faults::default());
    let restarted = client(&sandbox, ledger.clone(), Duration::from_secs(5));
    let refused = refusal(
        restarted
            .send(&cr_request(record_consumer(), "after-restart"))
            .await,
    );
    assert_eq!(refused.reason, RefusalReason::Unsettled);
    assert_eq!(refused.earlier_trace_number, "crashed");
    let refused = refusal(
        restarted
            .send_allowing_repeat(&cr_request(record_consumer(), "crashed"))
            .await,
    );
    assert_eq!(refused.reason, RefusalReason::TraceNumberUsed);
    restarted
        .confirm_not_sent("crashed")
        .await
        .expect("settled by the caller");
    restarted
        .send(&cr_request(record_consumer(), "crashed"))
        .await
        .expect("sent once settled");
    sandbox.shutdown().await;
}

/// The sandbox's faults that fire after it recorded the inquiry: a dropped connection, a 504, and
/// a stall past the client's timeout.
fn sandbox_after_processing_faults() -> [Faults; 3] {
    [
        Faults {
            gateway_drop_after_recording_rate: 1.0,
            ..Faults::default()
        },
        Faults {
            gateway_504_after_recording_rate: 1.0,
            ..Faults::default()
        },
        Faults {
            gateway_stall_after_recording_rate: 1.0,
            gateway_stall_duration: Duration::from_secs(5),
            ..Faults::default()
        },
    ]
}

/// The sequence `[A]`, `[A, B]`, `[B]`: the joint request would pull A again, so it is
/// refused naming A; B alone is then pulled once; and a joint request naming B second is refused
/// naming B's `applicantId`. Each consumer is pulled exactly once.
async fn each_consumer_of_a_joint_request_is_guarded_on_its_own(store: Store) {
    let ledger = ledger(store).await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox, ledger.clone(), Duration::from_secs(5));
    let a = consumer(fixtures::RECORD_SSN);
    let b = consumer(fixtures::EXEMPT_SSN);
    let c = consumer(fixtures::NO_RECORD_SSN);

    client
        .send(&joint_request(&[a], "joint-a"))
        .await
        .expect("A alone");
    let refused = refusal(client.send(&joint_request(&[a, b], "joint-ab")).await);
    assert_eq!(
        refused.reason,
        RefusalReason::RepeatWithinWindow(Duration::from_secs(86_400))
    );
    assert_eq!(refused.earlier_trace_number, "joint-a");
    assert_eq!(
        (refused.consumer, refused.applicant_id),
        (Some(0), Some("1A"))
    );
    assert!(refused.to_string().contains("applicantId 1A"), "{refused}");

    client
        .send(&joint_request(&[b], "joint-b"))
        .await
        .expect("B alone: not pulled yet, the joint request was refused");
    let refused = refusal(client.send(&joint_request(&[c, b], "joint-cb")).await);
    assert_eq!(refused.earlier_trace_number, "joint-b");
    assert_eq!(
        (refused.consumer, refused.applicant_id),
        (Some(1), Some("2A"))
    );
    assert!(
        !refused.to_string().contains(fixtures::EXEMPT_SSN),
        "{refused}"
    );

    assert_eq!(
        sandbox.stats().gateway_requests,
        2,
        "each consumer pulled once"
    );
    let entry = ledger
        .entry("joint-b")
        .await
        .expect("ledger")
        .expect("entry");
    assert_eq!(entry.consumer_fingerprints.len(), 1);

    // A joint request, once sent, guards each of its consumers: B then C alone are refused.
    client
        .send_allowing_repeat(&joint_request(&[c, b], "joint-cb-allowed"))
        .await
        .expect("explicit repeat");
    let entry = ledger
        .entry("joint-cb-allowed")
        .await
        .expect("ledger")
        .expect("entry");
    assert_eq!(entry.consumer_fingerprints.len(), 2);
    let refused = refusal(client.send(&joint_request(&[c], "c-again")).await);
    assert_eq!(refused.earlier_trace_number, "joint-cb-allowed");
    assert_eq!(refused.applicant_id, Some("1A"));
    sandbox.shutdown().await;
}
