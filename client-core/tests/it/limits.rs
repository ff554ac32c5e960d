//! Every limit ends in a typed error naming it, with peak memory growing by less than 64 MiB.

use credit_valuation_core::{Delivery, DownloadError, Error, Limit, Request};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    MEMORY_TESTS, MIB, chunk_frame, endless_server, peak_growth, small_limits, transport_with, url,
};

const CHUNKED: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
const TWO_GIB: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2147483648\r\n\r\n";
const ERROR_CHUNKED: &str =
    "HTTP/1.1 500 Internal Server Error\r\ntransfer-encoding: chunked\r\n\r\n";

#[tokio::test]
async fn an_endless_chunked_json_body_stops_at_the_limit() {
    let _serial = MEMORY_TESTS.lock().await;
    let base = endless_server(CHUNKED, chunk_frame(64 * 1024)).await;
    let transport = transport_with(&base, |c| c.limits(small_limits()));
    let (result, growth) =
        peak_growth(transport.send(Request::get(url(&base, "/report"), "GET report"))).await;
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            Error::LimitExceeded {
                limit: Limit::JsonBody(_),
                delivery: Delivery::Processed,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("JSON body limit of 1048576 bytes"),
        "{err}"
    );
    assert!(growth < 64 * MIB, "grew {growth} bytes");
}

#[tokio::test]
async fn a_declared_2_gib_body_is_refused_before_it_is_read() {
    let _serial = MEMORY_TESTS.lock().await;
    let base = endless_server(TWO_GIB, vec![b'x'; 64 * 1024]).await;
    // The default 16 MiB limit.
    let transport = transport_with(&base, |c| c);
    let (result, growth) =
        peak_growth(transport.send(Request::get(url(&base, "/big"), "GET big"))).await;
    assert!(
        matches!(
            result,
            Err(Error::LimitExceeded {
                limit: Limit::JsonBody(16_777_216),
                ..
            })
        ),
        "{result:?}"
    );
    assert!(growth < 64 * MIB, "grew {growth} bytes");
}

#[tokio::test]
async fn an_endless_error_body_is_read_to_64_kib_only() {
    let _serial = MEMORY_TESTS.lock().await;
    let base = endless_server(ERROR_CHUNKED, chunk_frame(64 * 1024)).await;
    let transport = transport_with(&base, |c| c);
    let (result, growth) =
        peak_growth(transport.send(Request::post(url(&base, "/i"), "POST i"))).await;
    match result.unwrap_err() {
        Error::Status {
            status: 500, body, ..
        } => assert_eq!(body.as_bytes().len(), 64 * 1024),
        other => panic!("{other:?}"),
    }
    assert!(growth < 64 * MIB, "grew {growth} bytes");
}

#[tokio::test]
async fn an_endless_download_stops_at_its_byte_cap() {
    let _serial = MEMORY_TESTS.lock().await;
    let base = endless_server(CHUNKED, chunk_frame(64 * 1024)).await;
    let transport = transport_with(&base, |c| c.limits(small_limits()));
    let mut sink = tokio::io::sink();
    let request =
        Request::get(url(&base, "/a.zip?signature=s3cret"), "download a.zip").unauthenticated();
    let (result, growth) = peak_growth(transport.download(request, &mut sink)).await;
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            DownloadError::Transport(Error::LimitExceeded {
                limit: Limit::DownloadBytes(_),
                ..
            })
        ),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("s3cret"));
    assert!(growth < 64 * MIB, "grew {growth} bytes");
}

#[tokio::test]
async fn a_stalled_download_ends_at_its_deadline() {
    let server = MockServer::start().await;
    Mock::given(path("/slow.zip"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(10)))
        .mount(&server)
        .await;
    let transport = transport_with(&server.uri(), |c| c.limits(small_limits()));
    let mut sink = tokio::io::sink();
    let err = transport
        .download(
            Request::get(url(&server.uri(), "/slow.zip"), "download slow.zip"),
            &mut sink,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DownloadError::Transport(Error::LimitExceeded {
                limit: Limit::DownloadDeadline(_),
                ..
            })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_list_ends_at_the_page_limit() {
    let transport = transport_with("https://api.example/v1/", |c| c.limits(small_limits()));
    let first = url("https://api.example/v1/", "orders/");
    let operation = "GET orders/".into();
    let mut pages = transport.pages(&first);
    let mut current = first;
    for page in 2..=3 {
        current = pages
            .follow(&current, &format!("?page={page}"), 10, &operation)
            .unwrap();
    }
    let err = pages
        .follow(&current, "?page=4", 10, &operation)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LimitExceeded {
                limit: Limit::Pages(3),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(pages.count(), 3);
}
