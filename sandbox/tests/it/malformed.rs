//! Malformed requests to every sandbox endpoint get a 4xx with a JSON body: never a panic, never a
//! 5xx, and the server keeps serving afterwards.

use credit_valuation_sandbox::{Sandbox, fixtures};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{hc, http, innovis_token, one_item_order};

/// Bodies that are not JSON, not an object, or an object whose fields have the wrong types.
fn garbage_bodies() -> Vec<Vec<u8>> {
    let mut bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"{".to_vec(),
        b"not json at all".to_vec(),
        b"\xff\xfe\x00garbage".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"42".to_vec(),
        b"\"a string\"".to_vec(),
        b"{\"a\":1}{\"b\":2}".to_vec(),
        "[".repeat(10_000).into_bytes(),
    ];
    let typed = [
        json!({ "grant_type": 1, "client_id": [], "client_secret": {}, "audience": null }),
        json!({ "grant_type": "client_credentials", "client_id": 7, "client_secret": 8, "audience": 9 }),
        json!({ "productCode": 5, "customerId": [], "applicants": "x" }),
        json!({
            "customerId": fixtures::CR_CUSTOMER_ID, "endUserCode": fixtures::CR_END_USER_CODE,
            "productCode": "CR", "permissiblePurposeCode": fixtures::PERMISSIBLE_PURPOSE,
            "softwareProviderId": "SBX1",
            "applicants": [1, "two", null],
        }),
        json!({
            "customerId": fixtures::CR_CUSTOMER_ID, "endUserCode": fixtures::CR_END_USER_CODE,
            "productCode": "CR", "permissiblePurposeCode": fixtures::PERMISSIBLE_PURPOSE,
            "softwareProviderId": "SBX1",
            "applicants": [{
                "applicantId": "1A", "names": [{ "first": 1, "last": [] }, 3], "ssn": 123456789,
                "dob": 19800412, "phones": [{ "phoneNumber": 5 }], "addresses": "nowhere",
                "ipAddress": "not an ip",
            }],
        }),
        json!({
            "customerId": fixtures::CR_CUSTOMER_ID, "endUserCode": fixtures::CR_END_USER_CODE,
            "productCode": "SECONDUSE", "permissiblePurposeCode": fixtures::PERMISSIBLE_PURPOSE,
            "softwareProviderId": "SBX1", "accessMethod": "ID",
            "originalInquiryDate": "99999-99-99 99:99:99", "reportReferenceNumber": 5,
            "applicants": [{ "consumerId": {} }],
        }),
        json!({ "order_type": ["valueReport"], "name": { "n": 1 }, "items": "x" }),
        json!({ "order_type": "valueReport", "name": "n", "items": [5, null, [], { "address": [] }] }),
        json!({ "order_type": "valueReport", "name": "n", "owner_id": true, "items": { "address": "1 A St" } }),
    ];
    bodies.extend(typed.iter().map(|value| value.to_string().into_bytes()));
    bodies
}

fn assert_client_error(what: &str, status: u16, body: &[u8]) {
    assert!(
        (400..500).contains(&status),
        "{what}: expected a 4xx, got {status} {}",
        String::from_utf8_lossy(body)
    );
    assert!(
        serde_json::from_slice::<Value>(body).is_ok_and(|value| value.is_object()),
        "{what}: the {status} body is not a JSON object: {}",
        String::from_utf8_lossy(body)
    );
}

