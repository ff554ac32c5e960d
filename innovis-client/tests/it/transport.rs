//! Tokens, 401 handling, error statuses, what is and is not retried, and undecodable bodies.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::*;
use innovis_client::{Client, Delivery, Environment, Error, transport};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn one_token_serves_a_hundred_requests() {
    let server = MockServer::start().await;
    let tokens = mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(record_body("t")))
        .expect(100)
        .mount(&server)
        .await;
    let client = client(&server);
    // A hundred distinct inquiries (each its own trace number: the ledger refuses a reused one).
    let requests: Vec<_> = (0..100)
        .map(|n| simple_request(&format!("reuse-{n}")))
        .collect();
    let sends = requests.iter().map(|request| client.send(request));
    let results = futures_util::future::join_all(sends).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(tokens.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_401_fetches_a_new_token_and_resends_once() {
    let server = MockServer::start().await;
    let tokens = mount_token(&server, 2).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(record_body("t")))
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server)
        .send(&simple_request("auth-1"))
        .await
        .unwrap();
    assert_eq!(response.consumers().len(), 1);
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_401_is_an_auth_error_naming_the_likely_causes() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server)
        .send(&simple_request("auth-2"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Auth { ref trace_number } if trace_number.as_deref() == Some("auth-2"))
    );
    let text = err.to_string();
    assert!(
        text.contains("credentials") && text.contains("allowlist"),
        "{text}"
    );
}

#[tokio::test]
async fn a_400_carries_the_vendor_error_message_and_the_trace_number() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"errorMessage": "endUserCode is required"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .send(&simple_request("bad-1"))
        .await
        .unwrap_err();
    match err {
        Error::Api {
            status,
            message,
            trace_number,
        } => {
            assert_eq!(status, 400);
            assert_eq!(message, "endUserCode is required");
            assert_eq!(trace_number.as_deref(), Some("bad-1"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_500_is_not_retried() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(ResponseTemplate::new(500).set_body_string("internal error"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .send(&simple_request("boom"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Api { status: 500, ref message, .. } if message == "internal error"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_request_timeout_is_not_retried() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .expect(1)
        .mount(&server)
        .await;
    let client =
        Client::new(config(environment(&server)).request_timeout(Duration::from_millis(300)))
            .unwrap();
    let err = client.send(&simple_request("slow")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                source: transport::Error::Timeout { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::MayHaveBeenProcessed);
}

/// Resolves every name to 127.0.0.2 (where nothing listens: connection refused) for the first `refusals`
/// lookups, then to 127.0.0.1. Each connection attempt makes one lookup, so the count is the attempt count.
struct RefusingResolver {
    lookups: Arc<AtomicUsize>,
    refusals: usize,
}

impl Resolve for RefusingResolver {
    fn resolve(&self, _: Name) -> Resolving {
        let n = self.lookups.fetch_add(1, Ordering::SeqCst);
        let last = if n < self.refusals { 2 } else { 1 };
        let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)), 0);
        Box::pin(async move { Ok(Box::new(std::iter::once(addr)) as Addrs) })
    }
}

/// A client whose gateway host name (`localhost`, since plain http is for loopback hosts only) goes
/// through a [`RefusingResolver`].
fn client_with_refusals(
    server: &MockServer,
    refusals: usize,
    retries: u32,
) -> (Client, Arc<AtomicUsize>) {
    let lookups = Arc::new(AtomicUsize::new(0));
    let http = reqwest::Client::builder()
        .dns_resolver(Arc::new(RefusingResolver {
            lookups: lookups.clone(),
            refusals,
        }))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let port = server.address().port();
    let environment = Environment::Custom {
        token_url: format!("{}/oauth/token", server.uri()).parse().unwrap(),
        gateway_url: format!("http://localhost:{port}{GATEWAY_PATH}")
            .parse()
            .unwrap(),
    };
    let config = config(environment).http_client(http).retry_policy(
        innovis_client::RetryPolicy::default()
            .max_attempts(retries + 1)
            .initial_backoff(Duration::from_millis(1)),
    );
    (Client::new(config).unwrap(), lookups)
}

#[tokio::test]
async fn a_refused_connection_is_retried_and_then_succeeds() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_record_gateway(&server, 1).await;
    let (client, lookups) = client_with_refusals(&server, 2, 2);
    let response = client.send(&simple_request("flaky")).await.unwrap();
    assert_eq!(response.consumers().len(), 1);
    assert_eq!(
        lookups.load(Ordering::SeqCst),
        3,
        "two refused attempts, then the one that worked"
    );
}

#[tokio::test]
async fn connect_retries_are_bounded_and_report_nothing_was_sent() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_record_gateway(&server, 0).await;
    let (client, lookups) = client_with_refusals(&server, usize::MAX, 2);
    let err = client.send(&simple_request("down")).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::NotSent);
    assert_eq!(
        lookups.load(Ordering::SeqCst),
        3,
        "one attempt plus two retries"
    );
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error_that_was_not_sent() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let environment = Environment::Custom {
        token_url: format!("{}/oauth/token", server.uri()).parse().unwrap(),
        gateway_url: "http://127.0.0.1:1/request".parse().unwrap(),
    };
    let client = Client::new(config(environment)).unwrap();
    let err = client.send(&simple_request("closed")).await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { ref trace_number, .. }
            if trace_number.as_deref() == Some("closed") && err.delivery() == Delivery::NotSent),
        "{err:?}"
    );
    assert!(err.to_string().contains("was not sent"));
}

