//! `ClientCredentials` against a mock token endpoint: both request styles, lifetimes and errors.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common_auth::{ClientCredentials, ExposeSecret, SecretString, TokenError, TokenSource};
use serde_json::json;
use wiremock::matchers::{body_json, body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{innovis_credentials, rfc6749_credentials};

const SECRET: &str = "client-s3cret-value";

fn innovis(server: &MockServer) -> ClientCredentials {
    innovis_credentials(server, "client-id", SECRET)
}

fn rfc6749(server: &MockServer) -> ClientCredentials {
    rfc6749_credentials(server, "client-id", SECRET)
}

fn jwt_expiring_in(seconds: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let payload = json!({"aud": "innovisgateway", "exp": now + seconds}).to_string();
    format!(
        "eyJhbGciOiJSUzI1NiJ9.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(payload)
    )
}

#[tokio::test]
async fn innovis_style_posts_the_exact_json_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "audience": "innovisgateway",
            "grant_type": "client_credentials",
            "client_id": "client-id",
            "client_secret": SECRET,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "opaque-token-1",
            "token_type": "Bearer",
            "expires_in": 28800,
        })))
        .expect(1)
        .mount(&server)
        .await;

    let token = innovis(&server).fetch_token().await.unwrap();
    assert_eq!(token.secret().expose_secret(), "opaque-token-1");
    assert_eq!(token.lifetime(), Duration::from_secs(28800));
    assert_eq!(token.bearer_header(), "Bearer opaque-token-1");
}

#[tokio::test]
async fn rfc6749_style_posts_a_form_with_basic_client_authentication() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        // base64("client-id:client-s3cret-value")
        .and(header(
            "authorization",
            "Basic Y2xpZW50LWlkOmNsaWVudC1zM2NyZXQtdmFsdWU=",
        ))
        .and(body_string(
            "grant_type=client_credentials&scope=reports+read",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "opaque-token-2",
            "token_type": "Bearer",
            "expires_in": "600",
        })))
        .expect(1)
        .mount(&server)
        .await;

    let token = rfc6749(&server)
        .scope("reports read")
        .fetch_token()
        .await
        .unwrap();
    assert_eq!(token.secret().expose_secret(), "opaque-token-2");
    assert_eq!(token.lifetime(), Duration::from_secs(600));
}

#[tokio::test]
async fn missing_expires_in_takes_the_lifetime_from_the_jwt_exp() {
    let server = MockServer::start().await;
    let jwt = jwt_expiring_in(8 * 3600);
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": jwt})))
        .mount(&server)
        .await;

    let lifetime = innovis(&server).fetch_token().await.unwrap().lifetime();
    // A second may pass between minting the JWT and decoding it.
    assert!(
        (Duration::from_secs(8 * 3600 - 5)..=Duration::from_secs(8 * 3600)).contains(&lifetime),
        "{lifetime:?}"
    );
}

#[tokio::test]
async fn neither_expires_in_nor_jwt_uses_the_configured_default() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "opaque"})))
        .mount(&server)
        .await;

    let default = innovis(&server).fetch_token().await.unwrap();
    assert_eq!(default.lifetime(), Duration::from_secs(3600));
    let configured = innovis(&server)
        .default_lifetime(Duration::from_secs(42))
        .fetch_token()
        .await
        .unwrap();
    assert_eq!(configured.lifetime(), Duration::from_secs(42));
}

#[tokio::test]
async fn an_expired_jwt_without_expires_in_is_a_decode_error() {
    let server = MockServer::start().await;
    let payload = URL_SAFE_NO_PAD.encode(r#"{"exp":1000}"#);
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": format!("e30.{payload}.c2ln")})),
        )
        .mount(&server)
        .await;

    let error = innovis(&server).fetch_token().await.unwrap_err();
    assert!(matches!(error, TokenError::Decode { .. }), "{error:?}");
}

#[tokio::test]
async fn rfc6749_error_body_is_a_typed_rejection() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client",
            "error_description": "Client authentication failed",
        })))
        .mount(&server)
        .await;

    match rfc6749(&server).fetch_token().await.unwrap_err() {
        TokenError::Rejected {
            status,
            error,
            description,
        } => {
            assert_eq!(status, 401);
            assert_eq!(error, "invalid_client");
            assert_eq!(description.as_deref(), Some("Client authentication failed"));
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_error_without_rfc6749_body_is_a_status_error_without_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500).set_body_string(format!("boom: bad secret {SECRET}")),
        )
        .mount(&server)
        .await;

    let error = innovis(&server).fetch_token().await.unwrap_err();
    match &error {
        TokenError::Status {
            status,
            body_excerpt,
        } => {
            assert_eq!(*status, 500);
            assert!(body_excerpt.starts_with("boom"), "{body_excerpt}");
        }
        other => panic!("expected Status, got {other:?}"),
    }
    assert!(!format!("{error} {error:?}").contains(SECRET));
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"access_token": "tok"#))
        .mount(&server)
        .await;

    let error = innovis(&server).fetch_token().await.unwrap_err();
    assert!(matches!(error, TokenError::Decode { .. }), "{error:?}");
    assert!(!error.to_string().contains("tok\""));
}

