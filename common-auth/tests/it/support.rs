//! Helpers shared by several test modules: token endpoints on a mock server, header maps and
//! one callout authenticator of every scheme.

use common_auth::{CalloutAuth, ClientCredentials, SecretString};
use http::{HeaderMap, HeaderName, HeaderValue};
use wiremock::MockServer;

/// Innovis-style client credentials (a JSON body with an audience) for `server`'s
/// `/oauth/token`.
pub fn innovis_credentials(
    server: &MockServer,
    client_id: &str,
    secret: &str,
) -> ClientCredentials {
    ClientCredentials::json_with_audience(
        format!("{}/oauth/token", server.uri()).parse().unwrap(),
        client_id,
        SecretString::from(secret),
        "innovisgateway",
    )
}

/// RFC 6749-style client credentials (a form with HTTP Basic client authentication) for
/// `server`'s `/token`.
pub fn rfc6749_credentials(
    server: &MockServer,
    client_id: &str,
    secret: &str,
) -> ClientCredentials {
    ClientCredentials::form_basic(
        format!("{}/token", server.uri()).parse().unwrap(),
        client_id,
        SecretString::from(secret),
    )
}

/// A header map of `(name, value)` pairs.
pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(name, value)| {
            (
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            )
        })
        .collect()
}

/// One authenticator of each scheme, all with `secret`: Basic (as `username`), a token in the
/// `x-token` header, a token in the `token` query parameter, and HMAC-SHA1 in `x-signature`
/// (always last).
pub fn every_callout_scheme(username: &str, secret: &str) -> [CalloutAuth; 4] {
    let secret = || SecretString::from(secret.to_owned());
    [
        CalloutAuth::basic(username, secret()).expect("non-empty callout credentials"),
        CalloutAuth::header_token(HeaderName::from_static("x-token"), secret())
            .expect("non-empty callout credentials"),
        CalloutAuth::query_token("token", secret()).expect("non-empty callout credentials"),
        CalloutAuth::hmac_sha1(HeaderName::from_static("x-signature"), secret())
            .expect("non-empty callout credentials"),
    ]
}
