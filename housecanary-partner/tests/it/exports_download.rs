//! Downloads from signed URLs (no Authorization header) and item PDFs (with it).

use housecanary_partner::Error;
use housecanary_partner::exports::ExportRequest;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TOKEN, client_for};

/// A body larger than one chunk, with a recognisable pattern.
fn archive_bytes() -> Vec<u8> {
    (0..300_000_u32).map(|n| (n % 251) as u8).collect()
}

fn complete_export(server: &MockServer) -> ExportRequest {
    serde_json::from_value(json!({
        "id": 31, "status": "complete", "percent_complete": 100,
        "exported_data": format!("{}/signed/HC_march_2026-03-04.zip?X-Signature=s3cr3t&Expires=99", server.uri())
    }))
    .unwrap()
}

async fn mount_archive(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/signed/HC_march_2026-03-04.zip"))
        .and(query_param("X-Signature", "s3cr3t"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(archive_bytes()))
        .expect(1)
        .mount(server)
        .await;
}

async fn assert_no_authorization_header(server: &MockServer) {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].headers.get("authorization").is_none(),
        "a signed URL must be fetched without the token"
    );
}

#[tokio::test]
async fn an_export_downloads_into_a_writer_without_the_authorization_header() {
    let server = MockServer::start().await;
    mount_archive(&server).await;
    let client = client_for(&server);

    let mut out = Vec::new();
    let written = client
        .download_export(&complete_export(&server), &mut out)
        .await
        .unwrap();

    assert_eq!(written, 300_000);
    assert_eq!(out, archive_bytes());
    assert_no_authorization_header(&server).await;
}

#[tokio::test]
async fn an_export_downloads_into_a_file() {
    let server = MockServer::start().await;
    mount_archive(&server).await;
    let dir = std::env::temp_dir().join(format!("hc-download-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("archive.zip");

    let written = client_for(&server)
        .download_export_to_file(&complete_export(&server), &target)
        .await
        .unwrap();

    assert_eq!(written, 300_000);
    assert_eq!(std::fs::read(&target).unwrap(), archive_bytes());
    assert!(!dir.join("archive.zip.part").exists());
    assert_no_authorization_header(&server).await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_expired_signature_is_an_api_error_without_the_signature_and_no_file() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/signed/HC_march_2026-03-04.zip"))
        .respond_with(
            ResponseTemplate::new(403).set_body_string("<Error><Code>AccessDenied</Code></Error>"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = std::env::temp_dir().join(format!("hc-expired-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("archive.zip");

    let err = client_for(&server)
        .download_export_to_file(&complete_export(&server), &target)
        .await
        .unwrap_err();

    assert_eq!(err.status(), Some(403));
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    assert!(!format!("{err:?}").contains("s3cr3t"), "{err:?}");
    assert!(!target.exists());
    assert!(!dir.join("archive.zip.part").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_unfinished_export_is_not_downloaded() {
    let server = MockServer::start().await;
    let export: ExportRequest =
        serde_json::from_value(json!({"id": 31, "status": "inProgress"})).unwrap();

    let err = client_for(&server)
        .download_export(&export, &mut Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnexpectedResponse { .. }), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_item_pdf_is_fetched_through_the_api_with_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/partner-api/v1/orders/881/items/4/pdfdownload/value_report",
        ))
        .and(header("authorization", format!("Token {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"%PDF-1.4 tiny".to_vec()))
        .expect(1)
        .mount(&server)
        .await;

    let mut pdf = Vec::new();
    let written = client_for(&server)
        .item_pdf_download(881_u64, 4_u64, "value_report", &mut pdf)
        .await
        .unwrap();
    assert_eq!(written, 13);
    assert_eq!(pdf, b"%PDF-1.4 tiny");
}

#[tokio::test]
async fn a_download_follows_a_redirect_to_the_storage_host() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/signed/HC_march_2026-03-04.zip"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/storage/archive.zip"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/storage/archive.zip"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(archive_bytes()))
        .expect(1)
        .mount(&server)
        .await;

    let mut out = Vec::new();
    let written = client_for(&server)
        .download_export(&complete_export(&server), &mut out)
        .await
        .unwrap();
    assert_eq!(written, archive_bytes().len() as u64);
    assert_eq!(out, archive_bytes());
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("authorization").is_none()),
        "neither the signed URL nor the storage host may receive the token"
    );
}