#[tokio::test]
async fn a_response_without_access_token_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"expires_in": 60})))
        .mount(&server)
        .await;

    let error = innovis(&server).fetch_token().await.unwrap_err();
    assert!(matches!(error, TokenError::Decode { .. }), "{error:?}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/elsewhere", server.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "stolen"})))
        .expect(0)
        .mount(&server)
        .await;

    let error = innovis(&server).fetch_token().await.unwrap_err();
    assert!(
        matches!(error, TokenError::Status { status: 302, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_slow_token_endpoint_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "late"}))
                .set_delay(Duration::from_secs(10)),
        )
        .mount(&server)
        .await;

    let error = innovis(&server)
        .timeout(Duration::from_millis(100))
        .fetch_token()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            TokenError::Transport {
                timed_out: true,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_transport_error() {
    // Bind then drop a listener so that nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let credentials = ClientCredentials::json_with_audience(
        format!("http://127.0.0.1:{port}/oauth/token")
            .parse()
            .unwrap(),
        "client-id",
        SecretString::from(SECRET),
        "innovisgateway",
    );
    let error = credentials.fetch_token().await.unwrap_err();
    assert!(
        matches!(
            error,
            TokenError::Transport {
                timed_out: false,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!format!("{error} {error:?}").contains(SECRET));
}

#[tokio::test]
async fn an_rfc6749_error_body_with_status_200_is_still_a_rejection() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"error": "invalid_scope"})))
        .mount(&server)
        .await;

    let error = rfc6749(&server).fetch_token().await.unwrap_err();
    assert!(
        matches!(&error, TokenError::Rejected { status: 200, error, description: None } if error == "invalid_scope"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_long_error_body_is_cut_after_removing_the_secret() {
    let server = MockServer::start().await;
    // The secret straddles the excerpt's cut: scrubbing after cutting would leak its start.
    let body = format!("{}{SECRET}{}", "x".repeat(190), "y".repeat(500));
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_string(body))
        .mount(&server)
        .await;

    let error = innovis(&server).fetch_token().await.unwrap_err();
    let TokenError::Status { body_excerpt, .. } = &error else {
        panic!("expected Status, got {error:?}");
    };
    assert!(body_excerpt.ends_with('…'), "{body_excerpt}");
    assert!(body_excerpt.chars().count() <= 201, "{body_excerpt}");
    assert!(!body_excerpt.contains("client-s3"), "{body_excerpt}");
}

#[tokio::test]
async fn an_injected_client_that_follows_redirects_gets_no_token_from_the_target() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/elsewhere", server.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "stolen"})))
        .mount(&server)
        .await;

    let following = reqwest::Client::new(); // reqwest follows up to 10 redirects by default
    let error = innovis(&server)
        .http_client(following)
        .fetch_token()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TokenError::Transport { message, .. } if message.contains("redirected")),
        "{error:?}"
    );
}

#[tokio::test]
async fn client_id_and_secret_are_form_urlencoded_before_base64() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        // base64("my+client%3A1:p%40ss+w%2Frd%2B%C3%A9%3A%25"), RFC 6749 §2.3.1 / Appendix B.
        .and(header(
            "authorization",
            "Basic bXkrY2xpZW50JTNBMTpwJTQwc3MrdyUyRnJkJTJCJUMzJUE5JTNBJTI1",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "encoded-ok",
            "expires_in": 60,
        })))
        .expect(1)
        .mount(&server)
        .await;

    let token = rfc6749_credentials(&server, "my client:1", "p@ss w/rd+é:%")
        .fetch_token()
        .await
        .unwrap();
    assert_eq!(token.secret().expose_secret(), "encoded-ok");
}

#[tokio::test]
async fn a_long_multibyte_error_body_is_cut_on_a_character_boundary() {
    let server = MockServer::start().await;
    // Multibyte characters everywhere: a cut at a byte offset would panic or split one.
    let body = "é€😀".repeat(300);
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string(body))
        .mount(&server)
        .await;

    let error = innovis(&server).fetch_token().await.unwrap_err();
    let TokenError::Status { body_excerpt, .. } = &error else {
        panic!("expected Status, got {error:?}");
    };
    assert!(body_excerpt.ends_with('…'), "{body_excerpt}");
    assert!(body_excerpt.starts_with("é€😀é€😀"), "{body_excerpt}");
    assert!(!body_excerpt.contains('\u{FFFD}'), "{body_excerpt}");
}
