//! `POST orders/`: exact bodies, the Token header, answers and errors.

use housecanary_partner::orders::{Location, OrderItem, ValueReportOrder};
use housecanary_partner::status::OrderStatus;
use housecanary_partner::{Error, OwnerPair};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TOKEN, client_for};

fn sample_order() -> ValueReportOrder {
    ValueReportOrder::builder(
        "March portfolio",
        OrderItem::builder("500 W 2nd St", Location::full("Austin", "TX", "78701"))
            .unit("4B")
            .customer_item_id("loan-1")
            .external_integration_id("crm-1")
            .build(),
    )
    .customer_order_id("po-12")
    .owner(OwnerPair::new(1200_u64, 5531_u64))
    .item(OrderItem::builder("1 Elm St", Location::zipcode("02134")).build())
    .item(OrderItem::builder("9 Oak Ave", Location::city_state("Portland", "OR")).build())
    .build()
}

#[tokio::test]
async fn create_order_sends_the_exact_body_and_token_and_decodes_the_201() {
    let server = MockServer::start().await;
    let expected = json!({
        "order_type": "valueReport",
        "name": "March portfolio",
        "customer_order_id": "po-12",
        "owner_organization_id": 1200,
        "owner_id": 5531,
        "items": [
            {"address": "500 W 2nd St", "unit": "4B", "city": "Austin", "state": "TX",
             "zipcode": "78701", "customer_item_id": "loan-1", "external_integration_id": "crm-1"},
            {"address": "1 Elm St", "zipcode": "02134"},
            {"address": "9 Oak Ave", "city": "Portland", "state": "OR"}
        ]
    });
    Mock::given(method("POST"))
        .and(path("/partner-api/v1/orders/"))
        .and(header("authorization", format!("Token {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": 881,
            "name": "March portfolio",
            "order_type": "valueReport",
            "status": "awaitingSignOff",
            "customer_order_id": "po-12",
            "owner_organization_id": 1200,
            "owner_id": 5531,
            "fsd_threshold": 0.2,
            "created": "2026-03-01T10:00:00Z"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let order = client_for(&server)
        .create_order(&sample_order())
        .await
        .unwrap();

    assert_eq!(order.id.to_string(), "881");
    assert_eq!(
        order.status,
        Some(OrderStatus::Other("awaitingSignOff".into()))
    );
    assert_eq!(order.customer_order_id.as_deref(), Some("po-12"));
    assert_eq!(order.extra["fsd_threshold"], json!(0.2));
    assert_eq!(order.extra["created"], json!("2026-03-01T10:00:00Z"));

    let received = &server.received_requests().await.unwrap()[0];
    let agent = received
        .headers
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(agent.starts_with("housecanary-partner/"), "{agent}");
}

#[tokio::test]
async fn a_ten_thousand_item_order_goes_out_whole() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/partner-api/v1/orders/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 1, "status": "new"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut items = (0..10_000).map(|n| {
        OrderItem::builder(&format!("{n} Main St"), Location::zipcode("78701"))
            .customer_item_id(format!("item-{n}"))
            .build()
    });
    let first = items.next().unwrap();
    let order = ValueReportOrder::builder("bulk", first)
        .items(items)
        .build();

    let created = client_for(&server).create_order(&order).await.unwrap();
    assert_eq!(created.status, Some(OrderStatus::New));

    let received = &server.received_requests().await.unwrap()[0];
    let body: serde_json::Value = serde_json::from_slice(&received.body).unwrap();
    let sent = body["items"].as_array().unwrap();
    assert_eq!(sent.len(), 10_000);
    assert_eq!(
        sent[9_999],
        json!({"address": "9999 Main St", "zipcode": "78701", "customer_item_id": "item-9999"})
    );
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_500() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/partner-api/v1/orders/"))
        .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error"))
        .expect(1)
        .mount(&server)
        .await;

    let err = client_for(&server)
        .create_order(&sample_order())
        .await
        .unwrap_err();
    match err {
        Error::Api { status, detail, .. } => {
            assert_eq!(status, 500);
            assert_eq!(detail.as_deref(), Some("Internal Server Error"));
        }
        other => panic!("expected Api, got {other:?}"),
    }
}

#[tokio::test]
async fn a_redirected_post_is_an_error_and_is_not_sent_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/partner-api/v1/orders/"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("Location", "/partner-api/v1/orders-moved/"),
        )
        .expect(1)
        .mount(&server)
        .await;
    // Following a 307 would resend the order's body: the order might then be placed twice.
    Mock::given(method("POST"))
        .and(path("/partner-api/v1/orders-moved/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 9})))
        .expect(0)
        .mount(&server)
        .await;

    let err = client_for(&server)
        .create_order(&sample_order())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Api { status: 307, .. }),
        "expected Api 307, got {err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_post_is_retried_after_a_429_because_it_was_not_processed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/partner-api/v1/orders/"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "2"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/partner-api/v1/orders/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 5})))
        .expect(1)
        .mount(&server)
        .await;

    let order = client_for(&server)
        .create_order(&sample_order())
        .await
        .unwrap();
    assert_eq!(order.id.to_string(), "5");
}

#[tokio::test]
async fn drf_field_errors_and_the_request_id_are_decoded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/partner-api/v1/orders/"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-request-id", "req-7f3a")
                .set_body_json(json!({
                    "owner_id": ["You are not authorized to act for this owner."],
                    "items": [{}, {"zipcode": ["Enter a valid zipcode."]}, {}]
                })),
        )
        .mount(&server)
        .await;

    let err = client_for(&server)
        .create_order(&sample_order())
        .await
        .unwrap_err();
    let text = err.to_string();
    match err {
        Error::Api {
            status,
            detail,
            field_errors,
            request_id,
            ..
        } => {
            assert_eq!(status, 400);
            assert_eq!(detail, None);
            assert_eq!(
                field_errors["owner_id"],
                vec!["You are not authorized to act for this owner."]
            );
            assert_eq!(
                field_errors["items[1].zipcode"],
                vec!["Enter a valid zipcode."]
            );
            assert_eq!(request_id.as_deref(), Some("req-7f3a"));
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert!(text.contains("POST orders/"), "{text}");
    assert!(
        text.contains("items[1].zipcode: Enter a valid zipcode."),
        "{text}"
    );
}

#[tokio::test]
async fn a_401_is_an_auth_error_without_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid token."})))
        .expect(1)
        .mount(&server)
        .await;

    let err = client_for(&server)
        .create_order(&sample_order())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth { detail: Some(d), .. } if d == "Invalid token."),
        "{err:?}"
    );
    assert!(!err.to_string().contains(TOKEN));
    assert!(!format!("{err:?}").contains(TOKEN));
}

#[tokio::test]
async fn blank_values_are_rejected_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    let order = ValueReportOrder::builder(
        "ok",
        OrderItem::builder("1 A St", Location::zipcode("78701")).build(),
    )
    .item(OrderItem::builder("  ", Location::zipcode("78701")).build())
    .build();

    let err = client_for(&server).create_order(&order).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "items[1].address"),
        "{err:?}"
    );
}
