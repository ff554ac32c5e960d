//! What the tests share: a mock token endpoint and gateway with a client for them, clients for the
//! sandbox, and the requests, applicants and references the tests send.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use credit_valuation_sandbox::fixtures::{self, TestConsumer};
use credit_valuation_sandbox::{Sandbox, TestCredentials};
use innovis_client::pii::{DateOfBirth, Ssn};
use innovis_client::{
    Address, Applicant, Client, Config, Environment, HouseNumber, PermissiblePurpose, ProductCode,
    ReportReference, ReportRequest, RetryPolicy, SecretString,
};
use serde_json::json;
use url::Url;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "test-secret-do-not-log";
pub const SOFTWARE_PROVIDER_ID: &str = "SP01";
pub const GATEWAY_PATH: &str = "/InnovisGateway/orest/grs_v001/request";

/// Answers token requests with `tok-1`, `tok-2`, … (8 h lifetime), counting them.
pub struct NumberedTokens(pub Arc<AtomicUsize>);

impl Respond for NumberedTokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": format!("tok-{n}"),
            "token_type": "Bearer",
            "expires_in": 28800
        }))
    }
}

/// Mounts the token endpoint (exact Innovis JSON body) expecting `expected` calls; returns the call counter.
pub async fn mount_token(server: &MockServer, expected: u64) -> Arc<AtomicUsize> {
    let counter = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "audience": "innovisgateway",
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET
        })))
        .respond_with(NumberedTokens(counter.clone()))
        .expect(expected)
        .named("token endpoint")
        .mount(server)
        .await;
    counter
}

/// The mock server's token and gateway URLs.
pub fn environment(server: &MockServer) -> Environment {
    Environment::Custom {
        token_url: format!("{}/oauth/token", server.uri()).parse().unwrap(),
        gateway_url: format!("{}{GATEWAY_PATH}", server.uri()).parse().unwrap(),
    }
}

/// A config with the mock's credentials and fast retries.
pub fn config(environment: Environment) -> Config {
    Config::new(
        environment,
        CLIENT_ID,
        SecretString::from(CLIENT_SECRET),
        SOFTWARE_PROVIDER_ID,
    )
    .retry_policy(
        RetryPolicy::default()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(1)),
    )
}

/// A client of the mock server.
pub fn client(server: &MockServer) -> Client {
    Client::new(config(environment(server))).unwrap()
}

/// The permissible purpose every test uses (the one the sandbox's House Numbers are set up for).
pub fn purpose() -> PermissiblePurpose {
    PermissiblePurpose::new(fixtures::PERMISSIBLE_PURPOSE).expect("purpose")
}

/// A minimal CR request with a fixed trace number.
pub fn simple_request(trace: &str) -> ReportRequest {
    ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001", "EU0042")
        .permissible_purpose(purpose())
        .applicant(Applicant::new().name("JOHN", "CONSUMER"))
        .customer_trace_number(trace)
        .build()
        .unwrap()
}

/// A stored reference of a CR pulled at `inquired_at` (RFC 3339).
pub fn reference(inquired_at: &str) -> ReportReference {
    ReportReference::new(
        "RR0000000001",
        "C000000042",
        inquired_at.parse().unwrap(),
        ProductCode::CR,
        HouseNumber::new("7001000001", "EU0042").unwrap(),
    )
    .unwrap()
}

/// A one-consumer `Record` answer.
pub fn record_body(trace: &str) -> serde_json::Value {
    json!({
        "Consumers": {
            "softwareProviderId": "IGTW",
            "customerTraceNumber": trace,
            "reportReferenceNumber": "RR0000000001",
            "productCode": "CR",
            "customerId": "7001000001",
            "applicantId": "1A",
            "consumerId": "C000000042",
            "returnCode": "Record",
            "creditData": {"tradelines": []}
        }
    })
}

/// Mounts a gateway that answers every request with `record_body`, expecting `expected` calls.
pub async fn mount_record_gateway(server: &MockServer, expected: u64) {
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(record_body("t")))
        .expect(expected)
        .named("gateway")
        .mount(server)
        .await;
}

/// A config for the Innovis endpoints of a sandbox at `token_url` and `gateway_url` with its test
/// `credentials`, but `client_secret` (to test a wrong one).
pub fn sandbox_config_with_secret(
    token_url: Url,
    gateway_url: Url,
    credentials: &TestCredentials,
    client_secret: &str,
) -> Config {
    Config::new(
        Environment::Custom {
            token_url,
            gateway_url,
        },
        credentials.innovis_client_id.clone(),
        SecretString::from(client_secret.to_owned()),
        credentials.innovis_software_provider_id.clone(),
    )
    .audience(credentials.innovis_audience.clone())
}

/// A config for `credit-valuation-sandbox`'s Innovis endpoints with its test credentials.
pub fn sandbox_config(sandbox: &Sandbox) -> Config {
    let credentials = sandbox.credentials();
    sandbox_config_with_secret(
        sandbox.innovis_token_url(),
        sandbox.innovis_gateway_url(),
        credentials,
        &credentials.innovis_client_secret,
    )
}

/// The sandbox consumer with this SSN (one of its fixtures).
pub fn consumer(ssn: &str) -> &'static TestConsumer {
    fixtures::CONSUMERS
        .iter()
        .find(|consumer| consumer.ssn == ssn)
        .expect("a sandbox fixture consumer")
}

/// A sandbox consumer as an applicant: name, SSN, date of birth and a current address.
pub fn applicant(consumer: &TestConsumer) -> Applicant {
    Applicant::new()
        .name(consumer.first_name, consumer.last_name)
        .ssn(Ssn::new(consumer.ssn).expect("fixture SSN"))
        .dob(DateOfBirth::new(consumer.dob).expect("fixture date of birth"))
        .address(Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222"))
}

/// The name libtest knows the test `function` of `module` by (`module` as `module_path!()` gives it,
/// which starts with this binary's crate name), for a test that re-runs itself in a child process.
pub fn test_name(module: &str, function: &str) -> String {
    let in_binary = module.split_once("::").map_or("", |(_, path)| path);
    format!("{in_binary}::{function}")
}
