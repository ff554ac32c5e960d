//! Benchmark: each vendor call through `credit-valuation-core` against a hand-written `reqwest` call of the
//! same request, on the same loopback server, in the same process, interleaved.
//!
//! The server runs in a child process (this binary re-run with `VENDOR_CALLS_SERVER=1`), so the
//! allocation counts of this process are the clients' alone. For each call and each concurrency
//! (1 and 64) it runs 11 rounds, alternating which side goes first, and prints the median of the
//! per-round throughput ratios (SDK / hand-written) and the allocations per call of each side.
//! The hand-written side decodes every response into a `serde_json::Value`, as code without the
//! SDK's record types would; the SDK side returns its typed records.
//! It also compares decoding an Innovis `ConsumerReport` with a plain `serde_json::Value` decode
//! of the same bytes. Ratios, not absolute times: these machines are noisy.
//!
//! Run with `cargo bench -p examples --bench vendor_calls`.

use std::alloc::System;
use std::future::Future;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use housecanary_partner::orders::{Location, OrderItem, ValueReportOrder};
use innovis_client::{Applicant, Config, PermissiblePurpose, ProductCode, ReportRequest};
use serde::Serialize;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SERVER_ENV: &str = "VENDOR_CALLS_SERVER";
const ROUNDS: usize = 31;
const CALLS_PER_ROUND: usize = 1_024;
const ALLOCATION_CALLS: usize = 200;
const TOKEN: &str = "bench-token";
const PROVIDER: &str = "SP01";

fn main() -> ExitCode {
    if std::env::var_os(SERVER_ENV).is_some() {
        serve();
        return ExitCode::SUCCESS;
    }
    let (mut server, base) = start_server();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let calls = runtime.block_on(Calls::new(&base));
    println!(
        "vendor_calls: SDK call vs hand-written reqwest call, same loopback server, interleaved"
    );
    println!(
        "  throughput ratio = SDK / hand-written (median of {ROUNDS} rounds of {CALLS_PER_ROUND} calls)"
    );
    println!(
        "  {:<34} {:>8} {:>8} {:>22}",
        "call", "c=1", "c=64", "allocations/call SDK vs raw"
    );
    let calls = Arc::new(calls);
    for case in Case::ALL {
        let c1 = runtime.block_on(ratio(&calls, case, 1));
        let c64 = runtime.block_on(ratio(&calls, case, 64));
        let (sdk, raw) = runtime.block_on(allocations(&calls, case));
        println!(
            "  {:<34} {:>8.3} {:>8.3} {:>10.1} vs {:<6.1} ({:.2}x)",
            case.name(),
            c1,
            c64,
            sdk,
            raw,
            sdk / raw
        );
    }
    let decode = decode_ratio();
    println!(
        "  Innovis ConsumerReport decode vs serde_json::Value decode of the same bytes: {decode:.3}"
    );
    let _ = server.kill();
    let _ = server.wait();
    ExitCode::SUCCESS
}

#[derive(Clone, Copy)]
enum Case {
    InnovisSend,
    CreateOrder,
    GetOrder,
    ListItems,
}

impl Case {
    const ALL: [Case; 4] = [
        Case::InnovisSend,
        Case::CreateOrder,
        Case::GetOrder,
        Case::ListItems,
    ];

    fn name(self) -> &'static str {
        match self {
            Case::InnovisSend => "Innovis send (3 KB report)",
            Case::CreateOrder => "HouseCanary create_order (1 item)",
            Case::GetOrder => "HouseCanary get_order",
            Case::ListItems => "HouseCanary list items (5)",
        }
    }
}

/// Both sides of every call, sharing nothing but the server.
struct Calls {
    innovis: innovis_client::Client,
    housecanary: housecanary_partner::Client,
    raw: reqwest::Client,
    base: String,
    bearer: String,
    traces: std::sync::atomic::AtomicU64,
    order: ValueReportOrder,
}

