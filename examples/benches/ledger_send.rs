//! Benchmark: an Innovis send recorded in `PostgresLedger` against a hand-written send that records
//! the same inquiry the way a careful user would: raw `reqwest` for the call, raw `tokio-postgres`
//! for the record — one prepared `INSERT` before the request, one prepared `UPDATE` after — through
//! a connection pool of the same size. Same sandbox, same database, same process, interleaved.
//!
//! For concurrency 1 and 64 it runs 7 rounds, alternating which side goes first, and prints the median
//! of the per-round throughput ratios (SDK / hand-written). Every send names a consumer no send named
//! before, so the SDK's duplicate-inquiry guard lets each through. Ratios, not absolute times.
//!
//! Needs `DATABASE_URL` (`bash .ci/test` starts a throwaway PostgreSQL; any database will do).
//! Run with `cargo bench -p examples --bench ledger_send`.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use credit_valuation_postgres::deadpool_postgres::Pool;
use credit_valuation_postgres::pool_from_url;
use credit_valuation_sandbox::{Sandbox, fixtures};
use innovis_client::ledger::{FingerprintKey, PostgresLedger, PostgresLedgerConfig};
use innovis_client::pii::Ssn;
use innovis_client::{Applicant, Client, Config, Environment, ProductCode, ReportRequest};
use serde::Serialize;

const ROUNDS: usize = 7;
const SENDS_PER_ROUND: usize = 256;
const POOL_SIZE: usize = 16;

fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        println!(
            "ledger_send: skipped, DATABASE_URL is not set (bash .ci/test starts a PostgreSQL)"
        );
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sides = Arc::new(Sides::new(&url).await);
        println!("ledger_send: Innovis send with PostgresLedger vs raw reqwest + prepared INSERT/UPDATE");
        println!("  throughput ratio = SDK / hand-written (median of {ROUNDS} rounds of {SENDS_PER_ROUND} sends)");
        for concurrency in [1, 64] {
            let ratio = ratio(&sides, concurrency).await;
            println!("  c={concurrency:<3} {ratio:.3}");
        }
    });
}

/// Both sides, sharing the sandbox and the database only.
struct Sides {
    sdk: Client,
    raw: reqwest::Client,
    gateway: url::Url,
    bearer: String,
    provider: String,
    pool: Pool,
    table: String,
    consumers: AtomicU64,
    _sandbox: Sandbox,
}

