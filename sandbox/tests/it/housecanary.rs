//! The HouseCanary simulator over raw HTTP: auth, owner pairs, order rules, the lifecycle with
//! verified callouts, pagination, exports and signed downloads.

use std::io::Read;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use credit_valuation_sandbox::{Sandbox, SandboxConfig, TestCredentials, fixtures};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{CalloutReceiver, eventually, hc, http, item, one_item_order};

fn fast() -> SandboxConfig {
    SandboxConfig::default()
        .step_interval(Duration::from_millis(10))
        .redelivery_interval(Duration::from_millis(10))
}

fn today_la() -> String {
    jiff::Timestamp::now()
        .in_tz("America/Los_Angeles")
        .unwrap()
        .date()
        .to_string()
}

async fn wait_for_status(sandbox: &Sandbox, order_id: u64, wanted: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, order) = hc(sandbox, Method::GET, &format!("orders/{order_id}/"), None).await;
        assert_eq!(status, 200);
        if order["status"] == wanted {
            return order;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "order never became {wanted}: {order}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn partner_api_needs_the_token_keyword_and_the_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = sandbox.housecanary_base_url().join("orders/").unwrap();
    let token = &sandbox.credentials().housecanary_token;
    for header in [
        None,
        Some(format!("Bearer {token}")),
        Some(token.clone()),
        Some("Token wrong".to_owned()),
    ] {
        let mut request = http().get(url.clone());
        if let Some(header) = &header {
            request = request.header("Authorization", header);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{header:?}");
        assert_eq!(response.headers()["www-authenticate"], "Token");
        let body: Value = response.json().await.unwrap();
        assert!(body["detail"].is_string());
    }
    let (status, body) = hc(&sandbox, Method::GET, "orders/", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], 0);
}

#[tokio::test]
async fn order_field_rules_and_owner_pairs() {
    let sandbox = Sandbox::start_with(fast()).await.unwrap();
    let credentials = sandbox.credentials().clone();
    let cases = [
        (
            json!({ "order_type": "valueReport", "items": [item("1 A St", "94103")] }),
            "name",
            json!(["This field is required."]),
        ),
        (
            json!({ "order_type": "avm", "name": "n", "items": [item("1 A St", "94103")] }),
            "order_type",
            json!(["\"avm\" is not a valid choice."]),
        ),
        (
            json!({ "order_type": "valueReport", "name": "n", "items": [] }),
            "items",
            json!(["This list may not be empty."]),
        ),
        (
            json!({ "order_type": "valueReport", "name": "n" }),
            "items",
            json!(["This field is required."]),
        ),
        (
            json!({ "order_type": "valueReport", "name": "n", "items": [item("1 A St", "94103"), { "zipcode": "94103" }] }),
            "items",
            json!([{}, { "address": ["This field is required."] }]),
        ),
        (
            json!({ "order_type": "valueReport", "name": "n", "owner_id": credentials.owner_id, "items": [item("1 A St", "94103")] }),
            "non_field_errors",
            json!(["owner_organization_id and owner_id must be given together."]),
        ),
    ];
    for (body, field, expected) in cases {
        let (status, errors) = hc(&sandbox, Method::POST, "orders/", Some(body)).await;
        assert_eq!(status, 400, "{errors}");
        assert_eq!(errors[field], expected, "{errors}");
    }
    let stranger = json!({
        "order_type": "valueReport", "name": "n", "owner_organization_id": "9", "owner_id": "9",
        "items": [item("1 A St", "94103")],
    });
    let (status, body) = hc(&sandbox, Method::POST, "orders/", Some(stranger)).await;
    assert_eq!(status, 403);
    assert!(body["detail"].is_string());
    // Integer ids are accepted as well as strings.
    let numeric: u64 = credentials.owner_organization_id.parse().unwrap();
    let owned = json!({
        "order_type": "valueReport", "name": "Owned", "customer_order_id": "PO-1",
        "owner_organization_id": numeric, "owner_id": credentials.owner_id,
        "fsd_threshold": 0.2,
        "items": [item("1 A St", "94103")],
    });
    let (status, order) = hc(&sandbox, Method::POST, "orders/", Some(owned)).await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["status"], "new");
    assert_eq!(order["order_type"], "valueReport");
    assert_eq!(order["customer_order_id"], "PO-1");
    assert_eq!(
        order["owner_organization_id"],
        credentials.owner_organization_id.as_str()
    );
    assert_eq!(order["fsd_threshold"], 0.2);
    assert_eq!(sandbox.stats().orders_created, 1);
}

