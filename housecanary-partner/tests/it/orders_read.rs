//! `GET orders/{id}/` and `GET orders/{id}/items/` (bare arrays and three pages).

use futures_util::TryStreamExt;
use housecanary_partner::status::{OrderItemStatus, OrderStatus};
use housecanary_partner::{Error, transport};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TOKEN, client_for};

fn item(id: u64, status: &str) -> serde_json::Value {
    json!({"id": id, "status": status, "address": format!("{id} Main St"), "zipcode": "78701"})
}

#[tokio::test]
async fn get_order_keeps_unknown_fields_and_statuses() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/881/"))
        .and(header("authorization", format!("Token {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 881,
            "status": "Complete",
            "actual_delivery_date": "2026-03-04",
            "summary_data": {"complete": 3},
            "billing_code": "Q1"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let order = client_for(&server).get_order(881_u64).await.unwrap();
    assert_eq!(order.status, Some(OrderStatus::Complete));
    assert_eq!(order.actual_delivery_date.as_deref(), Some("2026-03-04"));
    assert_eq!(order.summary_data, Some(json!({"complete": 3})));
    assert_eq!(order.extra["billing_code"], json!("Q1"));
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_a_decode_error_with_its_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/9/items/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            item(1, "new"),
            {"id": 2, "available_downloadables": [{"label": "no key"}]}
        ])))
        .mount(&server)
        .await;

    let err = client_for(&server)
        .list_order_items(9_u64)
        .await
        .unwrap_err();
    match err {
        Error::Decode {
            operation,
            path,
            excerpt,
            ..
        } => {
            assert_eq!(operation, "GET orders/9/items/");
            assert_eq!(path, "[1].available_downloadables[0]");
            // The excerpt quotes the body around the failure.
            assert!(excerpt.contains("no key"), "{excerpt}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bare_array_is_one_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/9/items/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([item(1, "reportPending"), item(2, "qualityReview"),])),
        )
        .expect(1)
        .mount(&server)
        .await;

    let items = client_for(&server).list_order_items(9_u64).await.unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].status, Some(OrderItemStatus::ReportPending));
    assert_eq!(
        items[1].status,
        Some(OrderItemStatus::Other("qualityReview".into()))
    );
}

async fn mount_three_pages(server: &MockServer) {
    let base = format!("{}/partner-api/v1/orders/9/items/", server.uri());
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/9/items/"))
        .and(query_param_is_missing("page"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 5, "next": format!("{base}?page=2"), "previous": null,
            "results": [item(1, "new"), item(2, "new")]
        })))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/9/items/"))
        .and(query_param("page", "2"))
        .and(header("authorization", format!("Token {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 5, "next": format!("{base}?page=3"), "previous": base,
            "results": [item(3, "accepted"), item(4, "complete")]
        })))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/9/items/"))
        .and(query_param("page", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 5, "next": null, "previous": format!("{base}?page=2"),
            "results": [item(5, "cancelled")]
        })))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn pages_are_followed_to_the_end_collected() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;

    let items = client_for(&server).list_order_items(9_u64).await.unwrap();
    let ids: Vec<String> = items.iter().map(|i| i.id.to_string()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    assert_eq!(items[4].status, Some(OrderItemStatus::Cancelled));
}

#[tokio::test]
async fn pages_are_followed_to_the_end_streamed() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;

    let stream = client_for(&server).order_items(9_u64);
    futures_util::pin_mut!(stream);
    let mut seen = Vec::new();
    while let Some(item) = stream.try_next().await.unwrap() {
        seen.push(item.id.to_string());
    }
    assert_eq!(seen, ["1", "2", "3", "4", "5"]);
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/9/items/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 3, "next": "https://evil.example/steal?page=2", "previous": null,
            "results": [item(1, "new")]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let stream = client_for(&server).order_items(9_u64);
    futures_util::pin_mut!(stream);
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.id.to_string(), "1");
    let err = stream.try_next().await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport(transport::Error::Pagination { message, .. }) if message.contains("evil.example")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_next_link_back_to_an_earlier_page_ends_the_list_with_an_error() {
    let server = MockServer::start().await;
    let base = format!("{}/partner-api/v1/orders/9/items/", server.uri());
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/9/items/"))
        .and(query_param_is_missing("page"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 2, "next": format!("{base}?page=2"), "previous": null,
            "results": [item(1, "new")]
        })))
        .expect(1)
        .mount(&server)
        .await;
    // Page 2 links back to page 1: a loop that would never end.
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/9/items/"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 2, "next": base, "previous": base,
            "results": [item(2, "new")]
        })))
        .expect(1)
        .mount(&server)
        .await;

    // Without the loop check this would request pages for ever.
    let client = client_for(&server);
    let err = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        client.list_order_items(9_u64),
    )
    .await
    .expect("the listing ends")
    .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(transport::Error::Pagination { message, .. }) if message.contains("already read")),
        "{err:?}"
    );
}