impl Sides {
    async fn new(url: &str) -> Sides {
        let sandbox = Sandbox::start().await.expect("sandbox");
        let credentials = sandbox.credentials().clone();
        let schema = format!("ledger_bench_{}", unique_suffix());
        let ledger = PostgresLedger::connect(
            PostgresLedgerConfig::new(url)
                .schema(&schema)
                .expect("schema")
                .pool_size(POOL_SIZE),
        )
        .await
        .expect("ledger");
        let sdk = Client::new(
            Config::new(
                Environment::Custom {
                    token_url: sandbox.innovis_token_url(),
                    gateway_url: sandbox.innovis_gateway_url(),
                },
                credentials.innovis_client_id.clone(),
                innovis_client::SecretString::from(credentials.innovis_client_secret.clone()),
                credentials.innovis_software_provider_id.clone(),
            )
            .audience(credentials.innovis_audience.clone())
            .inquiry_ledger(
                Arc::new(ledger),
                FingerprintKey::new(b"ledger-send-benchmark-fingerprint-key".to_vec())
                    .expect("key"),
            ),
        )
        .expect("client");
        let raw = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("raw client");
        // The hand-written side fetches its token once, as such code would.
        let token: serde_json::Value = raw
            .post(sandbox.innovis_token_url())
            .json(&serde_json::json!({
                "grant_type": "client_credentials",
                "client_id": credentials.innovis_client_id,
                "client_secret": credentials.innovis_client_secret,
                "audience": credentials.innovis_audience,
            }))
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token json");
        let bearer = format!(
            "Bearer {}",
            token["access_token"].as_str().expect("access_token")
        );
        // The hand-written record: one table, the columns an audit needs.
        let pool = pool_from_url(url, POOL_SIZE).expect("pool");
        let table = format!("\"{schema}\".raw_inquiries");
        pool.get()
            .await
            .expect("connection")
            .batch_execute(&format!(
                "CREATE TABLE {table} (trace_number text PRIMARY KEY, consumer text NOT NULL,
                     requested_at timestamptz NOT NULL DEFAULT now(), state text NOT NULL,
                     report_reference_number text)"
            ))
            .await
            .expect("raw table");
        let sides = Sides {
            sdk,
            raw,
            gateway: sandbox.innovis_gateway_url(),
            bearer,
            provider: credentials.innovis_software_provider_id.clone(),
            pool,
            table,
            consumers: AtomicU64::new(0),
            _sandbox: sandbox,
        };
        // Both sides work, and have warmed their pools and prepared statements, before timing.
        for _ in 0..POOL_SIZE {
            sides.sdk_send().await;
            sides.raw_send().await;
        }
        sides
    }

    /// An SSN no send used before: each send is a new consumer.
    fn next_ssn(&self) -> String {
        format!("667{:06}", self.consumers.fetch_add(1, Ordering::Relaxed))
    }

    async fn sdk_send(&self) {
        let ssn = self.next_ssn();
        let request = ReportRequest::builder(ProductCode::CR)
            .house_number(fixtures::CR_CUSTOMER_ID, fixtures::CR_END_USER_CODE)
            .permissible_purpose(
                innovis_client::PermissiblePurpose::new(fixtures::PERMISSIBLE_PURPOSE)
                    .expect("purpose"),
            )
            .applicant(
                Applicant::new()
                    .name("JOHN", "CONSUMER")
                    .ssn(Ssn::new(&ssn).expect("ssn")),
            )
            .customer_trace_number(format!("sdk-{ssn}"))
            .build()
            .expect("request");
        let response = self.sdk.send(&request).await.expect("sdk send");
        std::hint::black_box(response);
    }

    async fn raw_send(&self) {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            customer_id: &'a str,
            end_user_code: &'a str,
            customer_trace_number: &'a str,
            product_code: &'a str,
            permissible_purpose_code: &'a str,
            applicants: [RawApplicant<'a>; 1],
            software_provider_id: &'a str,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct RawApplicant<'a> {
            applicant_id: &'a str,
            names: [RawName<'a>; 1],
            ssn: &'a str,
        }
        #[derive(Serialize)]
        struct RawName<'a> {
            first: &'a str,
            last: &'a str,
        }
        let ssn = self.next_ssn();
        let trace = format!("raw-{ssn}");
        let client = self.pool.get().await.expect("connection");
        let insert = client
            .prepare_cached(&format!(
                "INSERT INTO {} (trace_number, consumer, state) VALUES ($1, $2, 'pending')",
                self.table
            ))
            .await
            .expect("prepare insert");
        client
            .execute(&insert, &[&trace, &ssn])
            .await
            .expect("insert");
        let body = serde_json::to_vec(&Body {
            customer_id: fixtures::CR_CUSTOMER_ID,
            end_user_code: fixtures::CR_END_USER_CODE,
            customer_trace_number: &trace,
            product_code: "CR",
            permissible_purpose_code: fixtures::PERMISSIBLE_PURPOSE,
            applicants: [RawApplicant {
                applicant_id: "1A",
                names: [RawName {
                    first: "JOHN",
                    last: "CONSUMER",
                }],
                ssn: &ssn,
            }],
            software_provider_id: &self.provider,
        })
        .expect("body");
        let response = self
            .raw
            .post(self.gateway.clone())
            .header(http::header::AUTHORIZATION, &self.bearer)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("send");
        assert!(response.status().is_success(), "{}", response.status());
        let answer: serde_json::Value = response.json().await.expect("json");
        let reference = answer["consumers"][0]["reportReferenceNumber"]
            .as_str()
            .map(str::to_owned);
        let update = client
            .prepare_cached(&format!(
                "UPDATE {} SET state = 'completed', report_reference_number = $2 WHERE trace_number = $1",
                self.table
            ))
            .await
            .expect("prepare update");
        client
            .execute(&update, &[&trace, &reference])
            .await
            .expect("update");
    }
}

fn unique_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64)
}

/// Sends `SENDS_PER_ROUND` with `concurrency` in flight; the time it took.
async fn round<F, Fut>(sides: &Arc<Sides>, concurrency: usize, send: F) -> Duration
where
    F: Fn(Arc<Sides>) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let started = Instant::now();
    let per_task = SENDS_PER_ROUND / concurrency;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let sides = Arc::clone(sides);
            tokio::spawn(async move {
                for _ in 0..per_task {
                    send(Arc::clone(&sides)).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    started.elapsed()
}

/// The median over rounds of (hand-written time / SDK time): throughput SDK / hand-written.
async fn ratio(sides: &Arc<Sides>, concurrency: usize) -> f64 {
    let sdk = |sides: Arc<Sides>| async move { sides.sdk_send().await };
    let raw = |sides: Arc<Sides>| async move { sides.raw_send().await };
    let mut ratios = Vec::with_capacity(ROUNDS);
    for index in 0..ROUNDS {
        let (sdk_time, raw_time) = if index % 2 == 0 {
            let s = round(sides, concurrency, sdk).await;
            (s, round(sides, concurrency, raw).await)
        } else {
            let r = round(sides, concurrency, raw).await;
            (round(sides, concurrency, sdk).await, r)
        };
        ratios.push(raw_time.as_secs_f64() / sdk_time.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    ratios[ROUNDS / 2]
}