impl Calls {
    async fn new(base: &str) -> Calls {
        let innovis = innovis_client::Client::new(Config::new(
            innovis_client::Environment::Custom {
                token_url: format!("{base}/oauth/token").parse().expect("url"),
                gateway_url: format!("{base}/innovis/request").parse().expect("url"),
            },
            "bench",
            innovis_client::SecretString::from("secret"),
            PROVIDER,
        ))
        .expect("innovis client");
        let housecanary = housecanary_partner::Client::new(housecanary_partner::Config::new(
            housecanary_partner::Environment::Custom(
                format!("{base}/partner-api/v1/").parse().expect("url"),
            ),
            housecanary_partner::SecretString::from(TOKEN),
        ))
        .expect("housecanary client");
        // As careful code calling a credit bureau would: no redirects followed, and a timeout on
        // every request (reqwest has none by default) — the SDK's default per-attempt timeout.
        let raw = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("raw client");
        // The hand-written side fetches its token once, as such code would.
        let token: serde_json::Value = raw
            .post(format!("{base}/oauth/token"))
            .body("{}")
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
        let order = ValueReportOrder::builder(
            "bench",
            OrderItem::builder("1 A St", Location::zipcode("78701")).build(),
        )
        .build();
        let calls = Calls {
            innovis,
            housecanary,
            raw,
            base: base.to_owned(),
            bearer,
            traces: std::sync::atomic::AtomicU64::new(0),
            order,
        };
        // Both sides must work (and warm their pools) before anything is timed.
        for case in Case::ALL {
            calls.sdk(case).await;
            calls.raw(case).await;
        }
        calls
    }

    /// A number no call used before, for trace numbers.
    fn next_trace(&self) -> u64 {
        self.traces
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// The Innovis request of one call, built as a caller builds it.
    fn next_report_request(&self) -> ReportRequest {
        ReportRequest::builder(ProductCode::CR)
            .house_number("7001000001", "EU0042")
            .permissible_purpose(PermissiblePurpose::new("17").expect("purpose"))
            .applicant(Applicant::new().name("JOHN", "CONSUMER"))
            .customer_trace_number(format!("sdk-{}", self.next_trace()))
            .build()
            .expect("request")
    }

    async fn sdk(&self, case: Case) {
        match case {
            Case::InnovisSend => {
                // Every inquiry is a new one (its own trace number): the ledger refuses a repeat.
                let request = self.next_report_request();
                let response = self.innovis.send(&request).await.expect("innovis send");
                assert_eq!(response.consumers().len(), 1);
                black_box(response);
            }
            Case::CreateOrder => {
                black_box(
                    self.housecanary
                        .create_order(&self.order)
                        .await
                        .expect("create"),
                );
            }
            Case::GetOrder => {
                black_box(self.housecanary.get_order(1_u64).await.expect("get"));
            }
            Case::ListItems => {
                let items = self
                    .housecanary
                    .list_order_items(1_u64)
                    .await
                    .expect("items");
                assert_eq!(items.len(), 5);
                black_box(items);
            }
        }
    }

    async fn raw(&self, case: Case) {
        use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
        let token = format!("Token {TOKEN}");
        match case {
            Case::InnovisSend => {
                // A hand-written caller's own body types, giving the JSON the client sends for
                // the same request (`ReportRequest` is not `Serialize`: it holds personal data).
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
                }
                #[derive(Serialize)]
                struct RawName<'a> {
                    first: &'a str,
                    last: &'a str,
                }
                let trace = format!("raw-{}", self.next_trace());
                let body = serde_json::to_vec(&Body {
                    customer_id: "7001000001",
                    end_user_code: "EU0042",
                    customer_trace_number: &trace,
                    product_code: "CR",
                    permissible_purpose_code: "17",
                    applicants: [RawApplicant {
                        applicant_id: "1A",
                        names: [RawName {
                            first: "JOHN",
                            last: "CONSUMER",
                        }],
                    }],
                    software_provider_id: PROVIDER,
                })
                .expect("body");
                let response = self
                    .raw
                    .post(format!("{}/innovis/request", self.base))
                    .header(AUTHORIZATION, &self.bearer)
                    .header(CONTENT_TYPE, "application/json")
                    .header(ACCEPT, "application/json")
                    .header(USER_AGENT, "raw")
                    .body(body)
                    .send()
                    .await
                    .expect("send");
                assert!(response.status().is_success());
                let bytes = response.bytes().await.expect("body");
                black_box(serde_json::from_slice::<serde_json::Value>(&bytes).expect("json"));
            }
            Case::CreateOrder => {
                let body = serde_json::to_vec(&self.order).expect("body");
                let response = self
                    .raw
                    .post(format!("{}/partner-api/v1/orders/", self.base))
                    .header(AUTHORIZATION, &token)
                    .header(CONTENT_TYPE, "application/json")
                    .header(ACCEPT, "application/json")
                    .header(USER_AGENT, "raw")
                    .body(body)
                    .send()
                    .await
                    .expect("send");
                assert!(response.status().is_success());
                let bytes = response.bytes().await.expect("body");
                black_box(serde_json::from_slice::<serde_json::Value>(&bytes).expect("json"));
            }
            Case::GetOrder | Case::ListItems => {
                let path = match case {
                    Case::GetOrder => "orders/1/",
                    _ => "orders/1/items/",
                };
                let response = self
                    .raw
                    .get(format!("{}/partner-api/v1/{path}", self.base))
                    .header(AUTHORIZATION, &token)
                    .header(ACCEPT, "application/json")
                    .header(USER_AGENT, "raw")
                    .send()
                    .await
                    .expect("send");
                assert!(response.status().is_success());
                let bytes = response.bytes().await.expect("body");
                let json: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
                if matches!(case, Case::ListItems) {
                    assert_eq!(json.as_array().map(Vec::len), Some(5));
                }
                black_box(json);
            }
        }
    }
}

