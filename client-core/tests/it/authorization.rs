//! A cached bearer is resent exactly once after a 401; a static header is never resent.

use std::sync::atomic::Ordering;

use common_auth::{SecretString, StaticToken};
use credit_valuation_core::{Authorization, Delivery, Request};
use wiremock::matchers::header;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{counting_bearer, transport_with, url};

#[tokio::test]
async fn a_401_refreshes_the_bearer_and_resends_once() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer token-2"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&server)
        .await;
    let (authorization, fetched) = counting_bearer();
    let transport = transport_with(&server.uri(), |c| c.authorization(authorization));
    transport
        .send(Request::post(
            url(&server.uri(), "/inquiry"),
            "POST inquiry",
        ))
        .await
        .unwrap();
    assert_eq!(fetched.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_401_is_returned_not_resent_again() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let (authorization, _) = counting_bearer();
    let transport = transport_with(&server.uri(), |c| c.authorization(authorization));
    let err = transport
        .send(Request::post(
            url(&server.uri(), "/inquiry"),
            "POST inquiry",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.delivery(), Delivery::Rejected);
}

#[tokio::test]
async fn a_static_header_is_sent_and_a_401_is_final() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Token s3cret"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let token = StaticToken::new(SecretString::from("s3cret"));
    let transport = transport_with(&server.uri(), |c| {
        c.authorization(Authorization::header(token.authorization_header()))
    });
    let err = transport
        .send(Request::get(url(&server.uri(), "/orders/"), "GET orders/"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(!format!("{err:?} {err} {transport:?}").contains("s3cret"));
}

#[tokio::test]
async fn the_credential_never_leaves_the_api_origin() {
    let api = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&elsewhere)
        .await;
    let token = StaticToken::new(SecretString::from("s3cret"));
    let transport = transport_with(&api.uri(), |c| {
        c.authorization(Authorization::header(token.authorization_header()))
    });
    transport
        .send(Request::get(url(&elsewhere.uri(), "/x"), "GET x"))
        .await
        .unwrap();
    let seen = elsewhere.received_requests().await.unwrap();
    assert!(seen[0].headers.get("authorization").is_none());
}