#[tokio::test]
async fn a_token_endpoint_failure_is_a_token_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "access_denied", "error_description": "no"})),
        )
        .mount(&server)
        .await;
    mount_record_gateway(&server, 0).await;
    let err = client(&server)
        .send(&simple_request("tok"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Token(_)), "{err:?}");
}

async fn decode_error_for(body: &'static str) -> Error {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .send(&simple_request("decode"))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error_with_the_json_path() {
    let err =
        decode_error_for(r#"{"Consumers":[{"returnCode":"Record"},{"returnCode":{"x":1}}]}"#).await;
    match err {
        Error::Decode { path, excerpt, .. } => {
            assert_eq!(path, "Consumers[1].returnCode");
            assert!(excerpt.contains("returnCode"), "{excerpt}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_truncated_body_is_a_decode_error_with_the_json_path() {
    let err =
        decode_error_for(r#"{"Consumers":{"returnCode":"Record","reportReferenceNumber":"RR00"#)
            .await;
    match err {
        Error::Decode { path, message, .. } => {
            assert_eq!(path, "Consumers.reportReferenceNumber");
            assert!(message.contains("EOF"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn return_code_error_becomes_a_typed_error() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "Consumers": {"customerTraceNumber": "rc", "returnCode": "Error",
                          "returnReasonCode": "E012", "returnReasonDesc": "INVALID ZIP"}
        })))
        .mount(&server)
        .await;
    let response = client(&server).send(&simple_request("rc")).await.unwrap();
    assert!(response.references().is_empty());
    let err: Error = response.check().unwrap_err().into();
    match err {
        Error::ReturnCode(ref e) => {
            assert_eq!(e.reason_code.as_deref(), Some("E012"));
            assert_eq!(e.reason_text.as_deref(), Some("INVALID ZIP"));
            assert_eq!(e.trace_number.as_deref(), Some("rc"));
        }
        ref other => panic!("unexpected {other:?}"),
    }
}

/// A gateway that reads the whole request and then hangs up without answering: the inquiry reached the
/// vendor, so the client must not send it again and must say it may have been sent.
#[tokio::test]
async fn a_connection_dropped_after_the_request_was_sent_is_not_retried() {
    use tokio::io::AsyncReadExt;

    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gateway = listener.local_addr().unwrap();
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&requests);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let mut received = Vec::new();
                let mut buffer = [0u8; 4096];
                // Read until the JSON body has arrived, then close without a response.
                while !received.ends_with(b"}") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => received.extend_from_slice(buffer.get(..n).unwrap()),
                    }
                }
                seen.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    let environment = Environment::Custom {
        token_url: format!("{}/oauth/token", server.uri()).parse().unwrap(),
        gateway_url: format!("http://{gateway}{GATEWAY_PATH}").parse().unwrap(),
    };
    let client = Client::new(config(environment)).unwrap();

    let err = client.send(&simple_request("hangup")).await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { ref trace_number, .. }
            if trace_number.as_deref() == Some("hangup")
                && err.delivery() == Delivery::MayHaveBeenProcessed),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("do not resend it blindly"),
        "{err}"
    );
    // The server counts a request before hanging up, and the client only fails once hung up on: a resend
    // would already be counted here.
    assert_eq!(requests.load(Ordering::SeqCst), 1, "sent exactly once");
}