/// Calls per second of `CALLS_PER_ROUND` calls made by `concurrency` tasks.
async fn throughput<F, Fut>(concurrency: usize, call: F) -> f64
where
    F: Fn() -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = ()> + Send,
{
    let per_task = CALLS_PER_ROUND / concurrency;
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    call().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    (per_task * concurrency) as f64 / started.elapsed().as_secs_f64()
}

/// The median over rounds of SDK throughput / hand-written throughput, alternating which goes first.
async fn ratio(calls: &Arc<Calls>, case: Case, concurrency: usize) -> f64 {
    let sdk = {
        let calls = calls.clone();
        move || {
            let calls = calls.clone();
            async move { calls.sdk(case).await }
        }
    };
    let raw = {
        let calls = calls.clone();
        move || {
            let calls = calls.clone();
            async move { calls.raw(case).await }
        }
    };
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (sdk_rate, raw_rate) = if round % 2 == 0 {
            let s = throughput(concurrency, sdk.clone()).await;
            (s, throughput(concurrency, raw.clone()).await)
        } else {
            let r = throughput(concurrency, raw.clone()).await;
            (throughput(concurrency, sdk.clone()).await, r)
        };
        ratios.push(sdk_rate / raw_rate);
    }
    median(ratios)
}

/// Allocations per call of each side, one call at a time.
async fn allocations(calls: &Calls, case: Case) -> (f64, f64) {
    let region = Region::new(ALLOCATOR);
    for _ in 0..ALLOCATION_CALLS {
        calls.sdk(case).await;
    }
    let sdk = region.change().allocations;
    let region = Region::new(ALLOCATOR);
    for _ in 0..ALLOCATION_CALLS {
        calls.raw(case).await;
    }
    let raw = region.change().allocations;
    (
        sdk as f64 / ALLOCATION_CALLS as f64,
        raw as f64 / ALLOCATION_CALLS as f64,
    )
}

/// Median over rounds of (Value decode time / ConsumerReport decode time): above 1 means the
/// typed decode is faster.
fn decode_ratio() -> f64 {
    let bytes = consumer_json();
    let time = |decode: &dyn Fn()| {
        let started = Instant::now();
        for _ in 0..2_000 {
            decode();
        }
        started.elapsed()
    };
    let typed = || {
        black_box(
            serde_json::from_slice::<innovis_client::ConsumerReport>(black_box(&bytes))
                .expect("typed"),
        );
    };
    let value = || {
        black_box(serde_json::from_slice::<serde_json::Value>(black_box(&bytes)).expect("value"));
    };
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (typed_time, value_time): (Duration, Duration) = if round % 2 == 0 {
            let t = time(&typed);
            (t, time(&value))
        } else {
            let v = time(&value);
            (time(&typed), v)
        };
        ratios.push(value_time.as_secs_f64() / typed_time.as_secs_f64());
    }
    median(ratios)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