async fn post_raw(url: url::Url, auth: Option<String>, body: Vec<u8>) -> (u16, Vec<u8>) {
    let mut request = http()
        .post(url)
        .header("Content-Type", "application/json")
        .body(body);
    if let Some(auth) = auth {
        request = request.header("Authorization", header_value(&auth));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// Raw bytes, so that non-ASCII (obs-text) header values reach the server too.
fn header_value(text: &str) -> reqwest::header::HeaderValue {
    reqwest::header::HeaderValue::from_bytes(text.as_bytes()).unwrap()
}

async fn get_raw(url: &str, auth: Option<String>) -> (u16, Vec<u8>) {
    let mut request = http().get(url);
    if let Some(auth) = auth {
        request = request.header("Authorization", header_value(&auth));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn garbage_bodies_get_a_4xx_from_every_post_endpoint() {
    let sandbox = Sandbox::start().await.unwrap();
    let bearer = format!("Bearer {}", innovis_token(&sandbox).await);
    let token = format!("Token {}", sandbox.credentials().housecanary_token);
    let orders = sandbox.housecanary_base_url().join("orders/").unwrap();
    let endpoints = [
        ("token", sandbox.innovis_token_url(), None),
        ("gateway", sandbox.innovis_gateway_url(), Some(bearer)),
        ("orders", orders, Some(token)),
    ];
    for (name, url, auth) in &endpoints {
        for body in garbage_bodies() {
            let what = format!("{name} with {:?}", String::from_utf8_lossy(&body));
            let (status, answer) = post_raw(url.clone(), auth.clone(), body).await;
            assert_client_error(&what, status, &answer);
        }
    }
    // Past the 64 MiB body limit: axum's 413, in the vendor's JSON shape.
    let url = sandbox.innovis_gateway_url();
    let (status, answer) = post_raw(url, None, vec![b' '; 64 * 1024 * 1024 + 1]).await;
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&answer));
    assert_client_error("oversized gateway body", status, &answer);
    assert_eq!(sandbox.stats().orders_created, 0);
    // Still serving.
    assert_eq!(hc(&sandbox, Method::GET, "orders/", None).await.0, 200);
}

#[tokio::test]
async fn malformed_headers_ids_and_queries_get_a_4xx() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = format!("Token {}", sandbox.credentials().housecanary_token);
    let order = one_item_order("Malformed", "1 A St");
    let (status, created) = hc(&sandbox, Method::POST, "orders/", Some(order)).await;
    assert_eq!(status, 201);
    let id = created["id"].as_u64().unwrap();
    let item = created["items"][0]["id"]
        .as_u64()
        .or_else(|| created["order_items"][0]["id"].as_u64())
        .unwrap_or(id + 1);

    for auth in [
        "Bearer",
        "Bearer ",
        "Basic abc",
        "Token",
        "token x",
        "Token t\u{e9}st",
    ] {
        let (status, body) = post_raw(
            sandbox.innovis_gateway_url(),
            Some(auth.to_owned()),
            b"{}".to_vec(),
        )
        .await;
        assert_client_error(&format!("gateway with {auth:?}"), status, &body);
        let url = sandbox.housecanary_base_url().join("orders/").unwrap();
        let (status, body) = get_raw(url.as_str(), Some(auth.to_owned())).await;
        assert_client_error(&format!("orders with {auth:?}"), status, &body);
    }

    let base = sandbox.housecanary_base_url();
    let base = base.as_str();
    let authorized = [
        format!("{base}orders/abc/"),
        format!("{base}orders/-1/"),
        format!("{base}orders/99999999999999999999999/"),
        format!("{base}orders/{id}/items/?page=abc"),
        format!("{base}orders/{id}/items/?page=0"),
        format!("{base}orders/{id}/items/?page=-3"),
        format!("{base}orders/{id}/items/?page=18446744073709551615&page_size=1000"),
        format!("{base}orders/{id}/items/?page=99999999999999999999999"),
        format!("{base}orders/{id}/items/%ZZ/"),
        format!("{base}orders/{id}/items/{item}x/"),
        format!("{base}orders/{id}/items/{item}/pdfdownload/nope"),
        format!("{base}orders/{id}/items/{item}/pdfdownload/ValueReport?signature=zz&expires=x"),
        format!("{base}orders/{id}/export-requests/?page=x"),
        format!("{base}orders/{id}/export-requests/nope/"),
        format!("{base}orders/nope/export-requests/"),
    ];
    for url in &authorized {
        let (status, body) = get_raw(url, Some(token.clone())).await;
        assert_client_error(url, status, &body);
    }
    let exports = [
        format!("{base}orders/{id}/export/zip/?exclude_json=maybe"),
        format!("{base}orders/{id}/export/%00%FF/"),
        format!("{base}orders/nope/export/zip/"),
    ];
    for url in &exports {
        let (status, body) = post_raw(url.parse().unwrap(), Some(token.clone()), Vec::new()).await;
        assert_client_error(url, status, &body);
    }
    let root = sandbox.base_url();
    let root = root.as_str();
    let downloads = [
        format!("{root}downloads/exports/1/x.zip"),
        format!("{root}downloads/exports/1/x.zip?expires=abc&signature=def"),
        format!("{root}downloads/exports/1/x.zip?expires=99999999999999999999999&signature="),
        format!("{root}downloads/exports/abc/x.zip?signature=%FF%FE"),
    ];
    for url in &downloads {
        let (status, body) = get_raw(url, None).await;
        assert_client_error(url, status, &body);
    }
    // Wrong methods: axum's 405, in the vendor's JSON shape too.
    for (method, url) in [
        (Method::GET, sandbox.innovis_token_url()),
        (Method::DELETE, sandbox.innovis_gateway_url()),
        (
            Method::PUT,
            sandbox.housecanary_base_url().join("orders/").unwrap(),
        ),
    ] {
        let response = http()
            .request(method.clone(), url.clone())
            .header("Authorization", token.clone())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        assert_client_error(&format!("{method} {url}"), status, &body);
    }
    assert_eq!(hc(&sandbox, Method::GET, "orders/", None).await.0, 200);
}