#[tokio::test]
async fn a_gateway_redirect_is_never_followed() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await; // one per client
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/elsewhere", server.uri())),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200).set_body_json(record_body("t")))
        .mount(&server)
        .await;

    // The client's own HTTP client does not follow: the 307 is an API error.
    let err = client(&server)
        .send(&simple_request("redir"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 307, .. }), "{err:?}");

    // An injected client that follows: the answer from elsewhere is refused, and may have been sent.
    let followed = Client::new(config(environment(&server)).http_client(reqwest::Client::new()));
    // Its token request is not redirected, so the token comes through; the gateway call is.
    let err = followed
        .unwrap()
        .send(&simple_request("redir"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                source: transport::Error::Redirected { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.delivery().may_have_been_processed());
}

/// Answers 401 after a delay that grows with each call, so the 401s of concurrent requests arrive one by one.
struct Staggered401(AtomicUsize);

impl wiremock::Respond for Staggered401 {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) as u64;
        ResponseTemplate::new(401).set_delay(Duration::from_millis(30 * n))
    }
}

#[tokio::test]
async fn a_burst_of_401s_on_one_token_fetches_one_new_token() {
    let server = MockServer::start().await;
    let tokens = mount_token(&server, 2).await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(Staggered401(AtomicUsize::new(0)))
        .expect(5)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(GATEWAY_PATH))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(record_body("t")))
        .expect(5)
        .mount(&server)
        .await;
    let client = client(&server);
    // Five concurrent first requests share one token fetch, so all go out with tok-1.
    let requests: Vec<_> = (0..5)
        .map(|n| simple_request(&format!("burst-{n}")))
        .collect();
    let sends = requests.iter().map(|request| client.send(request));
    let results = futures_util::future::join_all(sends).await;
    for result in &results {
        assert!(result.is_ok(), "{result:?}");
    }
    assert_eq!(
        tokens.load(Ordering::SeqCst),
        2,
        "one token for the burst, not one per 401"
    );
}

/// Set in the child process that runs the calls under an environment proxy.
const PROXY_CHILD: &str = "INNOVIS_CLIENT_PROXY_CHILD";

/// With `HTTP_PROXY`, `HTTPS_PROXY` and `ALL_PROXY` pointing at a listener, the token request (the
/// client secret in its body) and the inquiry go straight to the server: the listener is never
/// asked. In a child process, since the environment is the whole process's.
#[tokio::test]
async fn no_environment_proxy_receives_the_token_request_or_the_inquiry() {
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let asked = tokio::spawn(async move { proxy.accept().await.is_ok() });
    let child = test_name(module_path!(), "proxy_child");
    let status = tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .args([&child, "--exact", "--ignored"])
            .env(PROXY_CHILD, "1")
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .stdout(std::process::Stdio::null());
        for variable in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
        ] {
            command.env(variable, &proxy_url);
        }
        command.status().unwrap()
    })
    .await
    .unwrap();
    assert!(status.success(), "the child's inquiry failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!asked.is_finished(), "the environment's proxy was asked");
    asked.abort();
}

#[tokio::test]
#[ignore = "run only as no_environment_proxy_receives_the_token_request_or_the_inquiry's child"]
async fn proxy_child() {
    if std::env::var_os(PROXY_CHILD).is_none() {
        return;
    }
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_record_gateway(&server, 1).await;
    let response = client(&server)
        .send(&simple_request("no-proxy"))
        .await
        .expect("the token request and the inquiry go straight to the server");
    assert_eq!(response.consumers().len(), 1);
}
