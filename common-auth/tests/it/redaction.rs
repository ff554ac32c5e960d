//! No `Debug` or `Display` of any public type holding a secret shows it.

use std::time::Duration;

use common_auth::{
    AccessToken, BasicCredentials, ClientCredentials, HmacSha1Key, SecretString, StaticToken,
    TokenCache, TokenError,
};
use http::{HeaderMap, Uri};

use crate::support::every_callout_scheme;

const SECRET: &str = "Sup3rS3cretValue";

fn assert_hidden(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} shows the secret: {text}");
    // Not even a recognisable chunk of it.
    assert!(
        !text.contains("S3cret"),
        "{what} shows part of the secret: {text}"
    );
}

fn secret() -> SecretString {
    SecretString::from(SECRET)
}

#[test]
fn debug_of_every_secret_holding_type_redacts() {
    let token = AccessToken::new(secret(), Duration::from_secs(60));
    assert_hidden("AccessToken", &format!("{token:?} {token:#?}"));
    assert_eq!(
        format!("{token:?}"),
        r#"AccessToken { value: "[REDACTED]", .. }"#
    );
    assert_hidden("bearer header", &format!("{:?}", token.bearer_header()));
    assert_hidden("redacted suffix", &token.redacted_suffix());

    let url = "https://auth.example/token".parse().unwrap();
    let innovis = ClientCredentials::json_with_audience(url, "client-id", secret(), "aud");
    let text = format!("{innovis:?} {innovis:#?}");
    assert_hidden("ClientCredentials", &text);
    assert!(text.contains("client-id"));
    let url = "https://auth.example/token".parse().unwrap();
    let form = ClientCredentials::form_basic(url, "client-id", secret());
    assert_hidden("ClientCredentials", &format!("{form:?}"));
    let cache = TokenCache::new(form);
    assert_hidden("TokenCache", &format!("{cache:?}"));

    let static_token = StaticToken::new(secret());
    assert_hidden("StaticToken", &format!("{static_token:?}"));
    assert_hidden(
        "Token header",
        &format!("{:?}", static_token.authorization_header()),
    );

    let key = HmacSha1Key::new(&secret()).unwrap();
    let text = format!("{key:?} {key:#?}");
    assert_hidden("HmacSha1Key", &text);
    assert_eq!(format!("{key:?}"), "HmacSha1Key([REDACTED])");

    let basic = BasicCredentials::new("alice", secret());
    let text = format!("{basic:?}");
    assert_hidden("BasicCredentials", &text);
    assert!(text.contains("alice"));
    assert_hidden(
        "Basic header",
        &format!("{:?}", basic.authorization_header()),
    );
}

#[test]
fn callout_auth_and_signed_callouts_redact() {
    let hook = Uri::from_static("https://partner.example/callouts?order=1");
    for auth in every_callout_scheme("alice", SECRET) {
        assert_hidden("CalloutAuth", &format!("{auth:?} {auth:#?}"));
        let signed = auth.sign(&hook, b"{}").unwrap();
        assert_hidden("SignedCallout", &format!("{signed:?} {signed:#?}"));
        // Errors from verifying the right and wrong requests never echo the secret either.
        let error = auth
            .verify(&hook, &HeaderMap::new(), b"{}")
            .expect_err("no credentials");
        assert_hidden("CalloutAuthError", &format!("{error} {error:?}"));
    }
}

/// Errors produced by a token endpoint that echoes the client secret (or returns it as a
/// malformed token response) never carry it.
#[tokio::test]
async fn token_errors_never_carry_the_secret() {
    use common_auth::TokenSource;
    use serde_json::json;
    use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

    let server = MockServer::start().await;
    let echo = format!("client_secret={SECRET} is wrong");
    let responses = [
        (
            "/rejected",
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": echo, "error_description": echo})),
        ),
        (
            "/status",
            ResponseTemplate::new(500).set_body_string(echo.clone()),
        ),
        (
            "/decode",
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": SECRET, "expires_in": "soon"})),
        ),
        (
            "/truncated",
            ResponseTemplate::new(200).set_body_string(format!(r#"{{"access_token":"{SECRET}"#)),
        ),
        (
            "/control",
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": format!("{SECRET}\n")})),
        ),
    ];
    for (route, response) in responses {
        Mock::given(path(route))
            .respond_with(response)
            .mount(&server)
            .await;
    }
    for route in ["/rejected", "/status", "/decode", "/truncated", "/control"] {
        let url = format!("{}{route}", server.uri()).parse().unwrap();
        for source in [
            ClientCredentials::json_with_audience(url, "id", secret(), "aud"),
            ClientCredentials::form_basic(
                format!("{}{route}", server.uri()).parse().unwrap(),
                "id",
                secret(),
            ),
        ] {
            let error: TokenError = source.fetch_token().await.expect_err(route);
            assert_hidden(route, &format!("{error} {error:?}"));
        }
    }
}
