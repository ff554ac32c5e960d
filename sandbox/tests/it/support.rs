//! Helpers shared by the sandbox's test modules: raw HTTP, requests the simulators expect, the
//! standalone binary, and a tiny callout receiver.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use common_auth::CalloutAuth;
use credit_valuation_sandbox::{Sandbox, TestCredentials, fixtures};
use serde_json::{Value, json};
use tokio::sync::mpsc;

pub fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// The body of a valid Innovis token request with `credentials`.
pub fn innovis_token_request(credentials: &TestCredentials) -> Value {
    json!({
        "audience": credentials.innovis_audience,
        "grant_type": "client_credentials",
        "client_id": credentials.innovis_client_id,
        "client_secret": credentials.innovis_client_secret,
    })
}

/// An Innovis access token from the sandbox's token endpoint.
pub async fn innovis_token(sandbox: &Sandbox) -> String {
    let response = http()
        .post(sandbox.innovis_token_url())
        .json(&innovis_token_request(sandbox.credentials()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// `(status, JSON body)` of a HouseCanary partner API call with the sandbox's token.
pub async fn hc(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = sandbox.housecanary_base_url().join(path).unwrap();
    let mut request = http().request(method, url).header(
        "Authorization",
        format!("Token {}", sandbox.credentials().housecanary_token),
    );
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A SECONDUSE request for the report `reference` of `consumer_id`, first issued at `date`.
pub fn second_use(reference: &str, consumer_id: &str, date: &str) -> Value {
    json!({
        "customerId": fixtures::CR_CUSTOMER_ID,
        "endUserCode": fixtures::CR_SECOND_END_USER_CODE,
        "productCode": "SECONDUSE",
        "permissiblePurposeCode": fixtures::PERMISSIBLE_PURPOSE,
        "softwareProviderId": "SBX1",
        "customerTraceNumber": "TRACE-2ND",
        "accessMethod": "ID",
        "originalInquiryDate": date,
        "reportReferenceNumber": reference,
        "applicants": [{ "consumerId": consumer_id }],
    })
}

/// One item of a HouseCanary order.
pub fn item(address: &str, zipcode: &str) -> Value {
    json!({ "address": address, "zipcode": zipcode })
}

/// A value-report order named `name` for one item at `address` in 94103.
pub fn one_item_order(name: &str, address: &str) -> Value {
    json!({ "order_type": "valueReport", "name": name, "items": [item(address, "94103")] })
}

/// The standalone sandbox binary Cargo built for these tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_credit-valuation-sandbox");

/// The standalone binary serving in a child process, stopped when dropped (even when an assertion
/// fails first).
pub struct RunningBinary {
    child: Child,
    /// Everything it printed up to and including the `Press Ctrl-C` line.
    pub banner: String,
    /// Its base URL, from the banner's first line (`sandbox listening on <base>`).
    pub base: String,
}

impl RunningBinary {
    /// Starts [`BINARY`] with `args` and reads its whole banner (a pipe closed early would fail
    /// the server's next print).
    pub async fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BINARY)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut running = Self {
            child,
            banner: String::new(),
            base: String::new(),
        };
        running.banner = tokio::task::spawn_blocking(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let line = line.unwrap();
                let done = line.starts_with("Press Ctrl-C");
                lines.push(line);
                if done {
                    break;
                }
            }
            lines.join("\n")
        })
        .await
        .unwrap();
        running.base = running
            .banner
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("sandbox listening on "))
            .unwrap_or_else(|| panic!("unexpected banner: {}", running.banner))
            .to_owned();
        running
    }
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A callout receiver on loopback that verifies every request with `auth`.
pub struct CalloutReceiver {
    pub url: url::Url,
    pub messages: mpsc::UnboundedReceiver<Value>,
    shared: Arc<Shared>,
}

struct Shared {
    auth: CalloutAuth,
    /// Answer 500 to the first `fail_first` attempts of each message.
    fail_first: u32,
    /// Hold each of the first `slow_first` attempts of a message this long before answering.
    slow: Option<(u32, Duration)>,
    attempts: Mutex<HashMap<String, u32>>,
    rejected: Mutex<u32>,
    sender: mpsc::UnboundedSender<Value>,
}

impl CalloutReceiver {
    pub async fn start(auth: CalloutAuth, fail_first: u32) -> Self {
        Self::start_with(auth, fail_first, None).await
    }

    pub async fn start_with(
        auth: CalloutAuth,
        fail_first: u32,
        slow: Option<(u32, Duration)>,
    ) -> Self {
        let (sender, messages) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            auth,
            fail_first,
            slow,
            attempts: Mutex::new(HashMap::new()),
            rejected: Mutex::new(0),
            sender,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = url::Url::parse(&format!(
            "http://{}/callouts",
            listener.local_addr().unwrap()
        ))
        .unwrap();
        let app = Router::new()
            .route("/callouts", post(receive))
            .with_state(Arc::clone(&shared));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url,
            messages,
            shared,
        }
    }

    /// Attempts per `message_id` so far.
    pub fn attempts(&self) -> HashMap<String, u32> {
        self.shared.attempts.lock().unwrap().clone()
    }

    /// Requests that failed verification.
    pub fn rejected(&self) -> u32 {
        *self.shared.rejected.lock().unwrap()
    }

    /// Accepted messages until one matches `done` (or 10 s pass).
    pub async fn collect_until(&mut self, done: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let message = tokio::time::timeout_at(deadline, self.messages.recv())
                .await
                .expect("the awaited callout did not arrive within 10 s")
                .expect("receiver closed");
            let finished = done(&message);
            seen.push(message);
            if finished {
                return seen;
            }
        }
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if shared.auth.verify(&uri, &headers, &body).is_err() {
        *shared.rejected.lock().unwrap() += 1;
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let id = message["message_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let attempt = {
        let mut attempts = shared.attempts.lock().unwrap();
        let count = attempts.entry(id).or_insert(0);
        *count += 1;
        *count
    };
    if let Some((slow_first, delay)) = shared.slow {
        if attempt <= slow_first {
            tokio::time::sleep(delay).await;
        }
    }
    if attempt <= shared.fail_first {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let _ = shared.sender.send(message);
    StatusCode::OK
}

/// Polls `condition` every 10 ms for up to 10 s.
pub async fn eventually(mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
