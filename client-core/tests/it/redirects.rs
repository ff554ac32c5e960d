//! API calls never follow a redirect, whatever HTTP client was injected, and are never resent.

use credit_valuation_core::{Delivery, Error, Request};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{transport, transport_with, url};

#[tokio::test]
async fn an_injected_client_that_follows_a_307_is_refused_and_nothing_is_resent() {
    let server = MockServer::start().await;
    Mock::given(path("/orders/"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/moved/?sig=secret"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/moved/"))
        .respond_with(ResponseTemplate::new(201).set_body_string("{}"))
        .expect(1)
        .mount(&server)
        .await;
    // reqwest::Client::new() follows up to 10 redirects.
    let transport = transport_with(&server.uri(), |c| c.http_client(reqwest::Client::new()));
    let err = transport
        .send(Request::post(url(&server.uri(), "/orders/"), "POST orders/").json_body("{}"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Redirected { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::MayHaveBeenProcessed);
    assert!(!err.to_string().contains("secret"), "{err}");
}

#[tokio::test]
async fn our_own_client_reports_the_redirect_status_without_following() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(308).insert_header("location", "/elsewhere"))
        .expect(1)
        .mount(&server)
        .await;
    let err = transport(&server.uri())
        .send(Request::post(
            url(&server.uri(), "/orders/"),
            "POST orders/",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(308));
}
