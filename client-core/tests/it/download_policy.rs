//! Downloads reach only what the policy allows, every redirect hop re-checked, and no error
//! shows a signed URL's query.

use client_core::{DownloadError, Error, Limit, Request};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{transport, transport_with, url};

fn refused(result: Result<u64, DownloadError>) -> (String, String) {
    match result {
        Err(DownloadError::Transport(Error::DownloadRefused { url, reason, .. })) => (url, reason),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_public_api_refuses_private_link_local_loopback_and_plain_http_targets() {
    let transport = transport("https://api.example/v1/");
    for target in [
        "https://169.254.169.254/latest/meta-data/?sig=s3cret",
        "https://127.0.0.1:9000/a.zip?sig=s3cret",
        "https://10.0.0.8/a.zip?sig=s3cret",
        "https://[::1]/a.zip?sig=s3cret",
        "http://storage.example/a.zip?sig=s3cret",
        "https://user:pw@storage.example/a.zip?sig=s3cret",
    ] {
        let mut sink = tokio::io::sink();
        let request = Request::get(url::Url::parse(target).unwrap(), "download").unauthenticated();
        let (shown, reason) = refused(transport.download(request, &mut sink).await);
        assert!(
            !shown.contains("s3cret") && !shown.contains("pw"),
            "{shown}"
        );
        assert!(!reason.is_empty());
    }
}

#[tokio::test]
async fn a_loopback_api_may_download_from_loopback() {
    let server = MockServer::start().await;
    Mock::given(path("/a.zip"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![7_u8; 1000]))
        .mount(&server)
        .await;
    let mut out = Vec::new();
    let written = transport(&server.uri())
        .download(
            Request::get(url(&server.uri(), "/a.zip?sig=1"), "download").unauthenticated(),
            &mut out,
        )
        .await
        .unwrap();
    assert_eq!(written, 1000);
    assert_eq!(out.len(), 1000);
}

#[tokio::test]
async fn every_redirect_hop_is_checked() {
    let server = MockServer::start().await;
    Mock::given(path("/a.zip"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", "http://storage.example/a.zip?sig=s3cret"),
        )
        .mount(&server)
        .await;
    let mut sink = tokio::io::sink();
    let (shown, reason) = refused(
        transport(&server.uri())
            .download(
                Request::get(url(&server.uri(), "/a.zip"), "download"),
                &mut sink,
            )
            .await,
    );
    assert_eq!(shown, "http://storage.example/a.zip");
    assert!(reason.contains("https"), "{reason}");
}

#[tokio::test]
async fn at_most_five_redirects_are_followed() {
    let server = MockServer::start().await;
    for hop in 0..10 {
        Mock::given(path(format!("/hop{hop}")))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("location", format!("/hop{}", hop + 1).as_str()),
            )
            .mount(&server)
            .await;
    }
    let mut sink = tokio::io::sink();
    let err = transport(&server.uri())
        .download(
            Request::get(url(&server.uri(), "/hop0"), "download"),
            &mut sink,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DownloadError::Transport(Error::LimitExceeded {
                limit: Limit::Redirects(5),
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
}

#[tokio::test]
async fn a_redirect_elsewhere_drops_the_credential() {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    Mock::given(path("/pdf"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/file.pdf", storage.uri()).as_str()),
        )
        .mount(&api)
        .await;
    Mock::given(path("/file.pdf"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"%PDF".to_vec()))
        .mount(&storage)
        .await;
    let token = common_auth::StaticToken::new(secrecy::SecretString::from("s3cret"));
    let transport = transport_with(&api.uri(), |c| {
        c.authorization(client_core::Authorization::header(
            token.authorization_header(),
        ))
    });
    let mut out = Vec::new();
    transport
        .download(Request::get(url(&api.uri(), "/pdf"), "GET pdf"), &mut out)
        .await
        .unwrap();
    assert_eq!(out, b"%PDF");
    let to_api = api.received_requests().await.unwrap();
    assert!(to_api[0].headers.get("authorization").is_some());
    let to_storage = storage.received_requests().await.unwrap();
    assert!(to_storage[0].headers.get("authorization").is_none());
}
