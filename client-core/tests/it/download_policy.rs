//! Downloads reach only what the policy allows, every redirect hop re-checked, and no error
//! shows a signed URL's query.

use credit_valuation_core::{DownloadError, Error, Limit, Request};
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
        // IPv6 forms that map to or tunnel IPv4, and IPv6 local ranges.
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data?sig=s3cret",
        "https://[64:ff9b:1::a9fe:a9fe]/a?sig=s3cret",
        "https://[2002:7f00:2::]/a?sig=s3cret",
        "https://[::127.0.0.2]/a?sig=s3cret",
        "https://[::ffff:8.8.8.8]/a?sig=s3cret",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/a?sig=s3cret",
        "https://[fec0::1]/a?sig=s3cret",
        "https://[fd12:3456::1]/a?sig=s3cret",
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
        c.authorization(credit_valuation_core::Authorization::header(
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

/// A download whose connection was never made (the port is closed) reached nobody: `NotSent`,
/// as it is for API calls.
#[tokio::test]
async fn a_download_that_never_connected_is_not_sent() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    // Retries that would wait past the download's deadline are not started: the refused
    // connection is the answer, not the deadline.
    let transport = transport_with(&origin, |config| {
        config
            .retry_policy(credit_valuation_core::RetryPolicy::default().max_attempts(10))
            .limits(
                credit_valuation_core::Limits::default()
                    .download_deadline(std::time::Duration::from_millis(1500)),
            )
    });
    let err = transport
        .download(
            Request::get(url(&origin, "/a.zip?sig=s3cret"), "download a.zip").unauthenticated(),
            &mut tokio::io::sink(),
        )
        .await
        .unwrap_err();
    let DownloadError::Transport(err) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        err.delivery(),
        credit_valuation_core::Delivery::NotSent,
        "{err:?}"
    );
    assert!(!err.to_string().contains("s3cret"), "{err}");
}

/// With `HTTPS_PROXY`, `HTTP_PROXY` and `ALL_PROXY` pointing at a listener, neither an API call
/// nor a download asks it anything: no environment proxy is used (a proxy would resolve
/// `metadata.google.internal` itself, past the download policy). Run in a child process, since
/// the environment is the whole process's.
#[tokio::test]
async fn no_environment_proxy_is_asked() {
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let asked = tokio::spawn(async move { proxy.accept().await.is_ok() });
    let child = crate::support::test_name(module_path!(), "proxy_child");
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new(std::env::current_exe().unwrap())
            .args([&child, "--exact", "--ignored"])
            .env(PROXY_CHILD, "1")
            .env("HTTPS_PROXY", &proxy_url)
            .env("HTTP_PROXY", &proxy_url)
            .env("ALL_PROXY", &proxy_url)
            .env("https_proxy", &proxy_url)
            .env("http_proxy", &proxy_url)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(status.success(), "the child's calls failed");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(!asked.is_finished(), "the environment's proxy was asked");
    asked.abort();
}

const PROXY_CHILD: &str = "CLIENT_CORE_PROXY_CHILD";

#[tokio::test]
#[ignore = "run only as no_environment_proxy_is_asked's child process"]
async fn proxy_child() {
    if std::env::var(PROXY_CHILD).is_err() {
        return;
    }
    let server = MockServer::start().await;
    Mock::given(path("/v1/orders/"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    let api = transport(&format!("{}/v1/", server.uri()));
    let orders: Vec<u32> = api
        .send_json(Request::get(
            url(&server.uri(), "/v1/orders/"),
            "GET orders/",
        ))
        .await
        .expect("the API call goes straight to the server");
    assert!(orders.is_empty());
    let public = transport("https://api.example/v1/");
    let err = public
        .download(
            Request::get(
                url::Url::parse("https://metadata.google.internal/computeMetadata/v1/").unwrap(),
                "download",
            )
            .unauthenticated(),
            &mut tokio::io::sink(),
        )
        .await
        .expect_err("the name is resolved here, and refused or not found");
    let DownloadError::Transport(err) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        err.delivery(),
        credit_valuation_core::Delivery::NotSent,
        "{err:?}"
    );
}
