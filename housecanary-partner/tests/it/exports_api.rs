//! Export requests: create, get, list, wait with progress.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use housecanary_partner::exports::{CreateExport, ExportFormat, WaitOptions};
use housecanary_partner::status::ExportStatus;
use housecanary_partner::{Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TOKEN, fast_retries, paused_clock_client};

const EXPORT_PATH: &str = "/partner-api/v1/orders/881/export-requests/31/";

#[tokio::test]
async fn create_export_posts_format_and_exclude_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/partner-api/v1/orders/881/export/zip/"))
        .and(query_param("exclude_json", "true"))
        .and(header("authorization", format!("Token {TOKEN}").as_str()))
        .and(body_string(""))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": 31, "status": "pending", "percent_complete": 0,
            "check_status_url": "/partner-api/v1/orders/881/export-requests/31/",
            "exclude_json": true, "exported_data": null, "requested_by": "partner"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let export = paused_clock_client(&server, fast_retries())
        .create_export(
            &CreateExport::new(881_u64)
                .format(ExportFormat::Zip)
                .exclude_json(true),
        )
        .await
        .unwrap();
    assert_eq!(export.id.to_string(), "31");
    assert_eq!(export.status, Some(ExportStatus::Pending));
    assert_eq!(export.exclude_json, Some(true));
    assert_eq!(export.exported_data, None);
    assert_eq!(export.extra["requested_by"], json!("partner"));
}

#[tokio::test]
async fn any_format_string_is_sent_as_given() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/partner-api/v1/orders/881/export/csv/"))
        .and(query_param("exclude_json", "false"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "exp-1", "status": "queuedForBuild"})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let export = paused_clock_client(&server, fast_retries())
        .create_export(&CreateExport::new(881_u64).format("csv"))
        .await
        .unwrap();
    assert_eq!(
        export.status,
        Some(ExportStatus::Other("queuedForBuild".into()))
    );
}

#[tokio::test]
async fn get_and_list_export_requests() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(EXPORT_PATH))
        .and(header("authorization", format!("Token {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 31, "status": "complete", "percent_complete": "100",
            "completed_at": "2026-03-04T12:00:00Z",
            "exported_data": "https://storage.example/x.zip?sig=abc"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/881/export-requests/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 2, "next": null, "previous": null,
            "results": [{"id": 30, "status": "failed"}, {"id": 31, "status": "complete"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = paused_clock_client(&server, fast_retries());

    let export = client.get_export_request(881_u64, 31_u64).await.unwrap();
    assert!(export.is_complete());
    assert_eq!(export.percent_complete, Some(100.0));

    let all = client.list_export_requests(881_u64).await.unwrap();
    let statuses: Vec<_> = all.iter().map(|e| e.status.clone()).collect();
    assert_eq!(
        statuses,
        [Some(ExportStatus::Failed), Some(ExportStatus::Complete)]
    );
}

async fn mount_progress(server: &MockServer, states: &[serde_json::Value]) {
    for state in states {
        Mock::given(method("GET"))
            .and(path(EXPORT_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(state))
            .up_to_n_times(1)
            .expect(1)
            .mount(server)
            .await;
    }
}

#[tokio::test(start_paused = true)]
async fn wait_for_export_polls_until_complete_reporting_progress() {
    let server = MockServer::start().await;
    mount_progress(
        &server,
        &[
            json!({"id": 31, "status": "pending", "percent_complete": 0}),
            json!({"id": 31, "status": "inProgress", "percent_complete": 40}),
            json!({"id": 31, "status": "inProgress", "percent_complete": 85.5}),
            json!({"id": 31, "status": "complete", "percent_complete": 100,
                   "exported_data": "https://storage.example/x.zip?sig=abc"}),
        ],
    )
    .await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let options = WaitOptions::default()
        .initial_interval(Duration::from_secs(1))
        .on_progress(move |e| sink.lock().unwrap().push(e.percent_complete));

    let started = tokio::time::Instant::now();
    let done = paused_clock_client(&server, fast_retries())
        .wait_for_export(881_u64, 31_u64, options)
        .await
        .unwrap();
    assert!(done.is_complete());
    assert_eq!(
        *seen.lock().unwrap(),
        [Some(0.0), Some(40.0), Some(85.5), Some(100.0)]
    );
    // Backoff: 1 s + 2 s + 4 s between the four polls.
    assert!(
        started.elapsed() >= Duration::from_secs(7),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_export_ends_the_wait_with_its_status() {
    let server = MockServer::start().await;
    mount_progress(
        &server,
        &[
            json!({"id": 31, "status": "inProgress", "percent_complete": 10}),
            json!({"id": 31, "status": "failed"}),
        ],
    )
    .await;

    let err = paused_clock_client(&server, fast_retries())
        .wait_for_export(881_u64, 31_u64, WaitOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ExportFailed { export_id, status: ExportStatus::Failed } if export_id == "31"),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_wait_gives_up_at_its_deadline() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(EXPORT_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 31, "status": "inProgress", "percent_complete": 50})),
        )
        .mount(&server)
        .await;
    let options = WaitOptions::default()
        .initial_interval(Duration::from_secs(10))
        .max_interval(Duration::from_secs(10))
        .timeout(Duration::from_secs(35));

    let err = paused_clock_client(&server, fast_retries())
        .wait_for_export(881_u64, 31_u64, options)
        .await
        .unwrap_err();
    match err {
        Error::WaitExpired { operation } => {
            assert!(operation.contains("export 31 of order 881"), "{operation}");
            assert!(
                operation.contains("inProgress, 50% complete"),
                "{operation}"
            );
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    // Polls at 0, 10, 20, 30 and a last one at the 35 s deadline.
    let polls = server.received_requests().await.unwrap().len();
    assert_eq!(polls, 5);
}

#[tokio::test(start_paused = true)]
async fn a_poll_does_not_retry_past_the_deadline() {
    let server = MockServer::start().await;
    mount_progress(
        &server,
        &[json!({"id": 31, "status": "inProgress", "percent_complete": 20})],
    )
    .await;
    // The server asks for an hour, far past the wait's one-minute deadline.
    Mock::given(method("GET"))
        .and(path(EXPORT_PATH))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "3600"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(EXPORT_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": 31, "status": "complete"})),
        )
        .expect(0)
        .mount(&server)
        .await;
    let client = paused_clock_client(
        &server,
        RetryPolicy::default().max_retry_after(Duration::from_secs(7200)),
    );
    let options = WaitOptions::default()
        .initial_interval(Duration::from_secs(1))
        .timeout(Duration::from_secs(60));

    let started = tokio::time::Instant::now();
    let err = client
        .wait_for_export(881_u64, 31_u64, options)
        .await
        .unwrap_err();

    assert!(
        started.elapsed() <= Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(err, Error::Api { status: 503, retry_after: Some(d), .. } if d == Duration::from_secs(3600)),
        "{err:?}"
    );
}