// ---- the loopback server (child process) ----

fn start_server() -> (Child, String) {
    let mut child = Command::new(std::env::current_exe().expect("this binary"))
        .env(SERVER_ENV, "1")
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .expect("start the server process");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the server's address");
    (child, format!("http://{}", line.trim()))
}

fn serve() {
    use axum::Router;
    use axum::http::{StatusCode, header::CONTENT_TYPE};
    use axum::routing::{get, post};
    const JSON: [(axum::http::HeaderName, &str); 1] = [(CONTENT_TYPE, "application/json")];

    let token = serde_json::json!({"access_token": "bench-access-token", "token_type": "Bearer",
        "expires_in": 28_800})
    .to_string();
    let report = format!(
        r#"{{"Consumers":[{}]}}"#,
        String::from_utf8(consumer_json()).expect("utf8")
    );
    let order = order_json(1).to_string();
    let items = serde_json::Value::Array((1..=5).map(item_json).collect()).to_string();
    let app = Router::new()
        .route("/oauth/token", post(move || async move { (JSON, token) }))
        .route(
            "/innovis/request",
            post(move || async move { (JSON, report) }),
        )
        .route(
            "/partner-api/v1/orders/",
            post({
                let order = order.clone();
                move || async move { (StatusCode::CREATED, JSON, order) }
            }),
        )
        .route(
            "/partner-api/v1/orders/1/",
            get(move || async move { (JSON, order) }),
        )
        .route(
            "/partner-api/v1/orders/1/items/",
            get(move || async move { (JSON, items) }),
        );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("{}", listener.local_addr().expect("address"));
        axum::serve(listener, app).await.expect("serve");
    });
}

/// One consumer report of about 3 KB, shaped like the sandbox's.
fn consumer_json() -> Vec<u8> {
    let tradelines: Vec<serde_json::Value> = (0..8)
        .map(|n| {
            serde_json::json!({
                "creditorName": format!("BANK NUMBER {n}"),
                "accountType": "Revolving",
                "accountNumber": format!("XXXX-XXXX-{:04}", 1000 + n),
                "openDate": "2015-03-01",
                "balance": 1234 + n,
                "creditLimit": 5000,
                "paymentStatus": "Current",
                "paymentHistory": "CCCCCCCCCCCCCCCCCCCCCCCC",
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "softwareProviderId": "IGTW",
        "customerTraceNumber": "bench",
        "reportReferenceNumber": "RR0000000001",
        "productCode": "CR",
        "customerId": "7001000001",
        "applicantId": "1A",
        "consumerId": "C000000042",
        "returnCode": "Record",
        "creditData": {
            "tradelines": tradelines,
            "inquiries": [{"date": "2024-01-01", "subscriber": "BANK"}],
            "scores": [{"model": "VantageScore 4.0", "score": 712}],
        }
    }))
    .expect("json")
}

fn order_json(id: u64) -> serde_json::Value {
    serde_json::json!({
        "id": id, "name": "bench", "order_type": "valueReport", "customer_order_id": null,
        "owner_organization_id": null, "owner_id": null, "status": "new",
        "created": "2026-11-27T12:00:00Z", "completed": false, "actual_delivery_date": null,
        "item_count": 1,
        "summary_data": {"items": 1, "new": 1, "accepted": 0, "reportPending": 0, "complete": 0,
            "cancelled": 0}
    })
}

fn item_json(id: u64) -> serde_json::Value {
    serde_json::json!({
        "id": id, "order": 1, "address": "1 A St", "unit": null, "city": "Austin", "state": "TX",
        "zipcode": "78701", "status": "new", "customer_item_id": format!("loan-{id}"),
        "available_downloadables": [], "created": "2026-11-27T12:00:00Z"
    })
}