#[tokio::test]
async fn an_order_completes_with_signed_callouts_and_cancels_bad_items() {
    let credentials = TestCredentials::default();
    let mut receiver = CalloutReceiver::start(credentials.hmac_callout_auth(), 0).await;
    let config = fast().callout_target(receiver.url.clone(), credentials.hmac_callout_auth());
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let order = json!({
        "order_type": "valueReport",
        "name": "Lifecycle",
        "customer_order_id": "PO-7",
        "items": [
            { "address": "123 Main St", "zipcode": "94103", "customer_item_id": "LOAN-1", "external_integration_id": "ext-1" },
            { "address": "1 INVALID Way", "zipcode": "94103", "customer_item_id": "LOAN-2" },
            { "address": "9 Nowhere Ln", "state": "CA", "customer_item_id": "LOAN-3" },
        ],
    });
    let (status, created) = hc(&sandbox, Method::POST, "orders/", Some(order)).await;
    assert_eq!(status, 201);
    let order_id = created["id"].as_u64().unwrap();

    let messages = receiver
        .collect_until(|m| {
            m["message_type"] == "order_status_change" && m["new_status"] == "complete"
        })
        .await;
    assert_eq!(receiver.rejected(), 0, "every callout verified");
    let of_item = |customer_item_id: &str| -> Vec<&Value> {
        messages
            .iter()
            .filter(|m| m["customer_item_id"] == customer_item_id)
            .collect()
    };
    let cancelled = |customer_item_id: &str| {
        of_item(customer_item_id)
            .into_iter()
            .find(|m| m["new_status"] == "cancelled")
            .unwrap_or_else(|| panic!("{customer_item_id} was not cancelled"))
            .clone()
    };
    assert_eq!(
        cancelled("LOAN-2")["reason"],
        fixtures::INVALID_ADDRESS_REASON
    );
    assert_eq!(
        cancelled("LOAN-3")["validation_errors"],
        json!([fixtures::MISSING_LOCATION_REASON])
    );
    let statuses: Vec<&str> = of_item("LOAN-1")
        .iter()
        .filter(|m| m["message_type"] == "order_item_status_change")
        .map(|m| m["new_status"].as_str().unwrap())
        .collect();
    for wanted in ["accepted", "reportPending", "complete"] {
        assert!(statuses.contains(&wanted), "LOAN-1 statuses {statuses:?}");
    }
    let complete = messages
        .iter()
        .find(|m| m["message_type"] == "order_complete")
        .unwrap();
    assert_eq!(complete["customer_order_id"], "PO-7");
    assert_eq!(complete["order_id"], order_id.to_string());
    assert_eq!(complete["external_integration_ids"], json!(["ext-1"]));
    let report = STANDARD
        .decode(complete["report"].as_str().unwrap())
        .unwrap();
    assert!(report.starts_with(b"%PDF-1.4"));
    let download = http()
        .get(complete["download_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.bytes().await.unwrap(), report);
    let ids: std::collections::HashSet<&str> = messages
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), messages.len(), "message ids are unique");

    let order = wait_for_status(&sandbox, order_id, "complete").await;
    assert_eq!(order["completed"], true);
    assert_eq!(order["actual_delivery_date"], today_la());
    assert_eq!(order["summary_data"]["cancelled"], 2);
    let (_, items) = hc(
        &sandbox,
        Method::GET,
        &format!("orders/{order_id}/items/"),
        None,
    )
    .await;
    let results = items["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["status"], "complete");
    assert_eq!(results[0]["completion_date"], today_la());
    assert_eq!(
        results[0]["available_downloadables"][0]["key"],
        "value_report"
    );
    assert_eq!(results[1]["status"], "cancelled");
    let item_id = results[0]["id"].as_u64().unwrap();
    let path = format!("orders/{order_id}/items/{item_id}/pdfdownload/value_report");
    let url = sandbox.housecanary_base_url().join(&path).unwrap();
    let unauthenticated = http().get(url).send().await.unwrap();
    assert_eq!(
        unauthenticated.status(),
        401,
        "an unsigned PDF link needs the token"
    );
    let (status, _) = hc(
        &sandbox,
        Method::GET,
        &format!("orders/{order_id}/items/{item_id}/"),
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn callouts_work_under_every_auth_scheme() {
    let credentials = TestCredentials::default();
    for auth in [
        credentials.hmac_callout_auth(),
        credentials.header_token_callout_auth(),
        credentials.query_token_callout_auth(),
        credentials.basic_callout_auth(),
    ] {
        let mut receiver = CalloutReceiver::start(auth.clone(), 0).await;
        let sandbox =
            Sandbox::start_with(fast().callout_target(receiver.url.clone(), auth.clone()))
                .await
                .unwrap();
        let order = one_item_order("Schemes", "1 A St");
        assert_eq!(
            hc(&sandbox, Method::POST, "orders/", Some(order)).await.0,
            201
        );
        receiver
            .collect_until(|m| m["message_type"] == "order_status_change")
            .await;
        assert_eq!(receiver.rejected(), 0, "{auth:?}");
        sandbox.shutdown().await;
    }
    // A receiver with another secret rejects every callout.
    let mut wrong = credentials.clone();
    wrong.callout_secret = "another-secret-value".to_owned();
    let receiver = CalloutReceiver::start(wrong.hmac_callout_auth(), 0).await;
    let sandbox = Sandbox::start_with(
        fast()
            .max_delivery_attempts(1)
            .callout_target(receiver.url.clone(), credentials.hmac_callout_auth()),
    )
    .await
    .unwrap();
    let order = one_item_order("Wrong", "1 A St");
    assert_eq!(
        hc(&sandbox, Method::POST, "orders/", Some(order)).await.0,
        201
    );
    eventually(|| receiver.rejected() >= 1).await;
}

#[tokio::test]
async fn item_lists_paginate_with_absolute_next_links() {
    let sandbox = Sandbox::start_with(fast().page_size(2)).await.unwrap();
    let items: Vec<Value> = (0..5)
        .map(|n| item(&format!("{n} Elm St"), "94103"))
        .collect();
    let order = json!({ "order_type": "valueReport", "name": "Pages", "items": items });
    let (_, created) = hc(&sandbox, Method::POST, "orders/", Some(order)).await;
    let order_id = created["id"].as_u64().unwrap();
    let mut next = Some(
        sandbox
            .housecanary_base_url()
            .join(&format!("orders/{order_id}/items/"))
            .unwrap()
            .to_string(),
    );
    let mut pages = 0;
    let mut addresses = Vec::new();
    while let Some(url) = next {
        let page: Value = http()
            .get(&url)
            .header(
                "Authorization",
                format!("Token {}", sandbox.credentials().housecanary_token),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["count"], 5);
        assert_eq!(page["previous"].is_null(), pages == 0);
        for result in page["results"].as_array().unwrap() {
            addresses.push(result["address"].as_str().unwrap().to_owned());
        }
        next = page["next"].as_str().map(str::to_owned);
        if let Some(next) = &next {
            assert!(
                next.starts_with(sandbox.base_url().as_str()),
                "absolute: {next}"
            );
        }
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(
        addresses,
        (0..5).map(|n| format!("{n} Elm St")).collect::<Vec<_>>()
    );
    let (status, page) = hc(
        &sandbox,
        Method::GET,
        &format!("orders/{order_id}/items/?page=1&page_size=5"),
        None,
    )
    .await;
    assert_eq!((status, page["next"].is_null()), (200, true));
    let (status, body) = hc(
        &sandbox,
        Method::GET,
        &format!("orders/{order_id}/items/?page=9"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (404, Some("Invalid page."))
    );
    let (status, _) = hc(&sandbox, Method::GET, "orders/424242/items/", None).await;
    assert_eq!(status, 404);
}

async fn run_export(
    sandbox: &Sandbox,
    order_id: u64,
    exclude_json: bool,
) -> (Value, Vec<String>, reqwest::Response) {
    let path = format!("orders/{order_id}/export/zip/?exclude_json={exclude_json}");
    let (status, created) = hc(sandbox, Method::POST, &path, None).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["exclude_json"], exclude_json);
    let export_id = created["id"].as_u64().unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut percents = Vec::new();
    let finished = loop {
        let (_, export) = hc(
            sandbox,
            Method::GET,
            &format!("orders/{order_id}/export-requests/{export_id}/"),
            None,
        )
        .await;
        percents.push(export["percent_complete"].as_u64().unwrap());
        if export["status"] == "complete" {
            break export;
        }
        assert!(export["exported_data"].is_null());
        assert!(
            tokio::time::Instant::now() < deadline,
            "export never completed"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(
        percents.windows(2).all(|w| w[0] <= w[1]),
        "progress only grows: {percents:?}"
    );
    assert_eq!(percents.last(), Some(&100));
    let url = finished["exported_data"].as_str().unwrap();
    // No Authorization header: the signature in the URL is the credential.
    let response = http().get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let archive = response.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive.to_vec())).unwrap();
    let mut names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    names.sort();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if entry.name().ends_with(".pdf") {
            assert!(bytes.starts_with(b"%PDF-1.4") && bytes.ends_with(b"%%EOF\n"));
        } else {
            serde_json::from_slice::<Value>(&bytes).unwrap();
        }
    }
    let again = http().get(url).send().await.unwrap();
    (finished, names, again)
}

#[tokio::test]
async fn exports_become_archives_with_the_documented_names() {
    let sandbox = Sandbox::start_with(fast()).await.unwrap();
    let order = json!({
        "order_type": "valueReport",
        "name": "Q3 Portfolio: Crème Brûlée!",
        "items": [
            { "address": "123 Main St.", "unit": "4B", "zipcode": "94103" },
            { "address": "456 Oak Ave", "city": "Austin", "state": "TX", "customer_item_id": "LOAN-9" },
            { "address": "UNAVAILABLE Rd", "zipcode": "94103", "customer_item_id": "LOAN-X" },
        ],
    });
    let (_, created) = hc(&sandbox, Method::POST, "orders/", Some(order)).await;
    let order_id = created["id"].as_u64().unwrap();
    wait_for_status(&sandbox, order_id, "complete").await;
    let today = today_la();

    let (export, names, again) = run_export(&sandbox, order_id, false).await;
    assert_eq!(
        export["file_name"],
        format!("HC_q3-portfolio-creme-brulee_{today}.zip")
    );
    assert!(
        export["exported_data"]
            .as_str()
            .unwrap()
            .contains(&format!("HC_q3-portfolio-creme-brulee_{today}.zip"))
    );
    assert_eq!(
        again.headers()["content-disposition"],
        format!("attachment; filename=\"HC_q3-portfolio-creme-brulee_{today}.zip\"")
    );
    let mut expected = vec![
        format!("123-main-st-4B_{today}_OrderItem.json"),
        format!("123-main-st-4B_{today}_ValueReport.pdf"),
        format!("LOAN-9_{today}_OrderItem.json"),
        format!("LOAN-9_{today}_ValueReport.pdf"),
    ];
    expected.sort();
    assert_eq!(names, expected);

    let (_, names, _) = run_export(&sandbox, order_id, true).await;
    assert!(
        names.iter().all(|name| name.ends_with("_ValueReport.pdf")),
        "{names:?}"
    );
    assert_eq!(names.len(), 2);

    let (_, list) = hc(
        &sandbox,
        Method::GET,
        &format!("orders/{order_id}/export-requests/"),
        None,
    )
    .await;
    assert_eq!(list["count"], 2);
    let (status, body) = hc(
        &sandbox,
        Method::POST,
        &format!("orders/{order_id}/export/pdf/"),
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = hc(
        &sandbox,
        Method::POST,
        &format!("orders/{order_id}/export/zip/?exclude_json=maybe"),
        None,
    )
    .await;
    assert_eq!(status, 400);
}

/// The signed URL of the value report of a one-item order named `name`, once it completed.
async fn completed_report_url(sandbox: &Sandbox, name: &str) -> String {
    let order = one_item_order(name, "1 A St");
    let (_, created) = hc(sandbox, Method::POST, "orders/", Some(order)).await;
    let order_id = created["id"].as_u64().unwrap();
    wait_for_status(sandbox, order_id, "complete").await;
    let (_, items) = hc(
        sandbox,
        Method::GET,
        &format!("orders/{order_id}/items/"),
        None,
    )
    .await;
    items["results"][0]["available_downloadables"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn signed_download_urls_expire_and_resist_tampering() {
    let sandbox = Sandbox::start_with(fast().download_url_ttl(Duration::ZERO))
        .await
        .unwrap();
    let url = completed_report_url(&sandbox, "Expiry").await;
    let response = http().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"], "This download link has expired.");

    let live = Sandbox::start_with(fast()).await.unwrap();
    let url = completed_report_url(&live, "Tamper").await;
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    let tampered = url.replace("signature=", "signature=0");
    assert_eq!(http().get(&tampered).send().await.unwrap().status(), 403);
    let later = url.replace("expires=", "expires=9");
    assert_eq!(http().get(&later).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn a_large_order_delivers_every_callout() {
    const ITEMS: u64 = 300;
    let auth = TestCredentials::default().hmac_callout_auth();
    let receiver = CalloutReceiver::start(auth.clone(), 0).await;
    let sandbox = Sandbox::start_with(fast().callout_target(receiver.url.clone(), auth))
        .await
        .unwrap();
    let items: Vec<Value> = (0..ITEMS)
        .map(|n| item(&format!("{n} Bulk Ave"), "94103"))
        .collect();
    let order = json!({ "order_type": "valueReport", "name": "Bulk", "items": items });
    assert_eq!(
        hc(&sandbox, Method::POST, "orders/", Some(order)).await.0,
        201
    );
    // Per item: accepted, reportPending, complete, order_complete; per order: three status changes.
    let expected = ITEMS * 4 + 3;
    eventually(|| sandbox.stats().callouts_acknowledged == expected).await;
    assert_eq!(receiver.attempts().len() as u64, expected);
    assert_eq!(sandbox.stats().callouts_attempted, expected);
}
